"""`unibuild doctor`: what this host has for building and booting, and what to do about gaps.

Each check is a plain record; the CLI only formats them. Checks never raise for a missing
tool: reporting the gap is their whole job.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..launch.network import find_passt
from ..targetroot.location import DEFAULT_ROOT as DEFAULT_TARGET_ROOT, ENV_VAR as TARGET_ROOT_ENV
from ..toolchain import find_toolchain
from .probe import find_qemu, host_arch, kvm_status


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    value: str
    advice: str = ""  # what to do when not ok
    required: bool = True  # False: missing is fine for now (optional or a later feature)


def target_root(env: Mapping[str, str]) -> Path:
    """The aarch64 root filesystem programs' libraries come from ($NANOS_TARGET_ROOT or default)."""
    return Path(env[TARGET_ROOT_ENV]) if env.get(TARGET_ROOT_ENV) else DEFAULT_TARGET_ROOT


def run_checks(
    *, env: Mapping[str, str] | None = None, arch: str | None = None, kvm_device: str = "/dev/kvm"
) -> list[Check]:
    env = os.environ if env is None else env
    arch = host_arch() if arch is None else arch
    checks = [Check("host arch", True, arch)]

    try:
        tc = find_toolchain(env=env, arch=arch)
        checks.append(Check("cross toolchain", True, f"{tc.gcc} ({tc.machine})"))
    except UserError as e:
        checks.append(Check("cross toolchain", False, "missing", str(e)))

    try:
        qemu = find_qemu(env=env)
        checks.append(Check("qemu", True, f"{qemu.path} {qemu.version}"))
    except UserError as e:
        checks.append(Check("qemu", False, "missing", str(e)))

    kvm = kvm_status(arch, kvm_device)
    checks.append(
        Check(
            "kvm",
            kvm.usable,
            "usable" if kvm.usable else f"no: {kvm.reason}",
            "" if kvm.usable else "guests run under TCG (slower but complete)",
            required=False,
        )
    )

    root = target_root(env)
    source = f"${TARGET_ROOT_ENV}" if env.get(TARGET_ROOT_ENV) else "default"
    found = root.is_dir()
    checks.append(
        Check(
            "target root",
            found,
            f"{root} ({source}, {'found' if found else 'missing'})",
            "" if found else f"create it, or point ${TARGET_ROOT_ENV} at an aarch64 root filesystem",
            required=False,
        )
    )

    passt = find_passt(env)
    checks.append(
        Check(
            "network backend",
            passt is not None,
            f"passt at {passt} (default for -p forwards; slirp otherwise)" if passt
            else "slirp (QEMU's built-in; passt not installed)",
            "" if passt else "install the Debian package passt: slirp's listen backlog of 1 "
            "fails many concurrent clients on forwarded ports",
            required=False,
        )
    )
    return checks


def format_table(checks: list[Check]) -> str:
    """One aligned row per check: name, status, value, and advice when something is missing."""
    width = max(len(c.name) for c in checks)
    rows = []
    for c in checks:
        status = "ok" if c.ok else ("MISSING" if c.required else "no")
        row = f"{c.name:<{width}}  {status:<7}  {c.value}"
        if c.advice:
            row += f"  -> {c.advice}"
        rows.append(row)
    return "\n".join(rows)


def all_required_ok(checks: list[Check]) -> bool:
    return all(c.ok for c in checks if c.required)
