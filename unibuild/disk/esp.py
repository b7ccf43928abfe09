"""The EFI system partition: a FAT file system holding the kernel as \\EFI\\BOOT\\BOOTAA64.EFI,
the removable-media path UEFI firmware boots on arm64 without a boot entry (UEFI 2.10 section
3.5.1.1). Made by Debian's dosfstools (mkfs.fat) and mtools (mmd, mcopy), which write into the
file without mounting it."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

from ..errors import UserError

BOOT_PATH = "::/EFI/BOOT/BOOTAA64.EFI"
_MIN_SIZE = 2 << 20          # FAT12 with room for the directories
# mtools' own sanity check refuses a FAT whose size is not a whole number of tracks.
_ENV = {**os.environ, "MTOOLS_SKIP_CHECK": "1"}


def check_efi_kernel(kernel: Path) -> None:
    """One line unless `kernel` is an arm64 Image that is also an EFI application (the Image
    header's "MZ" and the PE header it points to, machine 0xaa64: kernel/arch/aarch64/efi_header.S)."""
    try:
        head = Path(kernel).read_bytes()[:4096]
    except OSError as e:
        raise UserError(f"cannot read kernel {kernel}: {e.strerror}") from None
    if len(head) < 64 or head[56:60] != b"ARM\x64":
        raise UserError(f"{kernel} is not an arm64 kernel Image")
    pe = struct.unpack_from("<I", head, 60)[0]
    if head[:2] != b"MZ" or not 64 <= pe <= len(head) - 6 or head[pe:pe + 4] != b"PE\0\0" \
            or struct.unpack_from("<H", head, pe + 4)[0] != 0xAA64:
        raise UserError(f"{kernel} has no arm64 PE/COFF header: it cannot boot from UEFI firmware")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        package = "dosfstools" if name.startswith("mkfs") else "mtools"
        raise UserError(f"{name} not found; install Debian's {package} (make deps)")
    return path


def esp_size(kernel: Path) -> int:
    """Bytes for a FAT holding `kernel`: the kernel, a quarter more for FAT overhead, 1 MiB
    aligned, at least _MIN_SIZE."""
    need = Path(kernel).stat().st_size * 5 // 4 + (512 << 10)
    return max(_MIN_SIZE, -(-need // (1 << 20)) * (1 << 20))


def write_esp(path: Path, kernel: Path, size: int) -> None:
    """The FAT file system of `size` bytes at `path` with the kernel at BOOT_PATH."""
    check_efi_kernel(kernel)
    with open(path, "wb") as f:
        f.truncate(size)
    for argv in ([_tool("mkfs.fat"), "-n", "UNIBUILD", str(path)],
                 [_tool("mmd"), "-i", str(path), "::/EFI", "::/EFI/BOOT"],
                 [_tool("mcopy"), "-i", str(path), str(kernel), BOOT_PATH]):
        r = subprocess.run(argv, capture_output=True, text=True, env=_ENV)
        if r.returncode != 0:
            said = (r.stderr or r.stdout).strip().splitlines() or [f"exit status {r.returncode}"]
            raise UserError(f"{Path(argv[0]).name} failed making the EFI system partition: {said[-1]}")


def read_esp_kernel(disk: Path, offset: int, out: Path) -> None:
    """The kernel in the ESP at `offset` in `disk`, copied to `out`; one line
    when the partition is not a FAT holding it (truncated, damaged, or another ESP)."""
    spec = f"{disk}@@{offset}"
    r = subprocess.run([_tool("mcopy"), "-n", "-i", spec, BOOT_PATH, str(out)], capture_output=True,
                       text=True, env=_ENV)
    if r.returncode != 0 or not out.is_file():
        raise UserError(f"{disk}: the EFI system partition holds no readable {BOOT_PATH[3:]} "
                        "(truncated or damaged)")
