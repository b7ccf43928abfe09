"""The disk and the NIC over virtio-mmio (version 2) instead of virtio-pci: QEMU virt's
`-device virtio-blk-device` / `virtio-net-device`, found through the device tree's "virtio,mmio"
nodes and interrupting on the SPI their `interrupts` property names, on both GICs."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import os
import urllib.request
import zlib

import pytest
from lib.blkdisk import boot, checksums, drive, expected, make_disk
from lib.guest import TARGET_ROOT, run
from lib.netutil import free_port

from unibuild.paths import PROJECT_ROOT

pytestmark = pytest.mark.boot

MMIO = ("--virtio-transport", "mmio")


def mmio_lines(console: str) -> dict[str, str]:
    """{"virtio-blk": "virtio_mmio@a003e00 irq 79 (edge)", ...}: one delivery line per device."""
    return {m.group(1): m.group(2) for m in
            re.finditer(r"^(virtio-\w+): (virtio_mmio@[0-9a-f]+ irq \d+ \((?:edge|level)\))$", console, re.M)}


@pytest.mark.parametrize("gic", ["2", "3"])
def test_a_program_reads_its_disk_and_gets_a_lease_over_virtio_mmio(programs, target_root, tmp_path, gic):
    data = os.urandom(256 * 1024 + 5)
    (tmp_path / "blob").write_bytes(data)
    r = run(programs["probe"], "online", "read", "/data/blob",
            options=("--verbose", "--gic", gic, "--net", "user", "--net-backend", "slirp", *MMIO,
                     "--file", f"{tmp_path / 'blob'}:/data/blob"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"size={len(data)} crc={zlib.crc32(data):08x} st_size={len(data)} regular=1\n"
    assert re.search(r"^en1: DHCP lease in \d+ ms$", r.stderr, re.M), r.stderr
    lines = mmio_lines(r.stderr)
    assert set(lines) == {"virtio-blk", "virtio-net"}, r.stderr
    assert all(line.endswith("(edge)") for line in lines.values()), lines   # QEMU's DT says edge rising
    assert not re.search(r"^virtio-\w+: [0-9a-f]{2}:[0-9a-f]{2}\.\d", r.stderr, re.M), "a PCI virtio device appeared"


def test_the_web_server_answers_through_p_over_virtio_mmio(target_root):
    subprocess.run(["make", "-s", "-C", str(PROJECT_ROOT / "examples/websrv")], check=True)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "unibuild", "run", "--accel", "tcg", "--timeout", "120",
                             "--target-root", str(TARGET_ROOT), *MMIO, "-p", f"{port}:8080",
                             str(PROJECT_ROOT / "build/examples/websrv/websrv-static"), "8080"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            line = proc.stdout.readline()
            if line.startswith("websrv: listening"):
                break
            if not line and proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"websrv did not come up (exit {proc.poll()}): {proc.stderr.read()}")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/bytes/1048576", timeout=60) as resp:
            assert resp.status == 200 and resp.read() == b"x" * 1048576
    finally:
        proc.kill()
        proc.wait()


def test_a_disk_over_virtio_mmio_reads_back_its_bytes(kernel_image, tmp_path):
    """The kernel's blktest (the first disk): CRC-32s against zlib's of the same bytes, with a
    second device present so the walk over the transports passes an occupied one."""
    data = make_disk(tmp_path / "a.img", 1024 * 1024 + 512, seed=11)
    make_disk(tmp_path / "b.img", 64 * 1024, seed=12)
    # QEMU fills the transports from the highest address down and the device tree lists them
    # from the lowest up (Linux sees the same): the disk named last becomes vda.
    console = boot(kernel_image, "-global", "virtio-mmio.force-legacy=false",
                   *drive(tmp_path / "b.img", "d1"), "-device", "virtio-blk-device,drive=d1",
                   *drive(tmp_path / "a.img", "d0"), "-device", "virtio-blk-device,drive=d0")
    assert checksums(console, "vda") == expected(data, len(data))
    assert re.search(r"^virtio-blk: vdb 64 KiB, 512-byte sectors, read-only$", console, re.M), console


def test_a_legacy_virtio_mmio_device_is_refused_with_one_line(kernel_image, tmp_path):
    """QEMU 7.2's default (force-legacy=on) is the version-1 layout, which the kernel does not
    drive: it says so, naming the QEMU setting, and stops with a kernel error."""
    make_disk(tmp_path / "a.img", 64 * 1024, seed=13)
    proc = subprocess.run(["qemu-system-aarch64", "-M", "virt", "-cpu", "max", "-m", "256M", "-nographic",
                           "-nic", "none", "-no-reboot", "-kernel", str(kernel_image), "-append", "exit=0",
                           *drive(tmp_path / "a.img", "d0"), "-device", "virtio-blk-device,drive=d0"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert re.search(r"virtio-mmio: virtio_mmio@[0-9a-f]+: transport version 1; only version 2 .*"
                     r"force-legacy=false", proc.stdout), proc.stdout
    assert "boot: ready" not in proc.stdout
