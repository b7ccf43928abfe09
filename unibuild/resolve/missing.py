"""`unibuild run --missing-files`: what the program looked for and did not find, and how to add
it. The kernel (option missing_files, kernel/trace/missing.c) lists at exit every path an open,
stat, access, readlink or exec met with ENOENT, as `missing-file: "PATH"` lines quoted the way
strace quotes strings. Each path is then looked up in the target root: the file there that would
have satisfied it (the path itself, or for a shared library the same name in the root's library
directories, where ld.so would have found it with a different search path), the Debian package
that installed it (the root's dpkg lists), and the -f to add. A program an execve/execveat did not
find comes as `missing-exec: "PATH"` instead, and its remedy is `--with PATH` (which brings its
libraries too)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from ..targetroot.dpkgdb import NoDpkgData, read_file_list, read_installed
from ..targetroot.rootfs import RootFS

_LINE = re.compile(r'^missing-(file|exec): (".*")\s*$')
LIBRARY_DIRS = ("/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib", "/usr/lib")


def missing_paths(console: str, kinds=("file", "exec")) -> list[str]:
    """The paths of the kernel's `missing-file:` (and `missing-exec:`) lines, in order (bytes
    that are not UTF-8 come back as surrogate escapes, as os.fsdecode gives them)."""
    out = []
    for line in console.splitlines():
        m = _LINE.match(line)
        if m and m.group(1) in kinds:
            try:
                raw = ast.literal_eval("b" + m.group(2))
            except (SyntaxError, ValueError):
                continue
            out.append(raw.decode("utf-8", "surrogateescape"))
    return out


@dataclass(frozen=True)
class Remedy:
    asked: str                 # the path, or for a library the name ld.so searched for
    tries: int                 # how many paths it was looked for at
    found: str | None          # the guest path in the target root that would satisfy it
    package: str | None        # the package that installed `found`, when the root says
    program: bool = False      # an exec wanted it: the remedy is --with

    def describe(self, root: Path) -> str:
        what = f"{self.asked} (looked for in {self.tries} places)" if self.tries > 1 else self.asked
        if self.found is None:
            return f"{what}: not in the target root either"
        owner = f" (package {self.package})" if self.package else ""
        place = self.found if self.tries > 1 else self.asked
        if self.program:
            return f"{what} (a program to run): {self.found} is in the target root{owner}; add --with {self.asked}"
        return f"{what}: {self.found} is in the target root{owner}; add -f {root.resolve()}{self.found}:{place}"


def _owners(root: Path, wanted: set[str]) -> dict[str, str]:
    """Package by path for the wanted guest paths (/usr-merged spellings count as the same)."""
    def spellings(p: str) -> set[str]:
        alt = {p}
        for a, b in (("/usr/lib/", "/lib/"), ("/usr/bin/", "/bin/"), ("/usr/sbin/", "/sbin/")):
            if p.startswith(a):
                alt.add(b + p[len(a):])
            elif p.startswith(b):
                alt.add(a + p[len(b):])
        return alt
    lookup = {s: p for p in wanted for s in spellings(p)}
    try:
        installed = read_installed(root)
    except NoDpkgData:
        return {}
    owners: dict[str, str] = {}
    for package in installed.values():
        for listed in read_file_list(root, package):
            if listed in lookup:
                owners.setdefault(lookup[listed], package.name)
    return owners


def _is_library_probe(path: str) -> bool:
    directory, _, name = path.rpartition("/")
    return ".so" in name and any(directory == d or directory.startswith(d + "/") for d in LIBRARY_DIRS)


def group(paths: list[str]) -> list[tuple[str, list[str]]]:
    """(what was asked for, the paths tried), in first-asked order: ld.so's search for one
    library (every directory of its path, with its hardware-capability subdirectories, and the
    stat of each directory) is one entry named by the library."""
    libraries: dict[str, list[str]] = {}
    entries: list[tuple[str, list[str]]] = []
    for path in paths:
        if _is_library_probe(path):
            name = path.rpartition("/")[2]
            if name not in libraries:
                libraries[name] = []
                entries.append((name, libraries[name]))
            libraries[name].append(path)
    probed_dirs = {p.rpartition("/")[0] for tries in libraries.values() for p in tries}
    probed_dirs |= {d.rpartition("/")[0] for d in probed_dirs}
    out = []
    for path in paths:
        if _is_library_probe(path):
            name = path.rpartition("/")[2]
            if libraries[name][0] == path:
                out.append((name, libraries[name]))
        elif path not in probed_dirs:
            out.append((path, [path]))
    return out


def remedies(paths: list[str], root: Path, programs: frozenset[str] = frozenset()) -> list[Remedy]:
    fs = RootFS(root)
    found: list[tuple[str, list[str], str | None]] = []
    for asked, tries in group(paths):
        hit = None
        if len(tries) > 1 or _is_library_probe(tries[0]):
            hit = next((h for d in LIBRARY_DIRS if (h := fs.is_file(f"{d}/{asked.rpartition('/')[2]}"))), None)
        else:
            hit = fs.is_file(asked)
        found.append((asked, tries, hit.path if hit else None))
    owners = _owners(root, {f for _, _, f in found if f})
    return [Remedy(asked, len(tries), f, owners.get(f) if f else None, asked in programs)
            for asked, tries, f in found]


def report(console: str, root: Path | None) -> list[str]:
    """The lines unibuild prints after the run (none when nothing was missing)."""
    paths = missing_paths(console)
    if not paths:
        return []
    lines = ["unibuild: what the program looked for and did not find:"]
    if root is None:
        return lines + [f"  {asked}" for asked, _ in group(paths)]
    programs = frozenset(missing_paths(console, kinds=("exec",)))
    return lines + ["  " + r.describe(root) for r in remedies(paths, root, programs)]
