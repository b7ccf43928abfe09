"""sendmmsg/recvmmsg (UDP, TCP, AF_UNIX; glibc's resolver, which sends its A and AAAA queries
with one sendmmsg, against a DNS server on loopback), splice, tee, vmsplice, SysV message
queues, semaphores and shared memory and POSIX message queues against Linux:
tests/boot/guest/batchio.c under qemu-aarch64-static in a tmpfs directory and under our kernel,
in one boot."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, oracle_in_tmpfs, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "batchio.c"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[str, subprocess.CompletedProcess]:
    probe = tmp_path_factory.mktemp("batchio") / "batchio"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-o", str(probe), str(SOURCE)], check=True,
                   capture_output=True)
    oracle = oracle_in_tmpfs(probe)
    ours = run(probe, "/tmp", "timeouts")
    assert ours.returncode == 0, ours.stderr
    return oracle, ours


@pytest.mark.parametrize("section, what", [
    ("1", "sendmmsg/recvmmsg on UDP"), ("2", "sendmmsg/recvmmsg on TCP and AF_UNIX"), ("3", "splice"),
    ("4", "tee"), ("5", "vmsplice"), ("6", "getaddrinfo through sendmmsg"), ("8", "SysV message queues"),
    ("9", "SysV semaphores"), ("10", "SysV shared memory"), ("11", "POSIX message queues"),
])
def test_batched_and_spliced_io_behave_as_on_linux(outputs, section, what):
    oracle, ours = outputs
    assert sections(ours.stdout).get(section) == sections(oracle)[section], what


# qemu-user emulates recvmmsg as a loop of recvmsg and drops the timeout, so the oracle cannot
# speak for it. Linux's __sys_recvmmsg (net/socket.c) looks at the timeout only after each
# message: a zero timeout is an end already passed (poll_select_set_timeout), so exactly one
# message is taken; an invalid timespec is EINVAL before the socket is looked at, and the time
# left is written back.
LINUX_RECVMMSG_TIMEOUT = """\
7. recvmmsg timeout
   3 queued, timeout 5 s = 3
   left <= 5 s: 1
   2 queued, timeout 0 = 1
   the other one = 1
   bad timeout = -1 EINVAL
   negative timeout = -1 EINVAL
   timeout pointer bad = -1 EFAULT
"""


def test_recvmmsg_timeout_is_checked_after_each_message_as_linux_does(outputs):
    assert sections(outputs[1].stdout).get("7") == LINUX_RECVMMSG_TIMEOUT


# qemu-user does not implement mq_notify (ENOSYS). Linux's ipc/mqueue.c: one registration per
# queue (EBUSY), a sigev_notify it does not know is EINVAL, the signal goes with si_code
# SI_MESGQ and the registered value when a message reaches the empty queue, and the
# registration is then gone; the status line shows sigev_notify, the signal and the owner.
LINUX_MQ_NOTIFY = """\
12. mq_notify
   notify SIGUSR1 = 0
   notify again = -1 EBUSY
   status (60): qsize 0 notify 0 signo 10 pid mine
   notify bad kind = -1 EINVAL
   signal 10 code -3 value 42
   status (60): qsize 1 notify 0 signo 0 pid 0
   notify after it fired = 0
   notify removed = 0
   notify SIGEV_NONE = 0
   status (60): qsize 1 notify 1 signo 0 pid mine
"""


def test_mq_notify_behaves_as_linux_ipc_mqueue(outputs):
    assert sections(outputs[1].stdout).get("12") == LINUX_MQ_NOTIFY


def test_batch_io_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""
