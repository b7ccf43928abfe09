"""Platform profiles: `platforms/<name>/platform.toml`, the host's view of a machine to boot.

A platform is a directory under platforms/ holding a platform.toml; the kernel's side of the
same platform (platform.mk, drivers) lives next to it. This module only reads the profile.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError
from .paths import PLATFORMS_DIR

PROFILE_NAME = "platform.toml"


@dataclass(frozen=True)
class Platform:
    name: str
    directory: Path
    arch: str
    qemu_binary: str
    machine: str
    memory: str  # default guest RAM, in the --memory syntax (e.g. "1G")
    smp: int
    cpus: tuple[str, ...]  # CPU models --cpu accepts
    gicv2_max_cpus: int


def known_platforms(platforms_dir: Path = PLATFORMS_DIR) -> list[str]:
    """Names of the directories of platforms/ that hold a profile, sorted."""
    if not platforms_dir.is_dir():
        return []
    return sorted(p.parent.name for p in platforms_dir.glob(f"*/{PROFILE_NAME}"))


def load_platform(name: str, platforms_dir: Path = PLATFORMS_DIR) -> Platform:
    """Reads and validates platforms/<name>/platform.toml."""
    known = known_platforms(platforms_dir)
    if name not in known:
        listing = ", ".join(known) if known else f"none found in {platforms_dir}"
        raise UserError(f"unknown platform '{name}'; known platforms: {listing}")
    directory = platforms_dir / name
    profile = directory / PROFILE_NAME
    try:
        data = tomllib.loads(profile.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise UserError(f"cannot read {profile}: {e}") from None
    try:
        qemu = data["qemu"]
        platform = Platform(
            name=name,
            directory=directory,
            arch=str(data["arch"]),
            qemu_binary=str(qemu["binary"]),
            machine=str(qemu["machine"]),
            memory=str(qemu["memory"]),
            smp=int(qemu["smp"]),
            cpus=tuple(str(c) for c in qemu["cpus"]),
            gicv2_max_cpus=int(qemu.get("gicv2_max_cpus", 8)),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise UserError(f"{profile} is missing or has a bad value for {e}; fix the profile") from None
    if platform.smp < 1 or not platform.cpus:
        raise UserError(f"{profile}: smp must be >= 1 and cpus must not be empty")
    return platform
