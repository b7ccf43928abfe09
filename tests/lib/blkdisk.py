"""Disks for the block-device boot tests: random disk images, a QEMU boot that runs the kernel's
`blktest` self-test on them, and the CRC-32s it must print (zlib over the same bytes)."""

from __future__ import annotations

import random
import re
import subprocess
import zlib
from pathlib import Path

import pytest

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
