"""Debian's PostgreSQL 15 in the unikernel, one boot (tests/boot/guest/postgres.sh under
busybox's sh): initdb as an unprivileged user (setpriv: PR_SET_KEEPCAPS, setresuid, capset,
setresgid; files owned by the creator's fsuid), `postgres --single`, then the server with its
socket in /tmp (fork per backend, SysV + POSIX shared memory in /dev/shm, unnamed POSIX
semaphores, signals, fsync) answering psql, and a fast shutdown."""

from __future__ import annotations

import subprocess

import pytest
from lib.approot import UNIBUILD, app_root
from lib.guest import GUEST_SOURCES

pytestmark = pytest.mark.boot

BIN = "/usr/lib/postgresql/15/bin"


def test_debian_postgresql_initdb_single_server_psql(tmp_path):
    root = app_root("postgresql", "postgresql-15", "busybox", "util-linux")
    passwd, group = tmp_path / "passwd", tmp_path / "group"
    passwd.write_text((root / "etc/passwd").read_text() + "postgres:x:100:100:PostgreSQL:/tmp/pg:/bin/sh\n")
    group.write_text((root / "etc/group").read_text() + "postgres:x:100:\n")
    programs = ["/bin/busybox", "/usr/bin/setpriv", *(f"{BIN}/{p}" for p in ("initdb", "postgres", "pg_ctl", "psql"))]
    result = subprocess.run([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "240", "--net", "none",
                             "--target-root", str(root), *(a for p in programs for a in ("--with", p)),
                             "-f", f"{passwd}:/etc/passwd", "-f", f"{group}:/etc/group",
                             str(GUEST_SOURCES / "postgres.sh")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ("selecting dynamic shared memory implementation ... posix\n"
                             '\t 1: answer = "42"\t(typeid = 23, len = 4, typmod = -1, byval = t)\n'
                             "CREATE TABLE\nINSERT 0 3\n6|postgres\n1\n1\n")
