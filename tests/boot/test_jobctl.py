"""Stop and continue against Linux: SIGSTOP/SIGTSTP/SIGCONT to children, wait4 (WUNTRACED,
WCONTINUED) and waitid (WSTOPPED, WCONTINUED, WNOWAIT) statuses, SIGCHLD's codes with and without
SA_NOCLDSTOP, SIGKILL of a stopped child, a stopped two-thread child that does not run, a read
blocked across a stop — one guest program (tests/boot/guest/jobctl.c), one boot per CPU count.
The oracle is the same static binary under qemu-aarch64-static."""

from __future__ import annotations


import pytest

from lib.guest import build_static, oracle, run, sections

pytestmark = pytest.mark.boot

# qemu-user does not pass SA_NOCLDSTOP on to the host's sigaction (linux-user/signal.c keeps
# only SA_RESTART), so under it the stop still queues a SIGCHLD. On Linux (kernel/signal.c
# do_notify_parent_cldstop) SA_NOCLDSTOP means none: the only SIGCHLD is the child's death by
# SIGTERM, CLD_KILLED (2) with status 15.
QEMU_USER_NOCLDSTOP = "  SA_NOCLDSTOP: the only one: SIGCHLD si_code 5 si_status 19 pid matches 1\n"
LINUX_NOCLDSTOP = "  SA_NOCLDSTOP: the only one: SIGCHLD si_code 2 si_status 15 pid matches 1\n"


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    return build_static("jobctl.c", tmp_path_factory.mktemp("jobctl"))


@pytest.fixture(scope="module")
def expected(probe):
    out = oracle(probe)
    assert QEMU_USER_NOCLDSTOP in out                   # the oracle's limitation, as said above
    return sections(out.replace(QEMU_USER_NOCLDSTOP, LINUX_NOCLDSTOP))


# One CPU: the stopped child and its parent share it; four: the child's threads are stopped on
# other CPUs (by IPI) and the parent sleeps in place on its own.
@pytest.mark.parametrize("smp", ["1", "4"])
def test_stop_and_continue_behave_as_on_linux(probe, expected, smp):
    ours = run(probe, options=("--smp", smp))
    assert ours.returncode == 0, ours.stderr
    assert ours.stderr == ""
    got = sections(ours.stdout)
    for key in expected:
        assert got.get(key) == expected[key], f"section {key}"
