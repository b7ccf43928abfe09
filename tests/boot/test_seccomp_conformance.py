"""seccomp answer for answer against Linux: tests/boot/guest/seccompconf.c sweeps seccomp(2) and
prctl (GET_ACTION_AVAIL, GET_NOTIF_SIZES, errnos), the checks a BPF program must pass, every
action (ERRNO with its cap, TRACE and USER_NOTIF with nobody to ask, LOG, TRAP and its siginfo,
TRAP blocked or ignored, KILL_THREAD and KILL_PROCESS), strict mode, several filters and what
a filter sees (nr, arch, argument words, LEN, ALU, division by zero), and inheritance (fork,
execve, threads, TSYNC and its failure). One boot.

The oracle is the same probe built for this host and run natively: qemu-user cannot be one (a
filter would judge QEMU's own host system calls). Filters are generic kernel code; the probe
compiles in its architecture's AUDIT_ARCH and system call numbers and prints only what does
not depend on them."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, native_oracle, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "seccompconf.c"
SECTIONS = [("1", "seccomp(2) and prctl"), ("2", "what a program must pass"), ("3", "actions"),
            ("4", "strict mode"), ("5", "several filters, and what a filter sees"),
            ("6", "fork, threads, TSYNC, execve")]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("seccompconf")
    linux = native_oracle(SOURCE, tmp, timeout=60)
    probe = tmp / "seccompconf"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-pthread", "-o", str(probe), str(SOURCE)], check=True)
    ours = run(probe)
    assert ours.returncode == 0, ours.stderr
    return sections(linux), ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_seccomp_answers_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert sections(ours.stdout).get(section) == linux[section], what
