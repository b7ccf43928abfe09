"""What this host offers for running aarch64 guests: its architecture, KVM, and QEMU.

Every probe is a function of things a test can substitute (the device path, an environment,
an architecture string), and the result is a plain HostInfo record the launch code takes as an
argument: nothing downstream looks at the real host by itself, so tests fake the host by
building a HostInfo.
"""

from __future__ import annotations

import os
import platform as _pyplatform
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError

TARGET_ARCH = "aarch64"
KVM_DEVICE = "/dev/kvm"
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


@dataclass(frozen=True)
class HostInfo:
    """The host as the launch code sees it; tests build one to stand in for another host."""

    arch: str
    kvm: KvmStatus


def kvm_status(arch: str, device: str = KVM_DEVICE) -> KvmStatus:
    """KVM runs an aarch64 guest only on an aarch64 host with a /dev/kvm we may open."""
    if arch != TARGET_ARCH:
        return KvmStatus(False, f"host is {arch}, KVM needs an {TARGET_ARCH} host")
    if not os.path.exists(device):
        return KvmStatus(False, f"{device} does not exist (KVM module not loaded or no virtualization)")
    if not os.access(device, os.R_OK | os.W_OK):
        return KvmStatus(False, f"no permission to open {device} (join the kvm group)")
    return KvmStatus(True, f"{device} usable")


def probe_host() -> HostInfo:
    arch = host_arch()
    return HostInfo(arch, kvm_status(arch))


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
