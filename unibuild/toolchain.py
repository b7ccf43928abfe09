"""Finding the host tools that produce and run aarch64 code: the cross toolchain and QEMU.

Target and host never mix: everything here is about the *target* toolchain (the one that builds
the kernel and runs in the guest's architecture). The host's own compiler is not our business.
Detection is a pure function of (PATH, environment, host architecture), all injectable, so tests
can run it against fake tools.
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

from .errors import UserError

TARGET_ARCH = "aarch64"
CROSS_PREFIX = "aarch64-linux-gnu-"
CROSS_PACKAGE = "gcc-aarch64-linux-gnu"
QEMU_BINARY = "qemu-system-aarch64"
QEMU_PACKAGE = "qemu-system-arm"

# Python's platform.machine() spells the same CPU differently per OS.
_ARCH_ALIASES = {"arm64": "aarch64", "amd64": "x86_64", "x64": "x86_64"}


def host_arch() -> str:
    """The host CPU architecture in GNU spelling (aarch64, x86_64, ...)."""
    machine = _pyplatform.machine().lower()
    return _ARCH_ALIASES.get(machine, machine)


def default_prefix(arch: str) -> str:
    """On an aarch64 host the native tools already target aarch64; elsewhere we need a cross one."""
    return "" if arch == TARGET_ARCH else CROSS_PREFIX


def choose_prefix(requested: str | None, env: Mapping[str, str], arch: str) -> str:
    """--cross-compile beats $CROSS_COMPILE beats the host-based default (like the kernel's make)."""
    if requested is not None:
        return requested
    if "CROSS_COMPILE" in env:
        return env["CROSS_COMPILE"]
    return default_prefix(arch)


@dataclass(frozen=True)
class Toolchain:
    """A verified target toolchain: every tool exists and produces aarch64 code."""

    prefix: str
    gcc: Path
    ld: Path
    objcopy: Path
    machine: str  # `gcc -dumpmachine`, e.g. aarch64-linux-gnu


@dataclass(frozen=True)
class Qemu:
    """A QEMU system emulator binary and its version."""

    path: Path
    version: str


def _install_hint(prefix: str, arch: str) -> str:
    if prefix == CROSS_PREFIX:
        return f"install the Debian package {CROSS_PACKAGE}"
    if prefix == "" and arch == TARGET_ARCH:
        return "install the Debian packages gcc and binutils"
    return f"check --cross-compile / CROSS_COMPILE (or use {CROSS_PREFIX} from {CROSS_PACKAGE})"


def _run_tool(path: Path, args: list[str], env: Mapping[str, str]) -> str:
    """Runs a tool for a version/identity query; a tool that cannot even answer is not usable."""
    try:
        done = subprocess.run(
            [str(path), *args], env=dict(env), capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise UserError(f"could not run {path}: {e}") from None
    return done.stdout + done.stderr


def _which(name: str, env: Mapping[str, str]) -> Path | None:
    found = shutil.which(name, path=env.get("PATH", os.defpath))
    return Path(found) if found else None


def find_toolchain(
    requested_prefix: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    arch: str | None = None,
) -> Toolchain:
    """Finds `${prefix}gcc`, `ld` and `objcopy` and checks that they target aarch64."""
    env = os.environ if env is None else env
    arch = host_arch() if arch is None else arch
    prefix = choose_prefix(requested_prefix, env, arch)
    hint = _install_hint(prefix, arch)

    tools: dict[str, Path] = {}
    for tool in ("gcc", "ld", "objcopy"):
        path = _which(prefix + tool, env)
        if path is None:
            raise UserError(f"{prefix}{tool} not found on PATH: {hint}")
        tools[tool] = path

    machine = _run_tool(tools["gcc"], ["-dumpmachine"], env).strip()
    if not machine.startswith(TARGET_ARCH):
        raise UserError(
            f"{prefix}gcc builds for {machine or 'an unknown target'}, not {TARGET_ARCH}: {hint}"
        )
    # ld lists its emulations (aarch64linux, ...) and objcopy its BFD targets
    # (elf64-littleaarch64, ...); a binutils for another architecture lists neither.
    if TARGET_ARCH not in _run_tool(tools["ld"], ["-V"], env):
        raise UserError(f"{prefix}ld does not support {TARGET_ARCH}: {hint}")
    if TARGET_ARCH not in _run_tool(tools["objcopy"], ["--help"], env):
        raise UserError(f"{prefix}objcopy does not support {TARGET_ARCH}: {hint}")

    return Toolchain(prefix, tools["gcc"], tools["ld"], tools["objcopy"], machine)


_QEMU_VERSION = re.compile(r"QEMU emulator version (\S+)")


def find_qemu(binary: str = QEMU_BINARY, *, env: Mapping[str, str] | None = None) -> Qemu:
    """Finds the QEMU system emulator and reads its version."""
    env = os.environ if env is None else env
    path = _which(binary, env)
    if path is None:
        raise UserError(f"{binary} not found on PATH: install the Debian package {QEMU_PACKAGE}")
    out = _run_tool(path, ["--version"], env)
    match = _QEMU_VERSION.search(out)
    if match is None:
        raise UserError(
            f"{path} did not report a QEMU version; reinstall the Debian package {QEMU_PACKAGE}"
        )
    return Qemu(path, match.group(1))
