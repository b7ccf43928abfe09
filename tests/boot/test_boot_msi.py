"""Interrupt delivery of the virtio-pci devices on both GICs, under TCG with the Raspberry Pi 4's
CPU (-cpu cortex-a72): MSI-X through the GICv3 ITS (QEMU virt's default) and through the GICv2m
frame (gic-version=2), and the INTx fallback when there is no MSI controller (`its=off`) or the
kernel is told not to use it (`msi=off`: QEMU's GICv2 board always has its v2m frame).

Each boot reads a file from the image through virtio-blk (checked against zlib.crc32 of the
host's bytes) and gets a DHCP lease from slirp through virtio-net, so both devices are shown to
work under the delivery they report. One vector per virtqueue plus one for configuration
changes: virtio-blk uses one queue, virtio-net two (receive, transmit). The disk is put on PCI
(`--virtio-transport pci`): a -kernel boot's default puts it on virtio-mmio."""

from __future__ import annotations

import os
import re
import zlib

import pytest

from lib.blkdisk import boot, checksums, drive, expected, make_disk
from lib.guest import run

pytestmark = pytest.mark.boot

QUEUES = {"virtio-blk": 1, "virtio-net": 2}


def boot_and_read(programs, tmp_path, gic: str, *extra: str):
    data = os.urandom(1024 * 1024 + 17)
    (tmp_path / "blob").write_bytes(data)
    r = run(programs["probe"], "online", "read", "/data/blob",
            options=("--verbose", "--cpu", "cortex-a72", "--gic", gic, "--net", "user", "--net-backend", "slirp",
                     "--virtio-transport", "pci", "--file", f"{tmp_path / 'blob'}:/data/blob", *extra))
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"size={len(data)} crc={zlib.crc32(data):08x} st_size={len(data)} regular=1\n"
    assert re.search(r"^en1: DHCP lease in \d+ ms$", r.stderr, re.M), r.stderr
    return r.stderr


def deliveries(console: str) -> dict[str, str]:
    """The one delivery line per device: {"virtio-blk": "msi-x (its), 2 vectors", ...}."""
    found = {}
    for m in re.finditer(r"^(virtio-\w+): [0-9a-f]{2}:[0-9a-f]{2}\.[0-7] (intx|msi-x \(\w+\), \d+ vectors)$",
                         console, re.M):
        assert m.group(1) not in found, f"two delivery lines for {m.group(1)}:\n{console}"
        found[m.group(1)] = m.group(2)
    return found


@pytest.mark.parametrize("gic, controller", [("3", "its"), ("2", "v2m")])
def test_virtio_devices_use_msix_with_one_vector_per_queue_plus_config(programs, target_root, tmp_path,
                                                                      gic, controller):
    console = boot_and_read(programs, tmp_path, gic)
    assert deliveries(console) == {dev: f"msi-x ({controller}), {q + 1} vectors" for dev, q in QUEUES.items()}


def test_without_an_its_the_devices_fall_back_to_intx(programs, target_root, tmp_path):
    console = boot_and_read(programs, tmp_path, "3", "--machine-opt", "its=off")
    assert "its:" not in console
    assert deliveries(console) == {dev: "intx" for dev in QUEUES}


def test_msi_off_puts_the_devices_on_intx_despite_the_v2m_frame(programs, target_root, tmp_path):
    console = boot_and_read(programs, tmp_path, "2", "--append", "msi=off")
    assert re.search(r"^gicv2m: frame 0x[0-9a-f]+, SPIs \d+\.\.\d+$", console, re.M), console
    assert deliveries(console) == {dev: "intx" for dev in QUEUES}


def test_a_device_with_too_few_msix_vectors_falls_back_to_intx_and_works(kernel_image, tmp_path):
    """vectors=1: the table has room for the configuration vector only, not the queue's, so the
    half-made MSI-X setup is undone and the disk runs on INTx."""
    data = make_disk(tmp_path / "disk.img", 1024 * 1024, seed=6)
    console = boot(kernel_image, *drive(tmp_path / "disk.img", "d0"),
                   "-device", "virtio-blk-pci,drive=d0,disable-legacy=on,vectors=1", gic="3", cpu="cortex-a72")
    assert re.search(r"^virtio-blk: 00:0\d\.0 intx$", console, re.M), console
    assert checksums(console, "vda") == expected(data, len(data))


@pytest.mark.parametrize("gic, controller", [("3", "its"), ("2", "v2m")])
def test_each_disk_behind_a_root_port_gets_its_own_vectors(kernel_image, tmp_path, gic, controller):
    """Functions on a secondary bus: the ITS sees DeviceID 0x100 and up (bus 1), not 0."""
    first = make_disk(tmp_path / "a.img", 1024 * 1024, seed=7)
    make_disk(tmp_path / "b.img", 512 * 1024, seed=8)
    console = boot(kernel_image, *drive(tmp_path / "a.img", "d0"), *drive(tmp_path / "b.img", "d1"),
                   "-device", "pcie-root-port,id=rp0,chassis=1",
                   "-device", "virtio-blk-pci,drive=d0,bus=rp0,disable-legacy=on",
                   "-device", "virtio-blk-pci,drive=d1,disable-legacy=on", gic=gic, cpu="cortex-a72")
    lines = re.findall(r"^virtio-blk: ([0-9a-f:.]+) (msi-x \(\w+\), \d+ vectors|intx)$", console, re.M)
    found = dict(lines)
    assert len(lines) == 2 and "01:00.0" in found, console
    assert set(found.values()) == {f"msi-x ({controller}), 2 vectors"}, console
    assert checksums(console, "vda") == expected(first, len(first))
