"""Per-process timers and identity against Linux, one boot (tests/boot/guest/proctimers.c):
setitimer per process (not inherited by fork) on the real and CPU clocks; POSIX timers
(SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID, glibc's SIGEV_THREAD, a CPU clock; si_code,
si_value, si_overrun, timer_getoverrun, one instance while pending, errnos); clock_nanosleep on
the process CPU clock (relative, absolute), the thread clocks' errnos, EINTR with the time left;
clock_getres; supplementary groups (sorted, inherited by fork, /proc/self/status Groups:);
ru_maxrss as a high-water mark (RUSAGE_SELF/THREAD, wait4's, RUSAGE_CHILDREN);
/proc/self/comm written (PR_GET_NAME and pthread_getname_np agree; another process's is
EINVAL); pidfds (close-on-exec, pidfd_getfd, pidfd_send_signal with Linux 6.9's scope
flags, poll for the exit, waitid(P_PIDFD), the errnos); an orphaned process group with a stopped member gets SIGHUP then SIGCONT, and
SIGTSTP no longer stops it. The oracle is the same static binary under qemu-aarch64-static.

Section 8 is what execve keeps: qemu-user cannot exec an aarch64 program here (no binfmt_misc),
so it is checked against the man pages instead: setitimer(2) "A child created via fork(2) does
not inherit its parent's interval timers. Interval timers are preserved across an execve(2)";
timer_create(2) "the timers are deleted during execve"; getgroups(2) the supplementary group
list is inherited (credentials(7): preserved across execve). Its last line is clone's
CLONE_PIDFD, which qemu-user refuses: clone(2) "a PID file descriptor referring to the child
process is allocated and placed at a specified location in the parent's memory. The
close-on-exec flag is set on this new file descriptor", pollable and usable by waitid(P_PIDFD)
as pidfd_open(2)'s."""

from __future__ import annotations

import pytest

from lib.guest import build_static, oracle, run, sections

pytestmark = pytest.mark.boot

AFTER_EXEC = (
    "8. after exec: real armed yes, interval kept yes\n"
    "8. after exec: posix timer gone EINVAL\n"
    "8. after exec: 0 groups, first 0\n"
    "8. after exec: real armed no, interval kept no\n"
    "8. after exec: posix timer gone EINVAL\n"
    "8. after exec: 4 groups, first 3\n"
    "8. clone pidfd yes, poll 1, waitid 0, status 5, cloexec yes\n"
)


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    return build_static("proctimers.c", tmp_path_factory.mktemp("proctimers"))


def test_process_timers_and_identity_are_linuxs(probe):
    expected = sections(oracle(probe))
    assert " no," not in expected["2"] and "yes" in expected["7"], expected   # the probe's relations hold on Linux
    ours = run(probe)
    assert ours.returncode == 0, ours.stderr
    assert ours.stderr == ""
    got = sections(ours.stdout)
    for key in expected:
        if key != "8":
            assert got.get(key) == expected[key], f"section {key}"
    assert got.get("8") == AFTER_EXEC
