"""Debian's perl and ruby with sockets, fork, pipes (and a ruby thread), and sqlite3 in WAL mode
(its -wal file, the -shm index mapped shared, fcntl locks, checkpoints), each one boot, each
compared with the same program from the same root on Linux (qemu-aarch64-static -L ROOT, the
sqlite3 database in a fresh tmpfs directory). The scripts are tests/boot/guest/apps/."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lib.approot import UNIBUILD, app_root
from lib.guest import GUEST_SOURCES, tmpfs_dir

pytestmark = pytest.mark.boot

APPS = GUEST_SOURCES / "apps"


def ours(root: Path, *argv: str, files: tuple[str, ...] = (), stdin: str = "") -> str:
    result = subprocess.run([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "120", "--net", "none",
                             "--target-root", str(root), *(a for f in files for a in ("-f", f)), *argv],
                            input=stdin, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout


def linux(root: Path, program: str, *args: str, stdin: str = "") -> str:
    return subprocess.run(["qemu-aarch64-static", "-L", str(root), str(root / program.lstrip("/")), *args],
                          input=stdin, capture_output=True, text=True, timeout=120, check=True).stdout


@pytest.mark.parametrize("package, program, script", [("perl", "/usr/bin/perl", "sockets_fork.pl"),
                                                       ("ruby", "/usr/bin/ruby", "sockets_fork.rb")])
def test_interpreter_sockets_and_fork_as_on_linux(package, program, script):
    root = app_root(package, package)
    expected = linux(root, program, str(APPS / script))
    assert "child exit: 7\n" in expected
    assert ours(root, program, f"/{script}", files=(f"{APPS / script}:/{script}",)) == expected


def test_sqlite3_wal_as_on_linux():
    root = app_root("sqlite3", "sqlite3")
    sql = (APPS / "wal.sql").read_text()
    workdir = tmpfs_dir()
    try:
        expected = linux(root, "/usr/bin/sqlite3", str(workdir / "db"), ".read /dev/stdin", stdin=sql)
    finally:
        subprocess.run(["rm", "-rf", str(workdir)], check=True)
    assert expected.startswith("wal\n3|x,y,z\n")
    assert ours(root, "/usr/bin/sqlite3", "/tmp/db", ".read /dev/stdin", stdin=sql) == expected
