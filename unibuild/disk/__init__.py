"""Bootable disks: `unibuild build --format disk|qcow2` (a GPT disk holding an EFI system
partition with the kernel and the TFS image in a partition of its own), and reading them back
for `boot DISK`. See docs/deploy.md."""
