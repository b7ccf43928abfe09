"""The virtio transport choice on the QEMU command line (pure; QEMU is not started here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from unibuild.host.probe import HostInfo, KvmStatus
from unibuild.launch.network import NETDEV_ID, nic_args
from unibuild.launch.qemu_cmdline import LaunchOptions, build_command
from unibuild.launch.virtio_transport import over_transport
from unibuild.platform import load_platform
from unibuild.tfs.volume import VolumeMount

ARM_KVM = HostInfo("aarch64", KvmStatus(True, "/dev/kvm usable"))
X86 = HostInfo("x86_64", KvmStatus(False, "host is x86_64, KVM needs an aarch64 host"))
SOCK = Path("/tmp/unibuild-test/qmp.sock")


@pytest.fixture(scope="module")
def virt():
    return load_platform("virt")


def devices(argv: list[str]) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv) if a == "-device"]


def test_pci_leaves_the_devices_alone(virt):
    cmd = build_command(virt, Path("/k/Image"), LaunchOptions(disk=Path("/d.img"), virtio_transport="pci"),
                        X86, SOCK, network=nic_args("user,id=net0", None))
    assert devices(cmd.argv) == [f"virtio-net-pci,netdev={NETDEV_ID},disable-legacy=on,romfile=",
                                 "virtio-blk-pci,drive=disk0,disable-legacy=on"]
    assert "virtio-mmio.force-legacy=false" not in cmd.argv


def test_the_default_under_tcg_puts_the_disk_on_mmio_and_keeps_the_nic_on_pci(virt):
    cmd = build_command(virt, Path("/k/Image"), LaunchOptions(disk=Path("/d.img"), accel="tcg"), X86, SOCK,
                        network=nic_args("user,id=net0", None))
    assert devices(cmd.argv) == [f"virtio-net-pci,netdev={NETDEV_ID},disable-legacy=on,romfile=",
                                 "virtio-blk-device,drive=disk0"]
    assert cmd.argv[cmd.argv.index("virtio-mmio.force-legacy=false") - 1] == "-global"


def test_the_default_under_kvm_and_for_firmware_keeps_every_device_on_pci(virt):
    kvm = build_command(virt, Path("/k/Image"), LaunchOptions(disk=Path("/d.img"), accel="kvm"), ARM_KVM, SOCK)
    firmware = build_command(virt, Path("/k/Image"), LaunchOptions(disk=Path("/d.img"), accel="tcg", firmware=True),
                             X86, SOCK)
    for cmd in (kvm, firmware):
        assert devices(cmd.argv) == ["virtio-blk-pci,drive=disk0,disable-legacy=on"]
        assert "virtio-mmio.force-legacy=false" not in cmd.argv


def test_disks_on_mmio_are_named_last_first_so_the_image_stays_vda(virt):
    """QEMU fills the transports from the highest address down; the guest probes the lowest first."""
    vols = (VolumeMount(Path("/v0.img"), "/a"), VolumeMount(Path("/v1.img"), "/b"))
    mmio = build_command(virt, Path("/k/Image"), LaunchOptions(disk=Path("/d.img"), volumes=vols, accel="tcg"),
                         X86, SOCK)
    assert devices(mmio.argv) == ["virtio-blk-device,drive=vol1", "virtio-blk-device,drive=vol0",
                                  "virtio-blk-device,drive=disk0"]
    pci = build_command(virt, Path("/k/Image"),
                        LaunchOptions(disk=Path("/d.img"), volumes=vols, accel="tcg", virtio_transport="pci"),
                        X86, SOCK)
    assert [d.split(",")[1] for d in devices(pci.argv)] == ["drive=disk0", "drive=vol0", "drive=vol1"]


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


def append_of(argv: list[str]) -> list[str]:
    return argv[argv.index("-append") + 1].split() if "-append" in argv else []


def test_pci_off_is_asked_for_exactly_when_no_device_is_on_pci(virt):
    mmio_disk = build_command(virt, Path("/k/Image"), LaunchOptions(disk=Path("/d.img"), accel="tcg"), X86, SOCK)
    assert "pci=off" in append_of(mmio_disk.argv)
    with_nic = build_command(virt, Path("/k/Image"), LaunchOptions(disk=Path("/d.img"), accel="tcg"), X86, SOCK,
                             network=nic_args("user,id=net0", None))
    pci_disk = build_command(virt, Path("/k/Image"),
                             LaunchOptions(disk=Path("/d.img"), accel="tcg", virtio_transport="pci"), X86, SOCK)
    firmware = build_command(virt, Path("/k/Image"), LaunchOptions(disk=Path("/d.img"), accel="tcg", firmware=True),
                             X86, SOCK)
    for cmd in (with_nic, pci_disk, firmware):
        assert "pci=off" not in " ".join(cmd.argv)
