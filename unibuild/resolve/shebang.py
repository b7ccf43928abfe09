"""`#!` scripts as Linux's binfmt_script reads them (fs/binfmt_script.c), done at build time.

A script given as PROGRAM boots as its interpreter: argv becomes [interpreter, optional-arg,
script-path, args...] and the interpreter is what the kernel starts. The parsing follows the
kernel's rules to the byte, because the image must start what Linux would start:

- only the first BINPRM_BUF_SIZE (256) bytes count; without a newline in them the line is
  taken as it is, unless the interpreter's name runs to the end of the buffer (truncated:
  ENOEXEC);
- spaces and tabs (nothing else: a '\\r' stays part of the name) separate the interpreter from
  one optional argument, which is the rest of the line without its trailing spaces and tabs
  (inner spaces included: `#!/usr/bin/env -S a b` passes "-S a b" as one argument);
- a NUL ends whatever it is in;
- the interpreter may itself be a script, up to the kernel's limit of rewrites (exec_binprm:
  more than MAX_REWRITES is ELOOP). tests/unit/test_shebang.py compares all of this with the
  host kernel running the same scripts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

BINPRM_BUF_SIZE = 256
# fs/exec.c exec_binprm: `if (depth > 5) return -ELOOP;` around each binfmt handler call, so a
# chain of five scripts still reaches its ELF; a sixth is too many.
MAX_REWRITES = 5


class ShebangError(ValueError):
    """The file starts with `#!` but the kernel would refuse it (ENOEXEC): the reason."""


@dataclass(frozen=True)
class Shebang:
    interpreter: str
    argument: str | None   # the one optional argument, None when the line has none


def _spacetab(c: int) -> bool:
    return c in (0x20, 0x09)


def is_script(head: bytes) -> bool:
    return head[:2] == b"#!"


def parse(head: bytes) -> Shebang | None:
    """The `#!` line of a file whose first bytes are `head` (at least BINPRM_BUF_SIZE of them,
    or the whole file); None when it is no script. Raises ShebangError where Linux says ENOEXEC."""
    if not is_script(head):
        return None
    buf = head[:BINPRM_BUF_SIZE].ljust(BINPRM_BUF_SIZE, b"\0")
    last = BINPRM_BUF_SIZE - 1          # the kernel's buf_end: the last byte is never used
    end = buf.find(b"\n", 0, BINPRM_BUF_SIZE)
    if end < 0:
        start = next((i for i in range(2, last) if not _spacetab(buf[i])), None)
        if start is None:
            raise ShebangError("the #! line is only spaces and tabs")
        if not any(_spacetab(buf[i]) or buf[i] == 0 for i in range(start, last)):
            raise ShebangError(f"the #! line is longer than {BINPRM_BUF_SIZE - 1} bytes, so the "
                               "interpreter's name is cut off")
        end = last
    while _spacetab(buf[end - 1]):
        end -= 1
    name = next((i for i in range(2, end) if not _spacetab(buf[i])), None)
    if name is None:
        raise ShebangError("the #! line names no interpreter")
    sep = next((i for i in range(name, end) if _spacetab(buf[i]) or buf[i] == 0), None)
    argument = None
    if sep is not None and buf[sep] != 0:
        arg = next((i for i in range(sep, end) if not _spacetab(buf[i])), None)
        if arg is not None:
            argument = _cstring(buf[arg:end])
    interpreter = _cstring(buf[name:sep if sep is not None else end])
    return Shebang(interpreter, argument)


def _cstring(raw: bytes) -> str:
    """What copy_string_kernel copies: up to the first NUL. Bytes that are no UTF-8 survive
    (surrogateescape), as every other path in the image does."""
    return raw.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def rewrite_argv(shebang: Shebang, filename: str, argv: list[str]) -> list[str]:
    """binfmt_script's argv: argv[0] dropped, then [interpreter, argument?, filename, argv[1:]...],
    where `filename` is the path the script was executed by."""
    head = [shebang.interpreter] + ([shebang.argument] if shebang.argument is not None else [])
    return [*head, filename, *argv[1:]]


def follow(filename: str, argv: list[str], read_head: Callable[[str], bytes]) -> tuple[str, list[str], list[str]]:
    """What execve(filename, argv) starts: (the path of the file that is no script, its argv, the
    scripts passed through on the way, first to last). `read_head(path)` gives a file's first
    BINPRM_BUF_SIZE bytes (or raises: a missing interpreter is the caller's to name).
    Raises ShebangError for a script Linux refuses, or past MAX_REWRITES (ELOOP)."""
    scripts: list[str] = []
    while True:
        shebang = parse(read_head(filename))
        if shebang is None:
            return filename, argv, scripts
        if len(scripts) == MAX_REWRITES:
            raise ShebangError(f"{scripts[0]}: more than {MAX_REWRITES} scripts each running the next "
                               f"(Linux refuses that: ELOOP)")
        scripts.append(filename)
        argv = rewrite_argv(shebang, filename, argv)
        filename = shebang.interpreter


__all__ = ["BINPRM_BUF_SIZE", "MAX_REWRITES", "Shebang", "ShebangError", "follow", "is_script", "parse",
           "rewrite_argv"]
