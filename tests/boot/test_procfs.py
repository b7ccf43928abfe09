"""/proc/meminfo, /proc/mounts, /proc/cpuinfo and /proc/self/status, each checked against what
the program learns by other means (tests/boot/guest/procfs.c: sysinfo, getpid, its own threads
and signal mask, AT_HWCAP, statfs). The Linux oracle cannot judge these under qemu-user: there
/proc is the x86 host's."""

from __future__ import annotations


import pytest

from lib.guest import build_static, run

pytestmark = pytest.mark.boot


def test_proc_files_agree_with_the_calls_that_tell_the_same(tmp_path):
    prog = build_static("procfs.c", tmp_path)
    r = run(prog)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 8 and all(l.endswith(": 1") for l in lines), r.stdout
