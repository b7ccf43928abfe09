"""What this host offers for running aarch64 guests: its architecture, KVM, the interrupt
controllers KVM can give a guest (the vGIC), and QEMU.

Every probe is a function of things a test can substitute (the device path, an ioctl function,
a device-tree directory, an environment, an architecture string), and the result is a plain
HostInfo record the launch code takes as an argument: nothing downstream looks at the real host
by itself, so tests fake the host by building a HostInfo.
"""

from __future__ import annotations

import errno
import fcntl
import os
import platform as _pyplatform
import re
import shutil
import struct
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError

TARGET_ARCH = "aarch64"
KVM_DEVICE = "/dev/kvm"
DEVICE_TREE = Path("/proc/device-tree")
KVM_GROUP_FIX = "join the kvm group: sudo usermod -aG kvm $USER, then log out and back in"
QEMU_BINARY = "qemu-system-aarch64"
QEMU_PACKAGE = "qemu-system-arm"

# Python's platform.machine() spells the same CPU differently per OS.
_ARCH_ALIASES = {"arm64": "aarch64", "amd64": "x86_64", "x64": "x86_64"}


def host_arch() -> str:
    """The host CPU architecture in GNU spelling (aarch64, x86_64, ...)."""
    machine = _pyplatform.machine().lower()
    return _ARCH_ALIASES.get(machine, machine)


@dataclass(frozen=True)
class KvmStatus:
    usable: bool
    reason: str  # why not, or how (shown by `unibuild doctor`)
    fix: str = ""  # what the user can do about it, when there is one thing to do


@dataclass(frozen=True)
class VgicSupport:
    """Which GIC versions KVM can emulate for a guest here; None where it is not known."""

    v2: bool | None
    v3: bool | None
    source: str   # how we know: KVM_SOURCE, DT_SOURCE, or why we do not

    def supports(self, version: str) -> bool | None:
        return {"2": self.v2, "3": self.v3}.get(version)

    def describe(self) -> str:
        """E.g. "GICv2 (KVM_CREATE_DEVICE says so)", "GICv3, GICv2 unknown (the host's device tree)"."""
        if self.v2 is None and self.v3 is None:
            return f"unknown ({self.source})"
        offered = " and ".join(f"GICv{v}" for v, ok in (("2", self.v2), ("3", self.v3)) if ok) or "no GIC"
        unknown = "".join(f", GICv{v} unknown" for v, ok in (("2", self.v2), ("3", self.v3)) if ok is None)
        return f"{offered}{unknown} ({self.source})"


KVM_SOURCE = "KVM_CREATE_DEVICE says so"
DT_SOURCE = "the host's device tree"


VGIC_UNKNOWN = VgicSupport(None, None, "not probed")


@dataclass(frozen=True)
class HostInfo:
    """The host as the launch code sees it; tests build one to stand in for another host."""

    arch: str
    kvm: KvmStatus
    vgic: VgicSupport = VGIC_UNKNOWN


def _userland_bits() -> int:
    return struct.calcsize("P") * 8


def kvm_status(arch: str, device: str = KVM_DEVICE, userland_bits: int | None = None) -> KvmStatus:
    """KVM runs an aarch64 guest only on an aarch64 host, from a 64-bit userland (a 32-bit QEMU
    cannot run a 64-bit guest under KVM), with a /dev/kvm we may open."""
    bits = _userland_bits() if userland_bits is None else userland_bits
    if arch.startswith("arm") or (arch == TARGET_ARCH and bits == 32):
        return KvmStatus(False, f"this is a 32-bit OS ({arch}, {bits}-bit programs), and KVM runs an "
                         f"{TARGET_ARCH} guest only from a 64-bit one",
                         "install Raspberry Pi OS (64-bit) or Debian arm64")
    if arch != TARGET_ARCH:
        return KvmStatus(False, f"host is {arch}, KVM needs an {TARGET_ARCH} host")
    if not os.path.exists(device):
        return KvmStatus(False, f"{device} does not exist (no KVM in this kernel, or it did not start at EL2)",
                         "boot a kernel with KVM (Raspberry Pi OS 64-bit's and Debian arm64's have it) "
                         "or load it with `sudo modprobe kvm`")
    if not os.access(device, os.R_OK | os.W_OK):
        return KvmStatus(False, f"no permission to open {device}", KVM_GROUP_FIX)
    return KvmStatus(True, f"{device} usable")


# Linux's uapi/linux/kvm.h: the ioctls (KVMIO 0xAE; _IO and _IOWR of asm-generic/ioctl.h) and
# the device types KVM_CREATE_DEVICE knows. With KVM_CREATE_DEVICE_TEST it only answers whether
# it could create one (0, or ENODEV) and creates nothing: what QEMU's kvm_arm_vgic_probe asks.
KVM_CREATE_VM = 0xAE01                       # _IO(KVMIO, 0x01)
KVM_CREATE_DEVICE = 0xC00CAEE0               # _IOWR(KVMIO, 0xe0, struct kvm_create_device)
KVM_CREATE_DEVICE_TEST = 1
KVM_DEV_TYPE_ARM_VGIC_V2 = 5
KVM_DEV_TYPE_ARM_VGIC_V3 = 7

Ioctl = Callable[[int, int, object], object]


def vgic_from_kvm(device: str = KVM_DEVICE, ioctl: Ioctl = fcntl.ioctl) -> VgicSupport | None:
    """Asks KVM, on a scratch VM, whether it can create a GICv2 and a GICv3; None if it cannot
    be asked (no /dev/kvm, no permission, no VM)."""
    try:
        kvm = os.open(device, os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            vm = int(ioctl(kvm, KVM_CREATE_VM, 0))
        except OSError:
            return None
        try:
            return VgicSupport(_can_create(vm, KVM_DEV_TYPE_ARM_VGIC_V2, ioctl),
                               _can_create(vm, KVM_DEV_TYPE_ARM_VGIC_V3, ioctl), KVM_SOURCE)
        finally:
            os.close(vm)
    finally:
        os.close(kvm)


def _can_create(vm: int, device_type: int, ioctl: Ioctl) -> bool | None:
    request = bytearray(struct.pack("=III", device_type, 0, KVM_CREATE_DEVICE_TEST))
    try:
        ioctl(vm, KVM_CREATE_DEVICE, request)
    except OSError as e:
        # ENODEV is KVM's "no such device type here"; anything else says nothing about the GIC.
        return False if e.errno == errno.ENODEV else None
    return True


# Device-tree compatible strings of the GICs (Linux's irq-gic.c and irq-gic-v3.c tables).
_GICV2_COMPATIBLE = {b"arm,gic-400", b"arm,cortex-a15-gic", b"arm,cortex-a9-gic", b"arm,cortex-a7-gic",
                     b"arm,arm11mp-gic", b"arm,eb11mp-gic", b"arm,pl390", b"arm,tc11mp-gic",
                     b"brcm,brahma-b15-gic", b"nvidia,tegra210-agic", b"qcom,msm-8660-qgic",
                     b"qcom,msm-qgic2"}
_GICV3_COMPATIBLE = {b"arm,gic-v3"}


def vgic_from_device_tree(root: Path = DEVICE_TREE) -> VgicSupport | None:
    """The host's own GIC, from its device tree, for when KVM cannot be asked. A GICv2 host can
    only give guests a GICv2; a GICv3 host gives a GICv3, and a GICv2 only if its CPU interface
    has the legacy mode, which the tree does not say."""
    if not root.is_dir():
        return None
    for compatible in root.rglob("compatible"):
        try:
            names = set(compatible.read_bytes().split(b"\0"))
        except OSError:
            continue
        if names & _GICV3_COMPATIBLE:
            return VgicSupport(None, True, DT_SOURCE)
        if names & _GICV2_COMPATIBLE:
            return VgicSupport(True, False, DT_SOURCE)
    return None


def probe_vgic(device: str = KVM_DEVICE, *, ioctl: Ioctl = fcntl.ioctl,
               device_tree: Path = DEVICE_TREE) -> VgicSupport:
    """KVM's own answer, else the device tree's, else unknown."""
    found = vgic_from_kvm(device, ioctl) or vgic_from_device_tree(device_tree)
    return found or VgicSupport(None, None, "neither KVM nor a device tree could tell")


def probe_host() -> HostInfo:
    """This host. The vGIC is probed only where KVM can run an aarch64 guest."""
    arch = host_arch()
    kvm = kvm_status(arch)
    return HostInfo(arch, kvm, probe_vgic() if kvm.usable else VGIC_UNKNOWN)


@dataclass(frozen=True)
class Qemu:
    """A QEMU system emulator binary and its version."""

    path: Path
    version: str


def which(name: str, env: Mapping[str, str]) -> Path | None:
    found = shutil.which(name, path=env.get("PATH", os.defpath))
    return Path(found) if found else None


def run_tool(path: Path, args: list[str], env: Mapping[str, str]) -> str:
    """Runs a tool for a version/identity query; a tool that cannot even answer is not usable."""
    try:
        done = subprocess.run(
            [str(path), *args], env=dict(env), capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise UserError(f"could not run {path}: {e}") from None
    return done.stdout + done.stderr


_QEMU_VERSION = re.compile(r"QEMU emulator version (\S+)")


def find_qemu(binary: str = QEMU_BINARY, *, env: Mapping[str, str] | None = None) -> Qemu:
    """Finds the QEMU system emulator and reads its version."""
    env = os.environ if env is None else env
    path = which(binary, env)
    if path is None:
        raise UserError(f"{binary} not found on PATH: install the Debian package {QEMU_PACKAGE}")
    out = run_tool(path, ["--version"], env)
    match = _QEMU_VERSION.search(out)
    if match is None:
        raise UserError(
            f"{path} did not report a QEMU version; reinstall the Debian package {QEMU_PACKAGE}"
        )
    return Qemu(path, match.group(1))
