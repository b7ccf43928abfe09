"""The files a program's packages put into the root, as image files at their own paths.

What `apt install` put next to a binary and the program reads at run time: Python's
standard library, nginx's /etc/nginx, mime.types. The packages come from `package_selection`; each
recorded path is followed inside the root as the ELF resolver follows a library (every
symlink met goes into the image too). Left out: what is for people and package tools, not
for the program (documentation, manuals, message catalogs, ...).

Libraries a package's ELF files need (dlopen'ed extension modules such as Python's _ssl)
are completed from the ld.so default directories, where the guest's ld.so looks for a name
its cache does not hold: so leaving the C runtime packages out loses nothing that is used."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from ..elf import ELF_MAGIC, read_elf
from ..errors import UserError
from ..targetroot.dpkgdb import NoDpkgData, read_file_list, read_installed
from ..targetroot.rootfs import Lookup, RootFS
from .interpreter_dirs import interpreter_library_dirs
from .package_selection import owners_of, select
from .resolver import ImageFile
from .search import fallback_dirs

# Trees no program reads at run time: for people (documentation, manuals, info), for package
# tools (lintian overrides, doc-base, reportbug hooks), for desktops and debuggers.
NOT_RUNTIME = ("/usr/share/doc", "/usr/share/man", "/usr/share/info", "/usr/share/lintian",
               "/usr/share/doc-base", "/usr/share/bug", "/usr/share/menu", "/usr/share/applications",
               "/usr/share/pixmaps", "/usr/share/gdb")


@dataclass
class PackageFiles:
    """What a program's packages add to its image; `note` says why nothing when nothing."""

    packages: tuple[str, ...] = ()
    files: list[ImageFile] = field(default_factory=list)
    empty_dirs: list[str] = field(default_factory=list)   # listed directories nothing else creates
    note: str = ""


def is_runtime_path(path: str) -> bool:
    if any(path == top or path.startswith(top + "/") for top in NOT_RUNTIME):
        return False
    # Message catalogs (gettext): /usr/share/locale/de/LC_MESSAGES/tar.mo.
    return not ("/locale/" in path and path.endswith(".mo"))


class _Paths:
    """Guest paths of the root with their directories' symlinks resolved (cached per directory):
    a merged-/usr root reaches /bin/bash, which bash's list records, as /usr/bin/bash."""

    def __init__(self, fs: RootFS):
        self.fs = fs
        self.dirs: dict[str, str] = {}

    def canonical(self, path: str) -> str:
        parent, name = posixpath.split(path)
        if parent not in self.dirs:
            found = self.fs.lookup(parent)
            self.dirs[parent] = found.real_path if found is not None else parent
        return posixpath.join(self.dirs[parent], name)


def program_package_files(root: Path, program: str, in_image: set[str]) -> PackageFiles:
    """The package files for PROGRAM (a guest path inside `root`), minus paths `in_image`, and
    for an interpreter its library directories whatever installed them (interpreter_dirs.py).

    A root without dpkg data, or a program no package owns, gives no package (with a note)."""
    fs = RootFS(root)
    paths = _Paths(fs)
    out = PackageFiles()
    seen = set(in_image)
    dirs = []
    try:
        installed = read_installed(fs.root)
    except NoDpkgData as e:
        installed, out.note = {}, str(e)
    if installed:
        wanted = {paths.canonical(p) for p in _program_paths(fs, program)}
        lists = {name: read_file_list(fs.root, pkg) for name, pkg in installed.items()}
        canonical = {name: {paths.canonical(p) for p in listed} for name, listed in lists.items()}
        owners = owners_of(wanted, canonical)
        if owners:
            out.packages = select(owners, installed)
        else:
            out.note = f"no package in {fs.root} owns {program}"
        for name in out.packages:
            for path in lists[name]:
                if is_runtime_path(path) and is_runtime_path(paths.canonical(path)):
                    dirs += _add_path(fs, paths, path, out.files, seen)
    for top in interpreter_library_dirs(fs, program):
        dirs += _add_tree(fs, paths, top, out.files, seen)
    out.files += _needed_libraries(fs, paths, out.files, seen)
    out.empty_dirs = sorted(set(dirs) - seen)
    return out


def _add_tree(fs: RootFS, paths: _Paths, top: str, files: list[ImageFile], seen: set[str]) -> list[str]:
    """Every file and symlink under directory `top` of the root (its bytecode caches left to
    pycompile, which writes the guest's own); returns its empty directories."""
    found = fs.lookup(top)
    if found is None:
        return []
    for link in found.symlinks:
        _add(files, seen, ImageFile(link.path, symlink=link.target))
    empty = []
    for parent, dirnames, filenames in os.walk(found.host_path):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        rel = os.path.relpath(parent, found.host_path)
        base = found.real_path if rel == "." else f"{found.real_path}/{rel}"
        for name in sorted(filenames) + [d for d in dirnames if os.path.islink(os.path.join(parent, d))]:
            if is_runtime_path(f"{base}/{name}"):
                empty += _add_path(fs, paths, f"{base}/{name}", files, seen)
        if not dirnames and not filenames:
            empty.append(base)
    return empty


def _program_paths(fs: RootFS, program: str) -> set[str]:
    """The program's path, the symlinks that lead to it and its file: a package owning any
    of them installed the program. Directory links met on the way (/bin -> usr/bin) are
    left out: every package with a file under /bin records /bin itself."""
    found = fs.lookup(program)
    if found is None:
        return {program}
    links = {l.path for l in found.symlinks if not fs.is_dir(l.path)}
    return {program, found.real_path} | links


def _add(files: list[ImageFile], seen: set[str], f: ImageFile) -> None:
    if f.path not in seen:
        seen.add(f.path)
        files.append(f)


def _add_lookup(found: Lookup, files: list[ImageFile], seen: set[str]) -> None:
    for link in found.symlinks:
        _add(files, seen, ImageFile(link.path, symlink=link.target))
    if found.host_path.is_file():
        _add(files, seen, ImageFile(found.real_path, host_path=found.host_path))


def _add_path(fs: RootFS, paths: _Paths, path: str, files: list[ImageFile], seen: set[str]) -> list[str]:
    """Add one recorded path; return its real path when it is a directory the package ships
    empty (nginx's /etc/nginx/conf.d), which no file placed under it would create."""
    found = fs.lookup(path)
    if found is None:
        # A symlink whose target is missing (in a package not installed): the link alone.
        link = paths.canonical(path)
        host = fs.host(link)
        if host.is_symlink():
            parent = fs.lookup(posixpath.dirname(path))
            if parent is not None:
                for l in parent.symlinks:
                    _add(files, seen, ImageFile(l.path, symlink=l.target))
            _add(files, seen, ImageFile(link, symlink=os.readlink(host)))
        return []
    _add_lookup(found, files, seen)
    if found.host_path.is_dir() and not any(found.host_path.iterdir()):
        return [found.real_path]
    return []


def _needed_libraries(fs: RootFS, paths: _Paths, files: list[ImageFile], seen: set[str]) -> list[ImageFile]:
    """Libraries the package ELF files need that the image does not hold where ld.so looks
    for a name its cache lacks: the object's RUNPATH/RPATH, then the default directories."""
    out: list[ImageFile] = []
    queue = [f for f in files if f.host_path is not None]
    while queue:
        f = queue.pop(0)
        info = _elf_info(f.host_path)
        if info is None:
            continue
        dirs = fallback_dirs(info.runpath, info.rpath, f.path)
        for name in info.needed:
            if "/" in name or any(paths.canonical(f"{d}/{name}") in seen for d in dirs):
                continue
            for d in dirs:
                found = fs.is_file(f"{d}/{name}")
                if found is not None:
                    before = len(out)
                    _add_lookup(found, out, seen)
                    queue += [g for g in out[before:] if g.host_path is not None]
                    break
    return out


def _elf_info(host_path: Path):
    """The dynamic section of an ELF file; None for anything else. A foreign ELF is left for
    check_elf_files, which names it in its error."""
    try:
        with open(host_path, "rb") as f:
            if f.read(4) != ELF_MAGIC:
                return None
        return read_elf(host_path)
    except (OSError, UserError):
        return None
