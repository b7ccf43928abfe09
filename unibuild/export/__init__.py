"""Handing an image to the engines fleets run: a libvirt domain (libvirt.py) and a KubeVirt
VirtualMachine with its OCI containerDisk (kubevirt.py). Both describe the same boot as
`unibuild boot IMAGE`: the launch options resolved in settings.py."""
