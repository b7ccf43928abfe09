"""Building an image from a manifest: host files and directories placed at image paths,
plus the boot configuration (program, arguments, environment, kernel options).

The Manifest is a plain dataclass other stages fill in (the dependency resolver adds
libraries to `files`); build_image() turns it into a tfs tree and hands it to the writer.
Placement rules, in manifest order: directories merge; a later file or symlink replaces
an earlier one at the same path (like cp); a file where a directory is (or the reverse)
is an error.
"""

import os
import posixpath
import stat
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from ..errors import UserError
from ..tfs import format as fmt
from ..tfs.tree import Boot, Dir, File, Meta, Node, Symlink
from ..tfs.writer import WriteStats, write_image


@dataclass
class Placement:
    """Host path `src` goes to absolute image path `dst`."""

    src: Path
    dst: str


@dataclass
class Manifest:
    program: str                                            # image path of the program
    args: list[str] = field(default_factory=list)           # argv[1:]; argv[0] is `program`
    env: dict[str, str] = field(default_factory=dict)
    files: list[Placement] = field(default_factory=list)
    dirs: list[Placement] = field(default_factory=list)     # contents of src become dst
    symlinks: dict[str, str] = field(default_factory=dict)  # image path -> stored target
    kernel_options: dict[str, int | str] = field(default_factory=dict)
    keep_mtime: bool = False        # default: every mtime is 0, for reproducible images
    keep_owner: bool = False        # default: every uid/gid is 0
    uuid: UUID | None = None        # default: derived from the content
    block_size: int = fmt.DEFAULT_BLOCK_SIZE
    min_size: int = 0               # pad the image (sparsely) to at least this many bytes
    writable: bool = False          # TFS 2.0 (docs/tfs.md section 12): the kernel writes changes back
    built_for: dict[str, str] | None = None   # the kernel it is for (image/built_for.py)

    def host_file_at(self, path: str) -> Path | None:
        """The host file placed at image path `path` (the manifest's symlinks followed, at most
        MAX_SYMLINK_HOPS as the kernel would), if any; directories placed whole are not searched."""
        files = {p.dst: p.src for p in self.files}
        for _ in range(fmt.MAX_SYMLINK_HOPS + 1):
            if path in files:
                return files[path]
            for prefix, target in self.symlinks.items():
                if path == prefix or path.startswith(prefix + "/"):
                    joined = posixpath.join(posixpath.dirname(prefix), target) + path[len(prefix):]
                    path = posixpath.normpath(joined)
                    break
            else:
                return None
        return None


def parse_placement(spec: str, default_parent: str = "/") -> Placement:
    """`SRC[:DST]`; without DST the source keeps its base name under `default_parent`."""
    src, sep, dst = spec.partition(":")
    if not src:
        raise UserError(f"{spec!r} names no source path; use SRC[:DST]")
    if not sep or not dst:
        dst = posixpath.join(default_parent, os.path.basename(os.path.normpath(src)))
    elif dst.endswith("/") and dst != "/":
        dst = posixpath.join(dst, os.path.basename(os.path.normpath(src)))
    return Placement(Path(src), dst)


def parse_kernel_option(spec: str) -> tuple[str, int | str]:
    """`KEY[=VALUE]`: an integer value stays an integer, a bare KEY means 1 (a switch)."""
    key, sep, value = spec.partition("=")
    if not key:
        raise UserError(f"kernel option {spec!r} has no name")
    if not sep:
        return key, 1
    return key, int(value) if value.lstrip("-").isdigit() else value


def build_image(manifest: Manifest, output: Path) -> WriteStats:
    """Write the image described by `manifest` to `output`."""
    root = Dir(meta=Meta(mode=0o755))
    for p in manifest.dirs:
        _place_dir(root, p, manifest)
    for p in manifest.files:
        _place_file(root, p, manifest)
    for dst, target in manifest.symlinks.items():
        _put(root, dst, Symlink(target))
    _add_standard_dirs(root)
    _check_program(root, manifest.program)
    env = []
    for k, v in manifest.env.items():
        if not k or "=" in k:
            raise UserError(f"environment variable name {k!r} must be non-empty and without '='")
        env.append(f"{k}={v}")
    boot = Boot(program=manifest.program, argv=[manifest.program, *manifest.args], env=env,
                kernel=dict(manifest.kernel_options), built_for=manifest.built_for)
    return write_image(Path(output), root, boot, block_size=manifest.block_size,
                       uuid=manifest.uuid, min_size=manifest.min_size, writable=manifest.writable)


# Directories every Linux system has and programs write to without asking (temporary files, pid
# files); the kernel keeps what is written there in memory. Sticky and world-writable as on Linux.
STANDARD_DIRS = {"tmp": 0o1777, "run": 0o755, "var": 0o755, "var/tmp": 0o1777}


def _add_standard_dirs(root: Dir) -> None:
    for path, mode in STANDARD_DIRS.items():
        parent = root
        for part in path.split("/")[:-1]:
            parent = parent.children[part]
            if not isinstance(parent, Dir):
                break   # the user put a file or symlink there: leave it alone
        else:
            name = path.split("/")[-1]
            if name not in parent.children:
                parent.children[name] = Dir(meta=Meta(mode=mode))


def _split(dst: str) -> list[str]:
    if not dst.startswith("/"):
        raise UserError(f"image path {dst!r} must be absolute (start with /)")
    parts = [p for p in dst.split("/") if p and p != "."]
    if ".." in parts:
        raise UserError(f"image path {dst!r} must not contain '..'")
    return parts


def _meta(st: os.stat_result, m: Manifest) -> Meta:
    return Meta(mode=stat.S_IMODE(st.st_mode),
                uid=st.st_uid if m.keep_owner else 0,
                gid=st.st_gid if m.keep_owner else 0,
                mtime_ns=st.st_mtime_ns if m.keep_mtime else 0)


def _lstat(path: Path, follow: bool) -> os.stat_result:
    try:
        return os.stat(path) if follow else os.lstat(path)
    except OSError as e:
        raise UserError(f"cannot use {path}: {e.strerror}") from None


def _parent(root: Dir, parts: list[str], dst: str) -> Dir:
    """The directory that will hold parts[-1], creating missing parents (mode 0755)."""
    d = root
    for i, part in enumerate(parts[:-1]):
        child = d.children.setdefault(part, Dir())
        if not isinstance(child, Dir):
            raise UserError(f"cannot place {dst}: /{'/'.join(parts[:i + 1])} "
                            f"is already a file or symlink in the image")
        d = child
    return d


def _put(root: Dir, dst: str, node: Node) -> None:
    parts = _split(dst)
    if not parts:
        raise UserError(f"cannot place a file at the image root {dst!r}")
    parent = _parent(root, parts, dst)
    if isinstance(parent.children.get(parts[-1]), Dir):
        raise UserError(f"cannot place a file at {dst}: it is already a directory in the image")
    parent.children[parts[-1]] = node


def _place_file(root: Dir, p: Placement, m: Manifest) -> None:
    st = _lstat(p.src, follow=True)
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"{p.src} is not a regular file (use --dir for directories)")
    _put(root, p.dst, File(p.src, _meta(st, m)))
    if m.keep_mtime:
        _keep_parent_mtimes(root, p)


def _keep_parent_mtimes(root: Dir, p: Placement) -> None:
    """With keep_mtime, the directories made for a file take their mtimes from the host
    directories above its source while the names agree (a target root's /usr/lib/... above a
    library), as a docker layer keeps them; one already given an mtime keeps it."""
    parts = _split(p.dst)
    src_dir = Path(p.src).parent
    nodes, d = [], root
    for part in parts[:-1]:
        d = d.children[part]
        nodes.append(d)
    for part, node in zip(reversed(parts[:-1]), reversed(nodes)):
        if src_dir.name != part:
            return
        if isinstance(node, Dir) and node.meta.mtime_ns == 0:
            try:
                node.meta.mtime_ns = os.stat(src_dir).st_mtime_ns
            except OSError:
                return
        src_dir = src_dir.parent


def _place_dir(root: Dir, p: Placement, m: Manifest) -> None:
    st = _lstat(p.src, follow=True)
    if not stat.S_ISDIR(st.st_mode):
        raise UserError(f"{p.src} is not a directory (use --file for files)")
    parts = _split(p.dst)
    if parts:
        parent = _parent(root, parts, p.dst)
        target = parent.children.setdefault(parts[-1], Dir())
        if not isinstance(target, Dir):
            raise UserError(f"cannot place directory {p.src} at {p.dst}: it is already a file in the image")
    else:
        target = root
    target.meta = _meta(st, m)
    _fill(target, p.src, m)


def _fill(d: Dir, src: Path, m: Manifest) -> None:
    """Merge the host directory `src` into `d`, keeping symlinks as symlinks."""
    try:
        entries = list(os.scandir(src))
    except OSError as e:
        raise UserError(f"cannot list {src}: {e.strerror}") from None
    for entry in entries:
        path = Path(entry.path)
        st = _lstat(path, follow=False)
        existing = d.children.get(entry.name)
        if stat.S_ISDIR(st.st_mode):
            if existing is None:
                existing = d.children[entry.name] = Dir()
            elif not isinstance(existing, Dir):
                raise UserError(f"cannot place directory {path}: a file of that name is already in the image")
            existing.meta = _meta(st, m)
            _fill(existing, path, m)
            continue
        if isinstance(existing, Dir):
            raise UserError(f"cannot place {path}: a directory of that name is already in the image")
        if stat.S_ISREG(st.st_mode):
            d.children[entry.name] = File(path, _meta(st, m))
        elif stat.S_ISLNK(st.st_mode):
            try:
                target = os.readlink(path)
            except OSError as e:
                raise UserError(f"cannot read symlink {path}: {e.strerror}") from None
            d.children[entry.name] = Symlink(target, _meta(st, m))
        else:
            raise UserError(f"cannot store {path}: only regular files, directories and symlinks "
                            f"go into an image (remove it or place the tree without it)")


def _check_program(root: Dir, program: str) -> None:
    """The program must resolve, inside the image, to a regular file."""
    path, hops = program, 0
    while True:
        node, parents, parts = root, [], _resolve_parts(path)
        for i, part in enumerate(parts):
            if part == "..":
                node = parents.pop() if parents else root
                continue
            child = node.children.get(part) if isinstance(node, Dir) else None
            if child is None:
                raise UserError(f"the program {program} is not in the image; add it with --file or --dir")
            if isinstance(child, Symlink):
                hops += 1
                if hops > fmt.MAX_SYMLINK_HOPS:
                    raise UserError(f"the program path {program} has too many levels of symlinks")
                here = "/" + "/".join(parts[:i])
                path = posixpath.join(posixpath.join(here, child.target), *parts[i + 1:])
                break
            parents.append(node)
            node = child
        else:
            if not isinstance(node, File):
                raise UserError(f"the program {program} is not a regular file in the image")
            return


def _resolve_parts(path: str) -> list[str]:
    if not path.startswith("/"):
        raise UserError(f"the program path {path!r} must be absolute inside the image")
    return [p for p in path.split("/") if p and p != "."]
