"""Several programs in one image: PROGRAM, the ones named by --with (what PROGRAM may exec),
a `#!` script's interpreter, and busybox's applet links.

Each program is resolved as image/program.py resolves PROGRAM (libraries, with extras its
packages' files); they share one /etc/ld.so.cache holding every program's entries (a name the
cache maps is found through the same ld.so.conf directories whichever program asks, so the
entries never disagree).

A script as PROGRAM (or --with) boots as Linux would exec it: image/script.py places it and
finds its interpreter, which is added here like a --with program.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import UserError
from ..resolve.ldcache import build as build_ld_cache
from ..targetroot.rootfs import RootFS
from . import busybox
from .manifest import Manifest, Placement
from .program import LD_SO_CACHE, PreparedProgram, add_program
from .script import ScriptStart, add_script, program_file, root_fs, script_head


@dataclass(frozen=True)
class Programs:
    """What add_programs put in: PROGRAM's own facts, the --with programs' guest paths, and the
    script start when PROGRAM is a script."""

    main: PreparedProgram
    others: tuple[str, ...]
    script: ScriptStart | None = None


def add_programs(manifest: Manifest, program: str | None, with_programs=(), *, target_root=None,
                 extras: bool = True, scratch: Path | None = None) -> Programs | None:
    """PROGRAM (an ELF or a `#!` script) and every --with program into `manifest`; with
    PROGRAM None (placed by hand), only the --with programs (and the result is None)."""
    entries: list = []
    dynamic = [False]   # some program has a PT_INTERP: the image needs the ld.so.cache
    checked: set[Path] = set()
    others = []

    def add(spec: str) -> PreparedProgram:
        src, _, dst = spec.partition(":") if not Path(spec).exists() else (spec, "", "")
        prepared = add_program(manifest, src, target_root=target_root, extras=extras, scratch=scratch,
                               guest_path=dst or None, cache_entries=entries)
        checked.update(prepared.checked)
        if prepared.resolution is not None and prepared.resolution.interpreter is not None:
            dynamic[0] = True
        _add_applet_links(manifest, prepared, target_root)
        return prepared

    for spec in with_programs:
        try:
            if script_head(spec, target_root) is not None:   # the script and what runs it
                started = add_script(manifest, spec, [], target_root, add)
                add_or_present(manifest, started.interpreter, add)
                others.append(started.scripts[0])
            else:
                others.append(add(spec).guest_path)
        except UserError as e:
            raise UserError(f"--with {spec}: {e}") from None
    if program is None:
        _write_ld_cache(manifest, entries if dynamic[0] else None, scratch)
        return None
    args = list(manifest.args)
    script = None
    head = script_head(program, target_root)
    if head is not None:
        script = add_script(manifest, program, args, target_root, add)
        main = replace(add_or_present(manifest, script.interpreter, add), guest_path=script.interpreter)
        manifest.args = list(script.argv[1:])
    else:
        main = add(program)
    manifest.program = main.guest_path if script is None else script.argv[0]
    _write_ld_cache(manifest, entries if dynamic[0] else None, scratch)
    return Programs(replace(main, checked=frozenset(checked)), tuple(others), script)


def _write_ld_cache(manifest: Manifest, entries: list | None, scratch: Path | None) -> None:
    """One /etc/ld.so.cache for every dynamic program (the first entry for a name wins: they
    agree); `entries` None: every program is static, nothing reads a cache."""
    if entries is None:
        return
    unique = {}
    for entry in entries:
        unique.setdefault(entry.name, entry)
    if scratch is None:
        raise ValueError("dynamic programs need a scratch directory for their ld.so.cache")
    cache = Path(scratch) / "ld.so.cache"
    cache.write_bytes(build_ld_cache(list(unique.values())))
    manifest.files.append(Placement(cache, LD_SO_CACHE))


def add_or_present(manifest: Manifest, path: str, add) -> PreparedProgram:
    """The interpreter at `path`: already in the image (nothing to add), or from the root."""
    if manifest.host_file_at(path) is not None:
        return PreparedProgram(path, None)
    return add(path)


def _add_applet_links(manifest: Manifest, prepared: PreparedProgram, target_root) -> None:
    """A busybox (by its file's name: `--with /bin/sh` where /bin/sh links to busybox counts)
    brings its applet links, where the image has nothing yet: the root's own links to it when
    there are any, else the ones its applet tables name."""
    src = manifest.host_file_at(prepared.guest_path)
    if src is None or not (busybox.is_busybox(prepared.guest_path) or busybox.is_busybox(src.name)):
        return
    fs = root_fs(target_root)
    real = fs.lookup(prepared.guest_path) if fs is not None else None
    links = busybox.root_links(fs, real.real_path) if real is not None else {}
    if not links:
        links = busybox.applet_links(src.read_bytes(), prepared.guest_path)
    for path, target in links.items():
        path = _real_parent(manifest, fs, path)
        if path is not None and manifest.host_file_at(path) is None and path not in manifest.symlinks:
            manifest.symlinks[path] = target


def _real_parent(manifest: Manifest, fs: RootFS | None, path: str) -> str | None:
    """`path` with its directory as the root has it (a usrmerged root's /bin is a link to
    usr/bin: the link goes into /usr/bin, and /bin's link into the image)."""
    parent, name = posixpath.split(path)
    found = fs.lookup(parent) if fs is not None else None
    if found is None:
        return path
    if not found.host_path.is_dir():
        return None
    for link in found.symlinks:
        manifest.symlinks.setdefault(link.path, link.target)
    return posixpath.join(found.real_path, name)


def provided_by(with_programs, root: Path) -> dict[str, str]:
    """For `unibuild ldd`: guest path -> what the --with programs put there (a busybox's
    applet links point at it)."""
    fs = RootFS(root)
    out = {}
    for spec in with_programs:
        out[spec] = spec
        src = program_file(spec, fs)
        if busybox.is_busybox(spec) and src is not None:
            found = fs.lookup(spec)
            links = busybox.root_links(fs, found.real_path) if found is not None else {}
            out.update(links or busybox.applet_links(src.read_bytes(), spec))
    return out


__all__ = ["Programs", "ScriptStart", "add_programs", "provided_by"]
