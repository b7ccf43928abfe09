"""A program's service and protocol look-ups (getservbyname, getprotobyname, getaddrinfo with a
service name) find the target root's /etc/services and /etc/protocols in the image, as on Linux
(the default root has Debian's netbase for them)."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, TARGET_ROOT, oracle, run

pytestmark = pytest.mark.boot


def test_service_and_protocol_lookups_answer_as_linux(tmp_path):
    prog = tmp_path / "netdb"
    subprocess.run([CC, "-O2", "-Wall", "-o", str(prog), str(GUEST_SOURCES / "netdb.c")], check=True)
    expected = oracle(prog, target_root=TARGET_ROOT)
    assert "service http/tcp: port 80 name http" in expected   # the oracle saw netbase's files
    r = run(prog)
    assert r.returncode == 0, r.stderr
    assert r.stdout == expected
