"""Which virtio transport QEMU gives the guest its disk and NIC on.

pci (the default): virtio-blk-pci / virtio-net-pci behind QEMU virt's PCIe host bridge.
mmio: virtio-blk-device / virtio-net-device on QEMU virt's virtio-mmio transports, the devices
micro-VMs (Firecracker, cloud-hypervisor) offer; the kernel finds them in the device tree
(kernel/drivers/virtio_mmio.c). It drives only the modern (version 2) MMIO layout, which QEMU 7.2
gives only when asked: virtio-mmio's force-legacy defaults to on.
"""

from __future__ import annotations

TRANSPORTS = ("pci", "mmio")

# The PCI devices' names and the options only PCI has, which the -device twins do not accept.
_MMIO_TWINS = {"virtio-blk-pci": "virtio-blk-device", "virtio-net-pci": "virtio-net-device"}
_PCI_ONLY = ("disable-legacy=", "romfile=")


def _mmio_device(spec: str) -> str:
    name, _, rest = spec.partition(",")
    props = [p for p in rest.split(",") if p and not p.startswith(_PCI_ONLY)]
    return ",".join([_MMIO_TWINS.get(name, name), *props])


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


def transport_args(transport: str) -> list[str]:
    """Arguments the transport itself needs (mmio: the modern register layout)."""
    return ["-global", "virtio-mmio.force-legacy=false"] if transport == "mmio" else []
