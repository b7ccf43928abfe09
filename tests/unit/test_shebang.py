"""The build-time `#!` rewrite (unibuild/resolve/shebang.py) against Linux's binfmt_script: the
host kernel executes the same script, whose interpreter prints the argv it was given."""

from __future__ import annotations

import errno
import json
import subprocess
import sys
from pathlib import Path

import pytest

from unibuild.resolve import shebang

# The interpreter the scripts name: itself a script (for python3), which prints its argv. Its
# sys.argv is exactly the argv the first rewrite produced (python drops only its own argv[0]).
PYTHON = sys.executable
PRINTER = "#!{python}\nimport json, sys; print(json.dumps(sys.argv))\n"


@pytest.fixture()
def printer(tmp_path: Path) -> str:
    path = tmp_path / "printer"
    path.write_text(PRINTER.format(python=PYTHON))
    path.chmod(0o755)
    return str(path)


def _host_head(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read(shebang.BINPRM_BUF_SIZE)


def linux(script: Path, *args: str) -> list[str] | int:
    """The argv the host kernel hands the printer, or the errno of the failed execve."""
    try:
        out = subprocess.run([str(script), *args], capture_output=True, text=True, timeout=30, check=True).stdout
    except OSError as e:
        return e.errno
    return json.loads(out)


def ours(script: Path, *args: str) -> list[str] | int:
    try:
        final, argv, _ = shebang.follow(str(script), [str(script), *args], _host_head)
    except shebang.ShebangError as e:
        return errno.ELOOP if "ELOOP" in str(e) else errno.ENOEXEC
    # The last interpreter is python3 running the printer: python's sys.argv is argv[1:].
    assert final == argv[0] == PYTHON
    return argv[1:]


def _script(tmp_path: Path, name: str, body: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(body)
    path.chmod(0o755)
    return path


LINES = {
    "plain": b"#!{p}\n",
    "space before the name": b"#!  \t{p}\n",
    "one argument": b"#!{p} -x\n",
    "spaces inside the argument stay": b"#!{p}  -x  y\tz \t \n",
    "a carriage return is part of the argument": b"#!{p} -x\r\n",
    "no newline, short file": b"#!{p}",
    "no newline, with argument": b"#!{p} arg",
    "a NUL ends the argument": b"#!{p} a\0b\n",
    "a NUL right after the name": b"#!{p}\0 ignored\n",
    "argument cut at the buffer's end": b"#!{p} " + b"y" * 400,
    "only spaces": b"#!   \t \n",
    "nothing after #!": b"#!\n",
    "name cut at the buffer's end": b"#!{p}" + b"z" * 400,
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_line_parsed_as_linux(tmp_path, printer, case):
    script = _script(tmp_path, "script", LINES[case].replace(b"{p}", printer.encode()))
    assert ours(script, "a", "b c") == linux(script, "a", "b c")


@pytest.mark.parametrize("depth", [1, shebang.MAX_REWRITES - 1, shebang.MAX_REWRITES])
def test_nested_scripts_as_linux(tmp_path, printer, depth):
    """`depth` scripts each naming the previous, then the printer (a script too): Linux runs
    chains of up to MAX_REWRITES scripts and refuses longer ones with ELOOP."""
    previous = printer
    for i in range(depth):
        previous = str(_script(tmp_path, f"s{i}", f"#!{previous} level{i}\n".encode()))
    assert ours(Path(previous), "x") == linux(Path(previous), "x")


def test_not_a_script():
    assert shebang.parse(b"\x7fELF\x02\x01") is None
    assert shebang.parse(b"# !/bin/sh\n") is None
