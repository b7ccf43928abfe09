"""Python bytecode for a CPython standard library, compiled when the image is built.

Debian ships /usr/lib/python3.X without .pyc files (its postinst compiles them, and we run no
maintainer scripts), so python3 in the guest would compile every module it imports on every
start: slow under TCG, and lost each time, since the guest's writes live in memory. When the
host Python that runs unibuild is the same CPython version (same bytecode magic number), it
compiles them here instead, as the __pycache__ files the guest's import system looks for
(kept in build/cache/pyc between builds; never written into the target root).

The pycs are hash-based and unchecked (PEP 552; what reproducible Debian builds use): the
image sets every mtime to 0, so a timestamp-based pyc would not match its source's mtime,
and an image's sources never change, so there is nothing for Python to check."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import posixpath
import py_compile
import re
import sys
import warnings
from pathlib import Path

from ..paths import BUILD_DIR
from ..targetroot.rootfs import Lookup, RootFS
from .manifest import Placement

STDLIB_DIR = re.compile(r"^/usr/lib/python(3)\.(\d+)/")
# The one line that defines the magic number in importlib/_bootstrap_external.py, as written
# since CPython 3.5; any other spelling leaves the version check alone to decide.
MAGIC_LINE = re.compile(r"^MAGIC_NUMBER = \((\d+)\)\.to_bytes\(2, 'little'\) \+ b'\\r\\n'$", re.M)


def stdlib_version(path: str) -> tuple[int, int] | None:
    """(3, 11) for a path under /usr/lib/python3.11/, else None."""
    m = STDLIB_DIR.match(path)
    return (int(m.group(1)), int(m.group(2))) if m else None


def target_magic(fs: RootFS, version: tuple[int, int]) -> bytes | None:
    """The target's bytecode magic number, read from its importlib source; None if unknown."""
    source = fs.read_text(f"/usr/lib/python{version[0]}.{version[1]}/importlib/_bootstrap_external.py")
    m = MAGIC_LINE.search(source or "")
    return int(m.group(1)).to_bytes(2, "little") + b"\r\n" if m else None


def host_compiles_for(fs: RootFS, version: tuple[int, int]) -> bool:
    """Whether this interpreter writes bytecode the target's interpreter accepts."""
    if sys.implementation.name != "cpython" or tuple(sys.version_info[:2]) != version:
        return False
    magic = target_magic(fs, version)
    return magic is None or magic == importlib.util.MAGIC_NUMBER


def cache_path(source: str, version: tuple[int, int]) -> str:
    """/usr/lib/python3.11/json/__init__.py -> .../json/__pycache__/__init__.cpython-311.pyc.
    Spelled out rather than importlib.util.cache_from_source: that one follows the host's
    -O flag and PYTHONPYCACHEPREFIX, neither of which the guest has."""
    parent, name = posixpath.split(source)
    return f"{parent}/__pycache__/{name[:-3]}.cpython-{version[0]}{version[1]}.pyc"


def compile_stdlib(root: Path, placed: list[str], in_image: set[str], scratch: Path) -> list[Placement]:
    """Pycs for the .py files among `placed` (guest paths, symlinks included) under a
    /usr/lib/python3.X/ this interpreter can compile for; a pyc path already `in_image` (the
    user's own) is left alone. Nothing at all on a version mismatch. The pycs come from the
    cache (PYC_CACHE), or from `scratch` where the cache cannot be written."""
    fs = RootFS(root)
    ours = set(placed)
    usable: dict[tuple[int, int], bool] = {}
    store = _store(scratch)
    placements = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # SyntaxWarnings of the sources are the guest's business
        for path in placed:
            version = stdlib_version(path)
            if version is None or not path.endswith(".py") or "/__pycache__/" in path:
                continue
            if version not in usable:
                usable[version] = host_compiles_for(fs, version)
            pyc = cache_path(path, version)
            found = fs.is_file(path)   # a symlinked module is compiled from its target's text
            if not usable[version] or pyc in in_image or found is None or not _from_root(found, ours):
                continue
            host = _compiled(found.host_path, path, store)
            if host is not None:
                placements.append(Placement(host, pyc))
    return placements


def _from_root(found: Lookup, placed: set[str]) -> bool:
    """Whether the image holds the root's own file at the end of every link followed: the
    user's file in its place (-f) would be newer text than an unchecked pyc of the root's."""
    return found.real_path in placed and all(link.path in placed for link in found.symlinks)


# Compiling a standard library takes longer (1.8 s for python3.11's 544 modules) than the
# guest saves on a run, so pycs are kept between builds, named by what determines their
# bytes: the magic number, the guest path (the code objects' file name) and the source.
PYC_CACHE = BUILD_DIR / "cache" / "pyc"


def _store(scratch: Path) -> Path:
    try:
        PYC_CACHE.mkdir(parents=True, exist_ok=True)
        return PYC_CACHE if os.access(PYC_CACHE, os.W_OK) else scratch
    except OSError:
        return scratch


def _compiled(source: Path, guest_path: str, store: Path) -> Path | None:
    """The pyc of `source` in `store`, compiled unless already there; None for a file that
    does not compile here (another version's syntax, test data): the guest compiles it if ever."""
    try:
        text = source.read_bytes()
    except OSError:
        return None
    key = hashlib.sha256(importlib.util.MAGIC_NUMBER + guest_path.encode() + b"\0" + text).hexdigest()
    pyc = store / f"{key[:40]}.pyc"
    if pyc.is_file():
        return pyc
    partial = store / f"{key[:40]}.{os.getpid()}.tmp"   # builds running at once never share one
    try:
        py_compile.compile(str(source), cfile=str(partial), dfile=guest_path, doraise=True, optimize=0,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        os.replace(partial, pyc)
    except (py_compile.PyCompileError, OSError, ValueError):
        partial.unlink(missing_ok=True)
        return None
    return pyc
