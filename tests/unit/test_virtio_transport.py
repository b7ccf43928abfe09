"""The virtio transport choice on the QEMU command line (pure; QEMU is not started here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from unibuild.host.probe import HostInfo, KvmStatus
from unibuild.launch.network import NETDEV_ID, nic_args
from unibuild.launch.qemu_cmdline import LaunchOptions, build_command
from unibuild.launch.virtio_transport import over_transport
from unibuild.platform import load_platform

X86 = HostInfo("x86_64", KvmStatus(False, "host is x86_64, KVM needs an aarch64 host"))
SOCK = Path("/tmp/unibuild-test/qmp.sock")


@pytest.fixture(scope="module")
def virt():
    return load_platform("virt")


def devices(argv: list[str]) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv) if a == "-device"]


def test_pci_is_the_default_and_leaves_the_devices_alone(virt):
    cmd = build_command(virt, Path("/k/Image"), LaunchOptions(disk=Path("/d.img")), X86, SOCK,
                        network=nic_args("user,id=net0", None))
    assert devices(cmd.argv) == [f"virtio-net-pci,netdev={NETDEV_ID},disable-legacy=on,romfile=",
                                 "virtio-blk-pci,drive=disk0,disable-legacy=on"]
    assert "virtio-mmio.force-legacy=false" not in cmd.argv


def test_mmio_puts_disk_and_nic_on_virtio_mmio_in_the_modern_layout(virt):
    cmd = build_command(virt, Path("/k/Image"), LaunchOptions(disk=Path("/d.img"), virtio_transport="mmio"),
                        X86, SOCK, network=nic_args("user,id=net0", None))
    assert devices(cmd.argv) == [f"virtio-net-device,netdev={NETDEV_ID}", "virtio-blk-device,drive=disk0"]
    i = cmd.argv.index("virtio-mmio.force-legacy=false")
    assert cmd.argv[i - 1] == "-global"


def test_only_virtio_pci_device_values_are_rewritten():
    argv = ["-device", "pcie-root-port,id=rp0", "-netdev", "virtio-net-pci", "-device", "virtio-blk-pci,drive=d"]
    assert over_transport(argv, "mmio") == ["-device", "pcie-root-port,id=rp0", "-netdev", "virtio-net-pci",
                                            "-device", "virtio-blk-device,drive=d"]
