"""Platform profiles: `platforms/<name>/platform.toml`, the host's view of a machine to boot,
and its launch profiles, `platforms/<name>/profiles/<profile>.toml` (named sets of launch
options for one kind of host, e.g. pi4, chosen with --profile).

A platform is a directory under platforms/ holding a platform.toml; the kernel's side of the
same platform (platform.mk, drivers) lives next to it. This module only reads the files.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError
from .paths import PLATFORMS_DIR

PROFILE_NAME = "platform.toml"
LAUNCH_PROFILES = "profiles"
# What a launch profile may set: LaunchOptions fields, with their TOML types.
LAUNCH_PROFILE_KEYS = {"accel": str, "gic": str, "cpu": str, "memory": str, "smp": int}


@dataclass(frozen=True)
class LaunchProfile:
    """Launch options for one kind of host; each fills an option the user left unset."""

    name: str
    description: str
    settings: tuple[tuple[str, str | int], ...]   # (LaunchOptions field, value), in file order

    def get(self, key: str):
        return dict(self.settings).get(key)


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
    profiles: tuple[LaunchProfile, ...] = ()

    def profile(self, name: str) -> LaunchProfile:
        for profile in self.profiles:
            if profile.name == name:
                return profile
        known = ", ".join(p.name for p in self.profiles) or "none"
        raise UserError(f"unknown launch profile '{name}' for platform {self.name}; known: {known}")


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
            profiles=load_launch_profiles(directory / LAUNCH_PROFILES),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise UserError(f"{profile} is missing or has a bad value for {e}; fix the profile") from None
    if platform.smp < 1 or not platform.cpus:
        raise UserError(f"{profile}: smp must be >= 1 and cpus must not be empty")
    return platform


def load_launch_profiles(directory: Path) -> tuple[LaunchProfile, ...]:
    """Every profiles/<name>.toml of a platform, checked key by key; none when there is no
    profiles directory."""
    if not directory.is_dir():
        return ()
    profiles = []
    for path in sorted(directory.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text())
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise UserError(f"cannot read launch profile {path}: {e}") from None
        settings = []
        for key, value in data.items():
            if key == "description":
                continue
            kind = LAUNCH_PROFILE_KEYS.get(key)
            if kind is None:
                raise UserError(f"launch profile {path}: unknown key {key}; known: "
                                f"description, {', '.join(LAUNCH_PROFILE_KEYS)}")
            if not isinstance(value, kind) or isinstance(value, bool):
                raise UserError(f"launch profile {path}: {key} must be a {kind.__name__}, not {value!r}")
            settings.append((key, value))
        profiles.append(LaunchProfile(path.stem, str(data.get("description", "")), tuple(settings)))
    return tuple(profiles)
