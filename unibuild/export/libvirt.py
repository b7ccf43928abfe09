"""A libvirt domain for an image: direct kernel boot of our kernel with the image as a read-only
virtio disk, or (a disk from `build --format disk|qcow2`) UEFI boot of the disk through the
firmware's ROM with the kernel's arguments in the fw_cfg file the EFI stub reads; one virtio
NIC, and the VM destroyed when the guest powers off (a unikernel that exits is done). Written with ElementTree; Debian's virt-xml-validate (libvirt-clients) checks it
against libvirt's own schema in the tests."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ..launch.firmware import CMDLINE_FILE
from .settings import Machine


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    e = ET.SubElement(parent, tag, attrs)
    if text is not None:
        e.text = text
    return e


def _cpu(domain: ET.Element, m: Machine) -> None:
    if m.kvm:
        _sub(domain, "cpu", mode="host-passthrough")
    elif m.cpu == "max":
        _sub(domain, "cpu", mode="maximum")
    else:
        cpu = _sub(domain, "cpu", mode="custom", match="exact")
        _sub(cpu, "model", m.cpu, fallback="forbid")


def _interface(devices: ET.Element, m: Machine) -> None:
    """User-mode networking, as `unibuild run` has: no bridge or root needed. Forwards (-p) need
    libvirt's passt backend (libvirt 9.0 and later), which is what carries portForward."""
    iface = _sub(devices, "interface", type="user")
    if m.ports:
        _sub(iface, "backend", type="passt")
        for proto in ("tcp", "udp"):
            forwards = [f for f in m.ports if f.proto == proto]
            if forwards:
                # Loopback only, like `unibuild run -p`.
                pf = _sub(iface, "portForward", proto=proto, address="127.0.0.1")
                for f in forwards:
                    _sub(pf, "range", start=str(f.host), to=str(f.guest))
    _sub(iface, "model", type="virtio")
    _sub(iface, "rom", enabled="no")        # no efi-virtio.rom: the kernel boots directly


def domain_xml(name: str, kernel: Path | None, image: Path, m: Machine, emulator: str | None = None, *,
               firmware: Path | None = None, disk_format: str = "raw") -> str:
    """The domain, as text (kernel, image and firmware as absolute paths on the host that runs
    it): the kernel booted directly, or with `firmware` the disk `image` booted through it."""
    domain = ET.Element("domain", type="kvm" if m.kvm else "qemu")
    _sub(domain, "name", name)
    _sub(domain, "memory", str(m.memory_mib), unit="MiB")
    _sub(domain, "vcpu", str(m.smp))
    os_ = _sub(domain, "os")
    _sub(os_, "type", "hvm", arch="aarch64", machine="virt")
    if firmware is not None:
        _sub(os_, "loader", str(firmware), readonly="yes", type="rom")
        if m.cmdline:
            sysinfo = _sub(domain, "sysinfo", type="fwcfg")
            _sub(sysinfo, "entry", m.cmdline, name=CMDLINE_FILE)
    else:
        _sub(os_, "kernel", str(kernel))
        if m.cmdline:
            _sub(os_, "cmdline", m.cmdline)
    features = _sub(domain, "features")
    if firmware is not None:
        # ACPI, as `boot DISK` gives it (launch/firmware.py): EDK2 hands the kernel QEMU's ACPI
        # tables, which its EFI stub reads. Without <acpi/> libvirt turns QEMU's ACPI off and
        # EDK2 hands it the device tree instead, which works too.
        _sub(features, "acpi")
    _sub(features, "gic", version=m.gic)
    _cpu(domain, m)
    _sub(domain, "on_poweroff", "destroy")
    _sub(domain, "on_reboot", "destroy")    # a rebooting unikernel would loop (run's -no-reboot)
    _sub(domain, "on_crash", "destroy")
    devices = _sub(domain, "devices")
    if emulator:
        _sub(devices, "emulator", emulator)
    disk = _sub(devices, "disk", type="file", device="disk")
    _sub(disk, "driver", name="qemu", type=disk_format)
    _sub(disk, "source", file=str(image))
    _sub(disk, "target", dev="vda", bus="virtio")
    _sub(disk, "readonly")
    if m.net:
        _interface(devices, m)
    serial = _sub(devices, "serial", type="pty")
    _sub(serial, "target", port="0")
    console = _sub(devices, "console", type="pty")
    _sub(console, "target", type="serial", port="0")
    _sub(devices, "controller", type="usb", model="none")
    _sub(devices, "memballoon", model="none")   # the kernel has no balloon driver
    ET.indent(domain)
    return ET.tostring(domain, encoding="unicode") + "\n"
