"""I/O calls errno for errno against Linux: tests/boot/guest/ioconf.c sweeps named pipes (mkfifo
and mknod S_IFIFO nodes, stat and d_type, blocking and non-blocking opens of each access mode,
several readers and writers sharing one pipe, EOF and EPIPE/SIGPIPE as the last writer or reader
goes, POLLHUP only after a writer has come and gone, a fresh pipe at the next open, opens
interrupted by a signal, epoll on a FIFO), mknod's device nodes (the kernel's own character
devices by number, ENXIO for any other, CAP_MKNOD) and socket nodes, eventfd (EFD_SEMAPHORE, overflow, short reads and
writes), pipe2 flags and packet mode, dup2/dup3. The oracle is the same program under
qemu-aarch64-static in a fresh tmpfs directory; ours runs in /tmp, one boot for all."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, oracle_in_tmpfs, replace_lines, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "ioconf.c"

# Where qemu-user (Debian's 7.2), not Linux, answers: each line as the host kernel gives it to a
# native arm64 program.
# - pipe2 translates its flags through qemu's open-flag table, which drops bits it does not
#   know; Linux's do_pipe2 refuses any flag but O_CLOEXEC, O_NONBLOCK, O_DIRECT and
#   O_NOTIFICATION_PIPE (EINVAL).
# - signalfd4 never looks at its sizemask; Linux's is EINVAL unless it is sizeof(sigset_t), 8.
# - epoll_pwait2 (Linux 5.11) is not in qemu 7.2 (ENOSYS); Linux waits a zero timespec out at
#   once (no event is armed then) and refuses a tv_nsec of -1 (EINVAL).
QEMU_USER = {
    "   pipe2 bad flags = 0": "   pipe2 bad flags = -1 EINVAL",
    "   bad sizemask = 3": "   bad sizemask = -1 EINVAL",
    "   epoll_pwait2 0 s = -1 ENOSYS": "   epoll_pwait2 0 s = 0",
    "   epoll_pwait2 bad timespec = -1 ENOSYS": "   epoll_pwait2 bad timespec = -1 EINVAL",
}

SECTIONS = [("1", "FIFO nodes"), ("2", "FIFO opens"), ("3", "FIFO sharing"), ("4", "FIFO opens and signals"),
            ("5", "FIFOs with epoll"), ("6", "eventfd"), ("7", "dup, dup3, pipe2"), ("8", "device and socket nodes"),
            ("9", "poll, ppoll"), ("10", "select, pselect6"), ("11", "epoll"), ("12", "timerfd"), ("13", "signalfd"),
            ("14", "inotify"), ("15", "close_range"), ("16", "O_ASYNC and F_SETSIG"), ("17", "dnotify"),
            ("18", "epoll with thousands of descriptors"), ("19", "/proc/self/fd/N of pipes, sockets, eventfds")]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[dict[str, str], subprocess.CompletedProcess]:
    probe = tmp_path_factory.mktemp("ioconf") / "ioconf"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-o", str(probe), str(SOURCE)], check=True)
    linux = replace_lines(oracle_in_tmpfs(probe), QEMU_USER)
    ours = run(probe, "/tmp")
    assert ours.returncode == 0, ours.stderr
    return sections(linux), ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_io_calls_answer_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    if "   mount nodev: 1\n" in linux[section]:
        pytest.skip("the oracle's tmpfs is mounted nodev: its device nodes cannot be opened")
    assert sections(ours.stdout).get(section) == linux[section], what


def test_ioconf_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""
