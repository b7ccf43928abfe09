"""Several programs in one image: PROGRAM, the ones named by --with (what PROGRAM may exec),
a `#!` script's interpreter, and busybox's applet links.

Each program is resolved as image/program.py resolves PROGRAM (libraries, with extras its
packages' files); they share one /etc/ld.so.cache holding every program's entries (a name the
cache maps is found through the same ld.so.conf directories whichever program asks, so the
entries never disagree).

A script as PROGRAM boots as Linux would exec it (resolve/shebang.py): the image starts its
interpreter with [interpreter, optional-arg, script-path, args...]. The interpreter is looked
for in the image first (a --with program, an applet link: `--with /bin/busybox` gives a
`#!/bin/sh` script its shell), then in the target root, where it is resolved like a --with
program; nested scripts on the way go into the image too.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import UserError
from ..resolve import shebang
from ..resolve.ldcache import build as build_ld_cache
from ..targetroot.location import find_root
from ..targetroot.rootfs import RootFS
from . import busybox
from .manifest import Manifest, Placement
from .program import LD_SO_CACHE, PreparedProgram, add_program

# Symlinks followed inside the manifest before giving up (as the kernel's lookup would: ELOOP).
MAX_LINKS = 40


@dataclass(frozen=True)
class ScriptStart:
    """How a script PROGRAM starts: the scripts passed through, the interpreter that runs."""

    scripts: tuple[str, ...]
    interpreter: str
    argv: tuple[str, ...]


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
            if _script_head(spec, target_root) is not None:   # the script and what runs it
                started = _add_script(manifest, spec, [], target_root, add)
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
    head = _script_head(program, target_root)
    if head is not None:
        script = _add_script(manifest, program, args, target_root, add)
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
    if _in_manifest(manifest, path) is not None:
        return PreparedProgram(path, None)
    return add(path)


def _script_head(program: str, target_root) -> bytes | None:
    """The first bytes of PROGRAM when it is a `#!` script (a host file, or a path in the root)."""
    path = _program_file(program, _root_fs(target_root))
    if path is None:
        return None
    head = _read_head(path)
    return head if shebang.is_script(head) else None


def _program_file(program: str, fs: RootFS | None) -> Path | None:
    """Which file PROGRAM names, by add_program's rule: an absolute path the root has is the
    root's file, else a host file."""
    if program.startswith("/") and fs is not None and (found := fs.is_file(program)) is not None:
        return found.host_path
    return Path(program) if Path(program).is_file() else None


def _add_script(manifest: Manifest, program: str, args: list[str], target_root, add) -> ScriptStart:
    fs = _root_fs(target_root)
    host = _program_file(program, fs)
    if program.startswith("/") and fs is not None and fs.is_file(program) is not None:
        guest = program
        _place_from_root(manifest, fs, program)
    else:
        guest = "/" + host.name
        manifest.files.append(Placement(host, guest))
    _check_executable(manifest, guest, program)

    def read_head(path: str) -> bytes:
        if not path.startswith("/"):
            raise UserError(f"{program}: the interpreter {path!r} is a relative path; unibuild places "
                            f"only absolute ones (write #!/path/to/{path})")
        src = _in_manifest(manifest, path)
        if src is None and fs is not None and fs.is_file(path):
            src = fs.is_file(path).host_path
        if src is None:
            where = f"the target root {fs.root}" if fs is not None else "no target root"
            raise UserError(f"{program} is a script for {path}, which is neither in the image nor in {where}; "
                            f"add it with --with PATH or its Debian package (`unibuild target-root add PACKAGE`)")
        return _read_head(src)

    try:
        final, argv, scripts = shebang.follow(guest, [guest, *args], read_head)
    except shebang.ShebangError as e:
        raise UserError(f"{program}: {e}") from None
    for nested in scripts[1:]:
        if _in_manifest(manifest, nested) is None:
            _place_from_root(manifest, fs, nested)
    last = shebang.parse(read_head(scripts[-1]))
    if posixpath.basename(final) == "env" and last.argument is not None:
        _add_env_program(manifest, program, last.argument, fs, add)
    return ScriptStart(tuple(scripts), final, tuple(argv))


# env's options that take the next word as their value.
_ENV_VALUE_OPTIONS = {"-u", "--unset", "-C", "--chdir"}
# glibc's execvp path when PATH is unset (confstr _CS_PATH), which is what env searches then.
DEFAULT_EXEC_PATH = "/bin:/usr/bin"


def _add_env_program(manifest: Manifest, script: str, argument: str, fs: RootFS | None, add) -> None:
    """`#!/usr/bin/env python3`: env execs the program it names through PATH, so that program
    goes into the image too (found as env will find it), or the build says it is missing."""
    words = argument.split() if argument.startswith("-S") or argument.startswith("--split-string") else [argument]
    if words and words[0].startswith("-S") and words[0] != "-S":
        words[0] = words[0][2:]            # -Spython3: the option and its first word joined
    name, skip = None, False
    for word in words:
        if skip or word in ("-S", "--split-string") or "=" in word:
            skip = False
            continue
        if word in _ENV_VALUE_OPTIONS:
            skip = True
            continue
        if word.startswith("-"):
            continue
        name = word
        break
    if name is None:
        return
    dirs = manifest.env.get("PATH", DEFAULT_EXEC_PATH).split(":")
    candidates = [name] if "/" in name else [posixpath.join(d or ".", name) for d in dirs]
    for path in candidates:
        if _in_manifest(manifest, path) is not None:
            return
        if fs is not None and path.startswith("/") and fs.is_file(path) is not None:
            add(path)
            return
    raise UserError(f"{script} runs {name!r} through env, which finds no {name} in PATH "
                    f"({':'.join(dirs)}) in the image or the target root; add it with --with PATH "
                    f"or its Debian package")


def _check_executable(manifest: Manifest, guest: str, program: str) -> None:
    src = _in_manifest(manifest, guest)
    if src is not None and not src.stat().st_mode & 0o111:
        raise UserError(f"{program} is a script without execute permission (Linux refuses it: EACCES); "
                        f"chmod +x it")


def _place_from_root(manifest: Manifest, fs: RootFS, path: str) -> None:
    found = fs.is_file(path)
    for link in found.symlinks:
        manifest.symlinks.setdefault(link.path, link.target)
    manifest.files.append(Placement(found.host_path, found.real_path))


def _in_manifest(manifest: Manifest, path: str) -> Path | None:
    """The host file the image will have at `path` (symlinks in the manifest followed), if any."""
    files = {p.dst: p.src for p in manifest.files}
    for _ in range(MAX_LINKS):
        if path in files:
            return files[path]
        for prefix, target in manifest.symlinks.items():
            if path == prefix or path.startswith(prefix + "/"):
                base = posixpath.dirname(prefix)
                path = posixpath.normpath(posixpath.join(base, target) + path[len(prefix):])
                break
        else:
            return None
    return None


def _read_head(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(shebang.BINPRM_BUF_SIZE)
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror}") from None


def _root_fs(target_root) -> RootFS | None:
    try:
        return RootFS(find_root(target_root))
    except UserError:
        return None


def _add_applet_links(manifest: Manifest, prepared: PreparedProgram, target_root) -> None:
    """A busybox (by its file's name: `--with /bin/sh` where /bin/sh links to busybox counts)
    brings its applet links, where the image has nothing yet: the root's own links to it when
    there are any, else the ones its applet tables name."""
    src = _in_manifest(manifest, prepared.guest_path)
    if src is None or not (busybox.is_busybox(prepared.guest_path) or busybox.is_busybox(src.name)):
        return
    fs = _root_fs(target_root)
    real = fs.lookup(prepared.guest_path) if fs is not None else None
    links = busybox.root_links(fs, real.real_path) if real is not None else {}
    if not links:
        links = busybox.applet_links(src.read_bytes(), prepared.guest_path)
    for path, target in links.items():
        path = _real_parent(manifest, fs, path)
        if path is not None and _in_manifest(manifest, path) is None and path not in manifest.symlinks:
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
        src = _program_file(spec, fs)
        if busybox.is_busybox(spec) and src is not None:
            found = fs.lookup(spec)
            links = busybox.root_links(fs, found.real_path) if found is not None else {}
            out.update(links or busybox.applet_links(src.read_bytes(), spec))
    return out


def script_chain(program: str, root: Path, provided: dict[str, str]) -> tuple[list[str], bool]:
    """For `unibuild ldd`: [PROGRAM, nested scripts..., the interpreter] (just [PROGRAM] for an
    ELF), and whether the last one is missing (neither `provided` nor in the root)."""
    fs = RootFS(root)
    missing = []

    def read_head(path: str) -> bytes:
        if path == program:
            src = _program_file(program, fs)
        elif path in provided:
            return b"\x7fELF"   # a --with program or its link: no script
        else:
            found = fs.is_file(path) if path.startswith("/") else None
            src = found.host_path if found is not None else None
        if src is None:
            missing.append(path)
            return b"\x7fELF"
        return _read_head(src)

    try:
        final, _, scripts = shebang.follow(program, [program], read_head)
    except shebang.ShebangError as e:
        raise UserError(f"{program}: {e}") from None
    return [*scripts, final], bool(missing) and missing[-1] == final and bool(scripts)


__all__ = ["Programs", "ScriptStart", "add_programs", "provided_by", "script_chain"]
