"""The disk and the NIC over virtio-mmio (version 2) instead of virtio-pci: QEMU virt's
`-device virtio-blk-device` / `virtio-net-device`, found through the device tree's "virtio,mmio"
nodes and interrupting on the SPI their `interrupts` property names, on both GICs."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
import zlib
import os

import pytest
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
    r = run(programs["probe"], "read", "/data/blob",
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
