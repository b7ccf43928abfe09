"""Volumes: writable TFS images (format version 2, docs/tfs.md section 12) that a guest mounts
at a path and changes, and that outlive it.

A volume is named (NAME: a file in the volumes directory, $UNIBUILD_VOLUMES or
~/.local/share/unibuild/volumes) or given as a FILE path. While a guest uses one, unibuild holds
an flock on it, so a second guest is refused with a clear message instead of two kernels
appending to one log.
"""

from __future__ import annotations

import fcntl
import os
import re
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from . import format as fmt
from .reader import Image
from .tree import Dir, Meta
from .writer import write_image

DEFAULT_SIZE = 64 << 20
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_SIZE = re.compile(r"^(\d+)\s*([KMGT]?)(i?B)?$", re.IGNORECASE)
SUFFIX = ".tfs"


def volumes_dir() -> Path:
    env = os.environ.get("UNIBUILD_VOLUMES")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "unibuild" / "volumes"


def volume_path(spec: str) -> Path:
    """NAME (letters, digits, `_.-`, no slash) is a volume in volumes_dir(); anything else a file."""
    if "/" not in spec and _NAME.match(spec) and not spec.endswith(SUFFIX):
        return volumes_dir() / f"{spec}{SUFFIX}"
    return Path(spec)


def parse_size(text: str) -> int:
    m = _SIZE.match(text.strip())
    if not m:
        raise UserError(f"bad size '{text}'; use bytes or a size like 64M or 1G")
    n = int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30, "t": 40}[m.group(2).lower()]
    if n < 1 << 20:
        raise UserError(f"volume size '{text}' is too small; a volume needs at least 1M")
    return n


@dataclass(frozen=True)
class VolumeMount:
    """`VOLUME:/mount/point[:ro]` from -v/--volume."""

    path: Path
    mount: str
    read_only: bool = False


def parse_mount(spec: str) -> VolumeMount:
    volume, sep, rest = spec.partition(":")
    read_only = False
    if rest.endswith(":ro"):
        rest, read_only = rest[:-3], True
    elif rest.endswith(":rw"):
        rest = rest[:-3]
    if not volume or not sep or not rest.startswith("/") or rest.rstrip("/") == "" or " " in rest:
        raise UserError(f"bad volume {spec!r}; use VOLUME:/mount/point[:ro] (an absolute path other than /, "
                        f"without spaces)")
    if ".." in rest.split("/"):
        raise UserError(f"volume mount point {rest!r} must not contain '..'")
    path = volume_path(volume)
    if not path.is_file():
        hint = f"; create it with `unibuild volume create {volume}`" if path != Path(volume) else ""
        raise UserError(f"volume {volume} not found ({path}){hint}")
    return VolumeMount(path, rest.rstrip("/"), read_only)


def create_volume(spec: str, size: int = DEFAULT_SIZE, from_dir: Path | None = None) -> Path:
    """A new volume of `size` bytes (sparse), holding from_dir's tree if given."""
    path = volume_path(spec)
    if path.exists():
        raise UserError(f"volume {path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    root = Dir(meta=Meta(mode=0o755))
    if from_dir is not None:
        from ..image.manifest import Manifest, Placement, _place_dir
        m = Manifest(program="/", keep_mtime=True)
        _place_dir(root, Placement(Path(from_dir), "/"), m)
    stats = write_image(path, root, None, min_size=size, writable=True)
    if stats.image_size > size:
        path.unlink()
        raise UserError(f"{from_dir} needs {stats.image_size} bytes; give a larger --size")
    return path


@dataclass
class CheckReport:
    path: Path
    version: str
    size: int
    block_size: int
    files: int
    dirs: int
    used_blocks: int
    free_blocks: int
    log_bytes: int
    last_commit: int
    tail: str | None


def check_volume(path: Path) -> CheckReport:
    """Everything the reader checks (header, log, tree), plus what only a whole-volume view
    shows: no block is claimed twice (by two files, or a file and the log)."""
    with Image(path) as img:
        bs = img.header.block_size
        owner: dict[int, str] = {0: "the header"}
        for s, n in img.segments:
            for b in range(s, s + n):
                owner[b] = f"the log segment at block {s}"
        files = dirs = 0
        for node in img.nodes.values():
            if node.kind == "dir":
                dirs += 1
            if node.kind != "file":
                continue
            files += 1
            for e in node.extents:
                for b in range(e.block, e.block + -(-e.length // bs)):
                    if b in owner:
                        raise UserError(f"{path}: corrupt volume: block {b} belongs to tuple {node.id} "
                                        f"and to {owner[b]}")
                    owner[b] = f"tuple {node.id}"
        blocks = img.header.image_size // bs
        log_bytes = sum(n for _, n in img.segments) * bs
        return CheckReport(path, f"{img.header.version[0]}.{img.header.version[1]}", img.header.image_size, bs,
                           files, dirs, len(owner), blocks - len(owner), log_bytes, img.last_seq, img.tail)


@contextmanager
def _open_tfs(path: Path):
    """The TFS image in `path`: the file itself, or a raw disk's TFS partition (unibuild/disk);
    None for a qcow2 disk, which only qemu-img reads."""
    from ..disk.disk import is_qcow2, open_disk
    if is_qcow2(path):
        yield None
        return
    disk = open_disk(path)
    with Image(path, **({"offset": disk.tfs_offset, "size": disk.tfs_size} if disk else {})) as img:
        yield img


@contextmanager
def locked(mounts: tuple[VolumeMount, ...]):
    """Hold an exclusive flock (shared for :ro) on every volume for as long as the guest runs."""
    with ExitStack() as stack:
        for m in mounts:
            try:
                f = stack.enter_context(open(m.path, "rb" if m.read_only else "r+b"))
            except OSError as e:
                raise UserError(f"cannot open volume {m.path}: {e.strerror}") from None
            try:
                fcntl.flock(f.fileno(), (fcntl.LOCK_SH if m.read_only else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UserError(f"volume {m.path} is in use by another guest; stop it first "
                                f"(or mount it :ro in both)") from None
            with _open_tfs(m.path) as img:
                if img is None:
                    continue        # a qcow2 disk: `boot` read its image through qemu-img already
                if not img.header.writable and not m.read_only:
                    raise UserError(f"{m.path} is a read-only TFS {img.header.version[0]}.x image, not a "
                                    f"volume; mount it with :ro")
                if img.header.block_size != fmt.DEFAULT_BLOCK_SIZE:
                    raise UserError(f"volume {m.path} has {img.header.block_size}-byte blocks; the kernel "
                                    f"writes {fmt.DEFAULT_BLOCK_SIZE}-byte blocks only")
        yield
