"""Finding the host tools that produce and run aarch64 code: the cross toolchain (stage 1 of the
pipeline; QEMU and the rest of the host are probed in unibuild/host/).

Target and host never mix: everything here is about the *target* toolchain (the one that builds
the kernel and runs in the guest's architecture). The host's own compiler is not our business.
Detection is a pure function of (PATH, environment, host architecture), all injectable, so tests
can run it against fake tools.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError
from .host.probe import TARGET_ARCH, host_arch, run_tool as _run_tool, which as _which

CROSS_PREFIX = "aarch64-linux-gnu-"
CROSS_PACKAGE = "gcc-aarch64-linux-gnu"


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


def _install_hint(prefix: str, arch: str) -> str:
    if prefix == CROSS_PREFIX:
        return f"install the Debian package {CROSS_PACKAGE}"
    if prefix == "" and arch == TARGET_ARCH:
        return "install the Debian packages gcc and binutils"
    return f"check --cross-compile / CROSS_COMPILE (or use {CROSS_PREFIX} from {CROSS_PACKAGE})"


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
