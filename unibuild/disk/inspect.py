"""What `boot IMAGE` needs to know about IMAGE before any kernel build: a TFS image, or a disk
from `build --format disk|qcow2` (then booted through UEFI firmware with the kernel it carries).
Everything wrong with it is one line."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..image.built_for import BuiltFor, from_tuple, kernel_digest
from ..tfs.reader import Image
from .disk import disk_kernel, is_qcow2, open_disk


@dataclass(frozen=True)
class BootImage:
    writable: bool               # TFS 2.0: attached read-write, its changes persist
    built_for: BuiltFor | None   # the kernel it was built for
    disk_format: str = "raw"     # QEMU's drive format
    firmware: bool = False       # a GPT disk: booted through UEFI firmware
    kernel_digest: str | None = None   # a disk: the kernel in its EFI system partition


def _check_tfs(path: Path, shown: Path, **where) -> tuple[bool, BuiltFor | None]:
    with Image(path, **where) as img:
        if img.boot is None and img.header.writable:
            raise UserError(f"{shown} is a volume, not a program image; mount it with run -v")
        if img.boot is None:
            raise UserError(f"{shown} has no boot configuration (not written by `unibuild build`)")
        return img.header.writable, from_tuple(img.boot.built_for)


def _inspect_disk(raw: Path, shown: Path, disk_format: str) -> BootImage | None:
    disk = open_disk(raw)
    if disk is None:
        return None
    writable, built_for = _check_tfs(raw, shown, offset=disk.tfs_offset, size=disk.tfs_size)
    with tempfile.TemporaryDirectory(prefix="unibuild-esp-") as tmp:
        digest = kernel_digest(disk_kernel(disk, Path(tmp) / "BOOTAA64.EFI"))
    return BootImage(writable, built_for, disk_format, True, digest)


def inspect_image(path: Path) -> BootImage:
    if not path.is_file():
        raise UserError(f"image {path} not found; write one with `unibuild build -o {path} PROGRAM`")
    if is_qcow2(path):
        qemu_img = shutil.which("qemu-img")
        if qemu_img is None:
            raise UserError("qemu-img not found; install Debian's qemu-utils (make deps)")
        with tempfile.TemporaryDirectory(prefix="unibuild-qcow2-") as tmp:
            raw = Path(tmp) / "disk.raw"
            r = subprocess.run([qemu_img, "convert", "-f", "qcow2", "-O", "raw", str(path), str(raw)],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise UserError(f"{path}: qemu-img cannot read it as qcow2: {r.stderr.strip()}")
            found = _inspect_disk(raw, path, "qcow2")
        if found is None:
            raise UserError(f"{path} is a qcow2 disk without a GPT; write one with `unibuild build --format qcow2`")
        return found
    found = _inspect_disk(path, path, "raw")
    if found is not None:
        return found
    writable, built_for = _check_tfs(path, path)
    return BootImage(writable, built_for)
