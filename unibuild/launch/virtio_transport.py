"""Which virtio transport QEMU gives the guest its disk and NIC on.

pci: virtio-blk-pci / virtio-net-pci behind QEMU virt's PCIe host bridge.
mmio: virtio-blk-device / virtio-net-device on QEMU virt's virtio-mmio transports, the devices
micro-VMs (Firecracker, cloud-hypervisor) offer; the kernel finds them in the device tree
(kernel/drivers/virtio_mmio.c). It drives only the modern (version 2) MMIO layout, which QEMU 7.2
gives only when asked: virtio-mmio's force-legacy defaults to on.
auto (the default): a -kernel boot under TCG has its disks on mmio, its NIC on pci; KVM and
firmware boots have all on pci. Under TCG every kernel instruction that runs once costs its
translation, and without a PCI device the kernel configures no PCI function and never sets up
the ITS (~3 ms of a hello boot, bench/speed.md). The NIC stays on PCI for its MSI-X vector per
queue, the path the network work was measured on; firmware boots keep the disk where EDK2 boots
from; under KVM there is no translation to save.
"""

from __future__ import annotations

TRANSPORTS = ("auto", "pci", "mmio")

# The PCI devices' names and the options only PCI has, which the -device twins do not accept.
_MMIO_TWINS = {"virtio-blk-pci": "virtio-blk-device", "virtio-net-pci": "virtio-net-device"}
_PCI_ONLY = ("disable-legacy=", "romfile=")


def _mmio_device(spec: str) -> str:
    name, _, rest = spec.partition(",")
    props = [p for p in rest.split(",") if p and not p.startswith(_PCI_ONLY)]
    return ",".join([_MMIO_TWINS.get(name, name), *props])


def device_transports(transport: str, accel: str, firmware: bool) -> tuple[str, str]:
    """(the disks' transport, the NIC's) for the transport asked for and the resolved accel."""
    if transport == "auto":
        return ("mmio", "pci") if accel == "tcg" and not firmware else ("pci", "pci")
    if transport not in TRANSPORTS:
        raise ValueError(f"unknown virtio transport {transport!r}")
    return transport, transport


def over_transport(argv: list[str], transport: str) -> list[str]:
    """QEMU arguments with every virtio -device moved onto `transport` (unchanged for pci)."""
    if transport == "pci":
        return list(argv)
    if transport != "mmio":
        raise ValueError(f"unknown virtio transport {transport!r}")
    out: list[str] = []
    for i, arg in enumerate(argv):
        is_device = i > 0 and argv[i - 1] == "-device"
        out.append(_mmio_device(arg) if is_device and arg.split(",")[0] in _MMIO_TWINS else arg)
    return out


def transport_args(*transports: str) -> list[str]:
    """Arguments the transports in use need (mmio: the modern register layout)."""
    return ["-global", "virtio-mmio.force-legacy=false"] if "mmio" in transports else []


def disks_in_probe_order(devices: list[list[str]], transport: str) -> list[str]:
    """The disks' -device arguments, ordered so the guest names them vda, vdb, ... as listed.

    QEMU fills virtio-mmio transports from the highest address down and the device tree lists
    them lowest first, so the guest (Linux too) probes the device named last first: on mmio the
    disks are named in reverse. PCI slots are probed in the order named."""
    ordered = reversed(devices) if transport == "mmio" else devices
    return [arg for device in ordered for arg in over_transport(device, transport)]
