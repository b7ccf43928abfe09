"""/proc/meminfo, /proc/mounts, /proc/cpuinfo and /proc/self/status, each checked against what
the program learns by other means (tests/boot/guest/procfs.c: sysinfo, getpid, its own threads
and signal mask, AT_HWCAP, statfs). The Linux oracle cannot judge these under qemu-user: there
/proc is the x86 host's."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, run

pytestmark = pytest.mark.boot


def test_proc_files_agree_with_the_calls_that_tell_the_same(tmp_path):
    prog = tmp_path / "procfs"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-pthread", "-o", str(prog), str(GUEST_SOURCES / "procfs.c")],
                   check=True)
    r = run(prog)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 8 and all(l.endswith(": 1") for l in lines), r.stdout
