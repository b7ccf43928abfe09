"""Putting a program into an image manifest: the ELF check, ld.so-exact dependency resolution
against the target root, and the /etc/ld.so.cache that makes the guest's ld.so find exactly
what was resolved. With extras, a program from the root also gets the files its Debian
packages installed (Python's standard library, nginx's /etc/nginx): see
unibuild.resolve.package_files; a CPython standard library among them also gets its bytecode:
see unibuild.image.pycompile.

A static program needs no target root; a dynamic one always resolves inside one. Each ELF is
parsed once: `add_program` returns what it read (a PreparedProgram), and `check_elf_files`
skips the files it names as already checked."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..elf import ElfInfo, read_elf
from ..errors import UserError
from ..resolve import PackageFiles, Resolution, program_package_files, resolve
from ..targetroot.location import find_root
from ..targetroot.rootfs import RootFS
from .manifest import Manifest, Placement
from .pycompile import compile_stdlib

LD_SO_CACHE = "/etc/ld.so.cache"


@dataclass(frozen=True)
class PreparedProgram:
    """What `add_program` found: the program's own ELF facts, its resolution (None for a static
    host program) and package files, and every host file whose ELF header it already checked."""

    guest_path: str
    elf: ElfInfo | None          # None only for a program given as a path inside the root
    resolution: Resolution | None = None
    package_files: PackageFiles | None = None
    checked: frozenset[Path] = frozenset()


def add_program(manifest: Manifest, program: str, *, target_root: str | Path | None = None,
                extras: bool = True, scratch: Path | None = None, guest_path: str | None = None,
                cache_entries: list | None = None) -> PreparedProgram:
    """Fill `manifest` with PROGRAM and everything it needs at run time.

    A program from outside the root goes to `guest_path`, by default /<basename>; one inside the
    root keeps its path, and with `extras` also brings its packages' files (in the result, to
    say what was added). `scratch` is a directory for generated files (the ld.so.cache); it must
    outlive the build. With `cache_entries`, the ld.so.cache entries are added to that list
    instead (programs sharing one image share one cache: image/programs.py writes it)."""
    if Path(program).is_dir():
        raise UserError(f"program {program} is a directory; PROGRAM must be an executable file")
    host = Path(program) if Path(program).is_file() else None
    if host is not None and program.startswith("/") and _in_root(program, target_root):
        host = None   # an absolute path the target root has: the root's file, as ldd would
    info = None
    if host is not None:
        try:
            info = read_elf(host, program)   # aarch64 or a clear error, before anything else
        except UserError as e:
            if program.startswith("/") and not _is_aarch64_elf(host):
                _absent_from_root(program, target_root, e)
            raise
        if info.interpreter is None:
            manifest.program = guest_path or "/" + host.name
            manifest.files.append(Placement(host, manifest.program))
            return PreparedProgram(manifest.program, info, checked=frozenset({host.resolve()}))
    if host is None:
        if not program.startswith("/"):
            raise UserError(f"program {program} not found (a relative PROGRAM must be a file on this host)")
        try:
            root = find_root(target_root)
        except UserError as e:
            raise UserError(f"program {program} is not a file on this host, and it cannot be looked up "
                            f"in a target root: {e}") from e
    else:
        root = find_root(target_root)
    resolution = resolve(root, program, ld_library_path=manifest.env.get("LD_LIBRARY_PATH"),
                         extras=extras, program_elf=info, guest_path=guest_path if host is not None else None)
    manifest.program = resolution.program
    # A path placed already keeps its file: the user's own -f (an /etc/passwd naming the user a
    # server runs as) or the same library an earlier --with program brought.
    placed = {p.dst for p in manifest.files}
    for f in resolution.files:
        if f.symlink is not None:
            manifest.symlinks[f.path] = f.symlink
        elif f.host_path is not None and f.path not in placed:
            manifest.files.append(Placement(f.host_path, f.path))
    if resolution.interpreter is not None and cache_entries is not None:
        cache_entries.extend(resolution.cache_entries)
    elif resolution.interpreter is not None:
        if scratch is None:
            raise ValueError("a dynamic program needs a scratch directory for its ld.so.cache")
        cache = scratch / "ld.so.cache"
        cache.write_bytes(resolution.ld_so_cache)
        manifest.files.append(Placement(cache, LD_SO_CACHE))
    found = None
    if extras and (host is None or _inside(host, root)):
        found = _add_package_files(manifest, root, resolution.program, scratch)
    checked = frozenset(Path(obj.host_path).resolve() for obj in resolution.objects)
    return PreparedProgram(resolution.program, resolution.objects[0].info, resolution, found, checked)


def _is_aarch64_elf(path: Path) -> bool:
    """The file says it is a 64-bit little-endian aarch64 ELF (a broken one keeps its own error)."""
    try:
        with open(path, "rb") as f:
            head = f.read(20)
    except OSError:
        return False
    return len(head) == 20 and head[:4] == b"\x7fELF" and head[4:6] == b"\x02\x01" and head[18:20] == b"\xb7\x00"


def _absent_from_root(program: str, target_root, why: UserError) -> None:
    """An absolute PROGRAM the target root lacks, where the host's file of that name is no
    aarch64 program (the host's own /usr/bin/python3): what the user meant is the root's, so
    say that it is missing there and how to add it, instead of the host file's architecture."""
    try:
        root = find_root(target_root)
    except UserError:
        return   # no usable root: the host file's own error says enough
    guess = PurePosixPath(program).name
    machine = re.search(r"built for (\S+)", str(why))
    kind = f"an {machine.group(1)} program" if machine else "no aarch64 program"
    raise UserError(f"the target root {root} has no {program} (the host's is {kind}, not aarch64); "
                    f"add the Debian package that has it, e.g. `unibuild target-root add {guess}` "
                    f"(or `target-root create --package {guess}`)") from why


def _inside(host: Path, root: Path) -> bool:
    return host.resolve().is_relative_to(Path(root).resolve())


def _add_package_files(manifest: Manifest, root: Path, program: str, scratch: Path | None) -> PackageFiles:
    """The files PROGRAM's packages installed, where the manifest has nothing yet: the user's
    own -f/--dir files win over a package's."""
    found = program_package_files(root, program, _image_paths(manifest))
    for f in found.files:
        if f.symlink is not None:
            manifest.symlinks[f.path] = f.symlink
        elif f.host_path is not None:
            manifest.files.append(Placement(f.host_path, f.path))
    if found.empty_dirs and scratch is not None:
        empty = scratch / "empty-dir"
        empty.mkdir(mode=0o755, exist_ok=True)
        empty.chmod(0o755)   # whatever the umask: it gives every such directory its mode
        manifest.dirs += [Placement(empty, d) for d in found.empty_dirs]
    if scratch is not None:
        placed = [f.path for f in found.files]
        manifest.files += compile_stdlib(root, placed, _image_paths(manifest), scratch)
    return found


def _image_paths(manifest: Manifest) -> set[str]:
    paths = {p.dst for p in manifest.files} | set(manifest.symlinks)
    for placement in manifest.dirs:
        top = placement.dst.rstrip("/")
        for parent, dirnames, filenames in os.walk(placement.src):
            rel = os.path.relpath(parent, placement.src)
            base = top if rel == "." else f"{top}/{rel}"
            paths.update(f"{base}/{name}" for name in dirnames + filenames)
    return paths


def _in_root(path: str, target_root: str | Path | None) -> bool:
    try:
        root = find_root(target_root)
    except UserError:
        return False
    return RootFS(root).is_file(path) is not None


def _elf_files(manifest: Manifest):
    for placement in manifest.files:
        yield placement.src, placement.dst
    for placement in manifest.dirs:
        if placement.src.is_dir():
            for path in sorted(placement.src.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    yield path, placement.dst.rstrip("/") + "/" + str(path.relative_to(placement.src))


def check_elf_files(manifest: Manifest, checked: frozenset[Path] = frozenset()) -> None:
    """Every ELF headed for the image must be aarch64: a foreign one is a clear error naming it,
    never a silent copy (a host x86-64 binary would only fail later, inside the guest).
    Files in `checked` (resolved host paths whose ELF was already read) are not read again."""
    for src, dst in _elf_files(manifest):
        if checked and Path(src).resolve() in checked:
            continue
        try:
            with open(src, "rb") as f:
                magic = f.read(4)
        except OSError:
            continue   # the image writer reports unreadable files itself
        if magic == b"\x7fELF":
            read_elf(src, f"{src} (for {dst})")
