"""`build --format disk`'s pieces checked by tools that did not write them: sgdisk (gdisk)
verifies the GPT, fsck.fat (dosfstools) the EFI system partition, mtools reads the kernel back;
the kernel's copy of the TFS partition type matches the host's."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from unibuild.disk import gpt
from unibuild.disk.disk import open_disk, write_disk
from unibuild.errors import UserError
from unibuild.image import Manifest, Placement, build_image
from unibuild.paths import PROJECT_ROOT


def efi_kernel(path: Path) -> Path:
    head = bytearray(300 << 10)               # the size of a small kernel: more than one FAT cluster
    head[0:2] = b"MZ"
    head[56:60] = b"ARM\x64"
    head[60:64] = (64).to_bytes(4, "little")
    head[64:70] = b"PE\0\0" + (0xAA64).to_bytes(2, "little")
    head[-7:] = b"the end"
    path.write_bytes(bytes(head))
    return path


@pytest.fixture
def disk(tmp_path):
    prog = tmp_path / "prog"
    prog.write_bytes(b"\x7fELF stand-in program")
    image = tmp_path / "app.img"
    build_image(Manifest(program="/prog", files=[Placement(prog, "/prog")]), image)
    out = tmp_path / "app.disk"
    write_disk(out, image, efi_kernel(tmp_path / "Image"))
    return out, image, tmp_path / "Image"


def test_sgdisk_finds_the_gpt_sound_with_the_two_partitions(disk):
    out, image, _ = disk
    v = subprocess.run(["sgdisk", "-v", str(out)], capture_output=True, text=True)
    assert v.returncode == 0 and "No problems found" in v.stdout, v.stdout + v.stderr
    info = subprocess.run(["sgdisk", "-i", "2", str(out)], capture_output=True, text=True, check=True).stdout
    assert str(gpt.TFS_TYPE).upper() in info
    first = int(re.search(r"First sector: (\d+)", info).group(1))
    with open(out, "rb") as f:
        f.seek(first * 512)
        assert f.read(image.stat().st_size) == image.read_bytes()
    esp = subprocess.run(["sgdisk", "-i", "1", str(out)], capture_output=True, text=True, check=True).stdout
    assert "EFI system partition" in esp and str(gpt.ESP_TYPE).upper() in esp


def test_the_esp_is_a_sound_fat_holding_the_kernel(disk, tmp_path):
    out, _, kernel = disk
    d = open_disk(out)
    with open(out, "rb") as f:
        f.seek(d.esp_offset)
        fat = tmp_path / "esp.fat"
        fat.write_bytes(f.read(d.tfs_offset - d.esp_offset))
    fsck = subprocess.run(["fsck.fat", "-n", str(fat)], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    back = tmp_path / "back"
    subprocess.run(["mcopy", "-i", str(fat), "::/EFI/BOOT/BOOTAA64.EFI", str(back)], check=True,
                   env={"MTOOLS_SKIP_CHECK": "1", "PATH": "/usr/bin:/bin"})
    assert back.read_bytes() == kernel.read_bytes()


def test_a_kernel_without_a_pe_header_is_refused(tmp_path, disk):
    _, image, _ = disk
    plain = tmp_path / "plain"
    plain.write_bytes(bytes(56) + b"ARM\x64" + bytes(4000))
    with pytest.raises(UserError, match="no arm64 PE/COFF header"):
        write_disk(tmp_path / "x.disk", image, plain)


def test_the_kernel_looks_for_the_same_partition_type():
    source = (PROJECT_ROOT / "kernel/drivers/gpt.c").read_text()
    body = re.search(r"tfs_partition_type\[16\] = \{([^}]*)\}", source).group(1)
    assert bytes(int(b, 16) for b in re.findall(r"0x([0-9a-f]{2})", body)) == gpt.TFS_TYPE.bytes_le
