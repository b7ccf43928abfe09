"""Booting a disk through UEFI firmware (`unibuild boot DISK`, DISK from `build --format
disk|qcow2`) instead of QEMU's -kernel: Debian's EDK2 build for QEMU's virt machine loads the
kernel from the disk's EFI system partition, and the kernel's EFI stub (kernel/efi/efi_stub.c)
takes it from there. The firmware's path is Debian's qemu-efi-aarch64.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError

FIRMWARE = Path("/usr/share/qemu-efi-aarch64/QEMU_EFI.fd")
# The fw_cfg file the EFI stub reads its kernel arguments from when the boot entry gives none.
CMDLINE_FILE = "opt/org.unibuild/cmdline"
# EDK2 gives the OS a device tree only when QEMU offers no ACPI tables. The stub reads ACPI too
# (--machine-opt acpi=on), but the tree also has the PL031 RTC, which QEMU's ACPI tables lack.
MACHINE_OPTIONS = ("acpi=off",)


def firmware_path() -> Path:
    if not FIRMWARE.is_file():
        raise UserError(f"UEFI firmware {FIRMWARE} not found; install Debian's qemu-efi-aarch64 (make deps)")
    return FIRMWARE


def firmware_args(append: str) -> list[str]:
    """QEMU's arguments for a firmware boot with kernel arguments `append`."""
    # menu=on,splash-time=0: EDK2 reads its boot-menu timeout from QEMU, and without one waits
    # its own default (5 s here) for a key before booting the disk.
    argv = ["-bios", str(firmware_path()), "-boot", "menu=on,splash-time=0"]
    if append:
        argv += ["-fw_cfg", f"name={CMDLINE_FILE},string={append.replace(',', ',,')}"]
    return argv
