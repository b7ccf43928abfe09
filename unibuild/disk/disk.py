"""`unibuild build --format disk`: one bootable GPT disk, partition 1 the EFI system partition
(esp.py) with the kernel, partition 2 the TFS image (type gpt.TFS_TYPE, which the kernel looks
for); `--format qcow2` the same disk converted by qemu-img. And the way back for `boot DISK`:
where the image is, and the kernel the disk carries."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from . import esp, gpt

FORMATS = ("tfs", "disk", "qcow2")


def write_disk(output: Path, image: Path, kernel: Path, fmt: str = "disk") -> int:
    """The disk holding `kernel` and the TFS `image` at `output` (raw, or qcow2); its size."""
    output = Path(output)
    with tempfile.TemporaryDirectory(prefix="unibuild-disk-") as tmp:
        fat = Path(tmp) / "esp.fat"
        esp.write_esp(fat, kernel, esp.esp_size(kernel))
        ((esp_off, esp_len), (tfs_off, tfs_len)), disk_size = gpt.layout([fat.stat().st_size,
                                                                          image.stat().st_size])
        raw = output if fmt == "disk" else Path(tmp) / "disk.raw"
        # Content-derived GUIDs keep the disk reproducible, as the TFS image is.
        seed = uuid.uuid5(uuid.NAMESPACE_URL, "unibuild-disk:" + image.read_bytes()[:4096].hex())
        parts = [gpt.Partition(gpt.ESP_TYPE, "EFI system partition", esp_off, esp_len, uuid.uuid5(seed, "esp")),
                 gpt.Partition(gpt.TFS_TYPE, "unibuild TFS image", tfs_off, tfs_len, uuid.uuid5(seed, "tfs"))]
        tmp_out = raw.with_name(raw.name + ".tmp")
        with open(tmp_out, "wb") as f:
            f.truncate(disk_size)
            _copy_into(f, fat, esp_off)
            _copy_into(f, image, tfs_off)
            gpt.write_table(f, disk_size, parts, uuid.uuid5(seed, "disk"))
        tmp_out.replace(raw)
        if fmt == "qcow2":
            qemu_img = shutil.which("qemu-img")
            if qemu_img is None:
                raise UserError("qemu-img not found; install Debian's qemu-utils (make deps)")
            r = subprocess.run([qemu_img, "convert", "-f", "raw", "-O", "qcow2", str(raw), str(output)],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise UserError(f"qemu-img convert failed: {r.stderr.strip()}")
    return output.stat().st_size


def _copy_into(f, src: Path, offset: int) -> None:
    f.seek(offset)
    with open(src, "rb") as s:
        shutil.copyfileobj(s, f, 1 << 20)


@dataclass(frozen=True)
class DiskImage:
    """A GPT disk from `write_disk`: where its TFS image is (bytes) and its ESP."""
    path: Path
    tfs_offset: int
    tfs_size: int
    esp_offset: int | None


def is_qcow2(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"QFI\xfb"


def open_disk(path: Path) -> DiskImage | None:
    """The disk's layout when `path` is a GPT disk (None: not one, e.g. a plain TFS image); one
    line when it is a GPT disk without a TFS partition."""
    with open(path, "rb") as f:
        parts = gpt.read_table(f, str(path))
        end = f.seek(0, 2)
    if parts is None:
        return None
    tfs = next((p for p in parts if p.type == gpt.TFS_TYPE), None)
    if tfs is None:
        raise UserError(f"{path} is a GPT disk without a TFS partition (type {gpt.TFS_TYPE}); "
                        "write one with `unibuild build --format disk`")
    if tfs.offset + tfs.size > end:
        raise UserError(f"{path}: its TFS partition ends past the end of the file (truncated)")
    efi = next((p for p in parts if p.type == gpt.ESP_TYPE), None)
    return DiskImage(Path(path), tfs.offset, tfs.size, efi.offset if efi is not None else None)


def disk_kernel(disk: DiskImage, out: Path) -> Path:
    """The kernel the disk boots (its ESP's BOOTAA64.EFI), copied to `out`."""
    if disk.esp_offset is None:
        raise UserError(f"{disk.path} has no EFI system partition: UEFI firmware cannot boot it")
    esp.read_esp_kernel(disk.path, disk.esp_offset, out)
    esp.check_efi_kernel(out)
    return out
