"""The writer's input: a file tree and boot manifest as plain dataclasses.

unibuild/image/manifest.py fills these from host paths; tests may fill them directly. File contents are
referenced, not held: a File names a host path that the writer streams, or carries a
small bytes payload for generated files.
"""

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Meta:
    """Per-node attributes; mtime in nanoseconds since the epoch (0 = normalised)."""

    mode: int = 0o755
    uid: int = 0
    gid: int = 0
    mtime_ns: int = 0
    # extended attributes (name with its user./trusted./security. prefix, value), in the order a
    # listxattr gives them (docs/tfs.md 8.3)
    xattrs: tuple[tuple[bytes, bytes], ...] = ()


@dataclass
class File:
    source: Path | bytes
    meta: Meta = field(default_factory=lambda: Meta(mode=0o644))


@dataclass
class Symlink:
    target: str
    meta: Meta = field(default_factory=lambda: Meta(mode=0o777))


@dataclass
class Dir:
    children: dict[str, "File | Symlink | Dir"] = field(default_factory=dict)
    meta: Meta = field(default_factory=Meta)


Node = File | Symlink | Dir


@dataclass
class Boot:
    """What the kernel runs: argv[0] is conventionally the program path."""

    program: str
    argv: list[str]
    env: list[str] = field(default_factory=list)        # "KEY=VALUE" entries, in order
    kernel: dict[str, int | str] = field(default_factory=dict)
    built_for: dict[str, str] | None = None   # the platform and kernel digest (image/built_for.py)
