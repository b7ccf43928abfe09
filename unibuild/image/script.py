"""A `#!` script in an image: it starts as Linux would exec it (resolve/shebang.py), so the image
starts its interpreter with [interpreter, optional-arg, script-path, args...]. The interpreter is
looked for in the image first (a --with program, an applet link: `--with /bin/busybox` gives a
`#!/bin/sh` script its shell), then in the target root, where image/programs.py resolves it like
a --with program; nested scripts on the way go into the image too, and `#!/usr/bin/env NAME`
brings NAME, found on PATH as env will look for it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..resolve import shebang
from ..targetroot.location import find_root
from ..targetroot.rootfs import RootFS
from .manifest import Manifest, Placement
from .program import PreparedProgram

# Adds a program from the root (or the host) like --with; given by image/programs.py.
AddProgram = Callable[[str], PreparedProgram]


@dataclass(frozen=True)
class ScriptStart:
    """How a script PROGRAM starts: the scripts passed through, the interpreter that runs."""

    scripts: tuple[str, ...]
    interpreter: str
    argv: tuple[str, ...]


def root_fs(target_root) -> RootFS | None:
    """The target root, or None where there is none (a static program needs none)."""
    try:
        return RootFS(find_root(target_root))
    except UserError:
        return None


def script_head(program: str, target_root) -> bytes | None:
    """The first bytes of PROGRAM when it is a `#!` script (a host file, or a path in the root)."""
    path = program_file(program, root_fs(target_root))
    if path is None:
        return None
    head = read_head_of(path)
    return head if shebang.is_script(head) else None


def program_file(program: str, fs: RootFS | None) -> Path | None:
    """Which file PROGRAM names, by add_program's rule: an absolute path the root has is the
    root's file, else a host file."""
    if program.startswith("/") and fs is not None and (found := fs.is_file(program)) is not None:
        return found.host_path
    return Path(program) if Path(program).is_file() else None


def add_script(manifest: Manifest, program: str, args: list[str], target_root, add: AddProgram) -> ScriptStart:
    """Place the script PROGRAM (and nested ones from the root); how it starts with `args`."""
    fs = root_fs(target_root)
    host = program_file(program, fs)
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
        src = manifest.host_file_at(path)
        if src is None and fs is not None and fs.is_file(path):
            src = fs.is_file(path).host_path
        if src is None:
            where = f"the target root {fs.root}" if fs is not None else "no target root"
            raise UserError(f"{program} is a script for {path}, which is neither in the image nor in {where}; "
                            f"add it with --with PATH or its Debian package (`unibuild target-root add PACKAGE`)")
        return read_head_of(src)

    try:
        final, argv, scripts = shebang.follow(guest, [guest, *args], read_head)
    except shebang.ShebangError as e:
        raise UserError(f"{program}: {e}") from None
    for nested in scripts[1:]:
        if manifest.host_file_at(nested) is None:
            _place_from_root(manifest, fs, nested)
    last = shebang.parse(read_head(scripts[-1]))
    if posixpath.basename(final) == "env" and last.argument is not None:
        _add_env_program(manifest, program, last.argument, fs, add)
    return ScriptStart(tuple(scripts), final, tuple(argv))


# env's options that take the next word as their value.
_ENV_VALUE_OPTIONS = {"-u", "--unset", "-C", "--chdir"}
# glibc's execvp path when PATH is unset (confstr _CS_PATH), which is what env searches then.
DEFAULT_EXEC_PATH = "/bin:/usr/bin"


def _add_env_program(manifest: Manifest, script: str, argument: str, fs: RootFS | None, add: AddProgram) -> None:
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
        if manifest.host_file_at(path) is not None:
            return
        if fs is not None and path.startswith("/") and fs.is_file(path) is not None:
            add(path)
            return
    raise UserError(f"{script} runs {name!r} through env, which finds no {name} in PATH "
                    f"({':'.join(dirs)}) in the image or the target root; add it with --with PATH "
                    f"or its Debian package")



def _check_executable(manifest: Manifest, guest: str, program: str) -> None:
    src = manifest.host_file_at(guest)
    if src is not None and not src.stat().st_mode & 0o111:
        raise UserError(f"{program} is a script without execute permission (Linux refuses it: EACCES); "
                        f"chmod +x it")



def _place_from_root(manifest: Manifest, fs: RootFS, path: str) -> None:
    found = fs.is_file(path)
    for link in found.symlinks:
        manifest.symlinks.setdefault(link.path, link.target)
    manifest.files.append(Placement(found.host_path, found.real_path))



def read_head_of(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(shebang.BINPRM_BUF_SIZE)
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror}") from None


def script_chain(program: str, root: Path, provided: dict[str, str]) -> tuple[list[str], bool]:
    """For `unibuild ldd`: [PROGRAM, nested scripts..., the interpreter] (just [PROGRAM] for an
    ELF), and whether the last one is missing (neither `provided` nor in the root)."""
    fs = RootFS(root)
    missing = []

    def read_head(path: str) -> bytes:
        if path == program:
            src = program_file(program, fs)
        elif path in provided:
            return b"\x7fELF"   # a --with program or its link: no script
        else:
            found = fs.is_file(path) if path.startswith("/") else None
            src = found.host_path if found is not None else None
        if src is None:
            missing.append(path)
            return b"\x7fELF"
        return read_head_of(src)

    try:
        final, _, scripts = shebang.follow(program, [program], read_head)
    except shebang.ShebangError as e:
        raise UserError(f"{program}: {e}") from None
    return [*scripts, final], bool(missing) and missing[-1] == final and bool(scripts)


__all__ = ["ScriptStart", "add_script", "program_file", "read_head_of", "root_fs", "script_chain", "script_head"]
