"""Boot tests for PCIe + virtio-pci + virtio-blk: the kernel reads a disk QEMU attaches and
prints CRC-32s of parts of it (`blktest` kernel argument); the oracle is zlib.crc32 over the
same bytes of the image file on the host."""

from __future__ import annotations

import random
import re
import subprocess
import zlib
from pathlib import Path

import pytest


pytestmark = pytest.mark.boot

SECTOR = 512
UNALIGNED_OFFSET, UNALIGNED_LENGTH = 777, 70000   # what kernel/drivers/block.c reads


def make_disk(path: Path, size: int, seed: int) -> bytes:
    data = random.Random(seed).randbytes(size)
    path.write_bytes(data)
    return data


def boot(kernel_image: Path, *devices: str, gic: str = "3", cpu: str = "max") -> str:
    """Runs QEMU until the kernel powers off; returns the console output."""
    argv = [
        "qemu-system-aarch64", "-M", f"virt,gic-version={gic}", "-cpu", cpu, "-m", "256M",
        "-nographic", "-nic", "none", "-no-reboot", "-kernel", str(kernel_image),
        "-append", "exit=0 blktest", *devices,
    ]
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"QEMU did not power off within 120 s; console so far:\n{e.stdout}")
    console = proc.stdout
    assert proc.returncode == 0, f"QEMU exited {proc.returncode}: {proc.stderr}\n{console}"
    assert "panic:" not in console, console
    assert re.search(r"^boot: ready in ", console, re.M), console
    return console


def drive(path: Path, ident: str) -> list[str]:
    return ["-drive", f"file={path},if=none,format=raw,id={ident},readonly=on"]


def checksums(console: str, disk: str) -> dict[str, tuple[int, int, int]]:
    found = {}
    for m in re.finditer(rf"^blktest: {disk} (\w+) offset (\d+) length (\d+) crc32 ([0-9a-f]{{8}})$", console, re.M):
        found[m.group(1)] = (int(m.group(2)), int(m.group(3)), int(m.group(4), 16))
    assert set(found) == {"head", "tail", "unaligned"}, console
    return found


def expected(data: bytes, capacity: int) -> dict[str, tuple[int, int, int]]:
    ranges = {
        "head": (0, min(capacity, 4096)),
        "tail": (max(capacity - 512, 0), min(capacity, 512)),
        "unaligned": (UNALIGNED_OFFSET, min(UNALIGNED_LENGTH, capacity - UNALIGNED_OFFSET)),
    }
    return {k: (off, n, zlib.crc32(data[off:off + n])) for k, (off, n) in ranges.items()}


@pytest.mark.parametrize("gic,cpu", [("3", "max"), ("2", "cortex-a72")])
def test_modern_virtio_blk_reads_match_the_image(kernel_image, tmp_path, gic, cpu):
    size = 3 * 1024 * 1024 + 5 * SECTOR           # not a multiple of 4 KiB: the tail is its own page
    data = make_disk(tmp_path / "disk.img", size, seed=1)
    console = boot(kernel_image, *drive(tmp_path / "disk.img", "d0"),
                   "-device", "virtio-blk-pci,drive=d0,disable-legacy=on", gic=gic, cpu=cpu)
    assert re.search(r"^pci: 00:0\d\.0 1af4:1042 virtio-blk$", console, re.M), console
    assert f"virtio-blk: vda {size} bytes, 512-byte sectors, read-only" in console
    assert checksums(console, "vda") == expected(data, size)


def test_transitional_device_is_driven_through_its_modern_interface(kernel_image, tmp_path):
    size = 2 * 1024 * 1024
    data = make_disk(tmp_path / "disk.img", size, seed=2)
    console = boot(kernel_image, *drive(tmp_path / "disk.img", "d0"), "-device", "virtio-blk-pci,drive=d0")
    assert re.search(r"^pci: 00:0\d\.0 1af4:1001 virtio-blk$", console, re.M), console
    assert "virtio-blk: vda 2 MiB, 512-byte sectors, read-only" in console
    assert checksums(console, "vda") == expected(data, size)


def test_disk_behind_a_root_port_with_4k_blocks(kernel_image, tmp_path):
    """Bus numbering, bridge windows and the INTx swizzle through a bridge; 4 KiB logical blocks
    make every sub-block read go through the block layer's partial-block path."""
    size = 4 * 1024 * 1024 + 3 * SECTOR           # the device's last partial 4 KiB block is unusable
    data = make_disk(tmp_path / "disk.img", size, seed=3)
    console = boot(kernel_image, *drive(tmp_path / "disk.img", "d0"),
                   "-device", "pcie-root-port,id=rp0,chassis=1",
                   "-device", "virtio-blk-pci,drive=d0,bus=rp0,disable-legacy=on,"
                              "logical_block_size=4096,physical_block_size=4096")
    assert re.search(r"^pci: 00:0\d\.0 1b36:000c PCI bridge, bus 1$", console, re.M), console
    assert re.search(r"^pci: 01:00\.0 1af4:1042 virtio-blk$", console, re.M), console
    assert "virtio-blk: vda 4 MiB, 4096-byte sectors, read-only" in console
    capacity = 4 * 1024 * 1024
    assert checksums(console, "vda") == expected(data, capacity)


def test_two_disks_share_the_transport_and_the_first_is_vda(kernel_image, tmp_path):
    first = make_disk(tmp_path / "a.img", 1024 * 1024, seed=4)
    make_disk(tmp_path / "b.img", 512 * 1024, seed=5)
    console = boot(kernel_image, *drive(tmp_path / "a.img", "d0"), *drive(tmp_path / "b.img", "d1"),
                   "-device", "virtio-blk-pci,drive=d0,disable-legacy=on",
                   "-device", "virtio-blk-pci,drive=d1,disable-legacy=on")
    assert "virtio-blk: vda 1 MiB, 512-byte sectors, read-only" in console
    assert "virtio-blk: vdb 512 KiB, 512-byte sectors, read-only" in console
    assert checksums(console, "vda") == expected(first, len(first))
