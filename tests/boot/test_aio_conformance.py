"""Linux native AIO answer for answer against Linux: tests/boot/guest/aioconf.c sweeps io_setup
and its ring (the header libaio's io_getevents reads directly, the [aio] mapping, aio-nr),
io_submit of every command with its errors in Linux's order (EFAULT/EINVAL/EAGAIN/EBADF, the
rw flags, IOCB_FLAG_IOPRIO, NOOP refused), partial submission, IOCB_FLAG_RESFD, IOCB_CMD_POLL
completing at once or later from a pipe's, a thread's or a socket's wake-up, io_cancel,
io_getevents/io_pgetevents (min_nr, timeouts, EINTR, the temporary sigmask), user-space
reaping, ring slots, io_destroy and fork. One boot.

The oracle is the same probe built for this host and run natively in a fresh tmpfs directory:
qemu-user 7.2 has none of the AIO calls (ENOSYS). They are generic kernel code, and the probe
prints nothing architecture-dependent (the ring's size is checked against the CPU count and
page size the probe itself reads)."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, native_oracle, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "aioconf.c"
SECTIONS = [("1", "io_setup"), ("2", "reads and writes"), ("3", "fsync and fdatasync"),
            ("4", "IOCB_FLAG_RESFD"), ("5", "IOCB_CMD_POLL"), ("6", "io_getevents and io_pgetevents"),
            ("7", "slots, fork")]


# Section 8 changes the system-wide limit, which the oracle must not do to the host: Linux 6.1's
# answers (proc_doulongvec_minmax: one decimal number, a sign or nothing is EINVAL; sysctl_perm:
# root has the owner's bits, so aio-nr's 0444 refuses even root; ioctx_alloc: nr above
# aio-max-nr, or aio-nr + nr above it, is EAGAIN).
LINUX_SYSCTL = """\
8. aio-max-nr
   aio-max-nr mode 644
   aio-nr mode 444
   write aio-nr = -1 EACCES
   write "16\\n" = 3
   reads 16
   io_setup 17 = -1 EAGAIN
   io_setup 16 = 0
   then io_setup 1 = -1 EAGAIN
   write "-1" = -1 EINVAL
   write "abc" = -1 EINVAL
   write " \\n" = -1 EINVAL
   write " 65536 \\n" = 8
   uid 1000 may not write it: 1
   io_setup 16 again = 0
"""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("aioconf")
    linux = native_oracle(SOURCE, tmp, workdir=True)
    probe = tmp / "aioconf"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-pthread", f"-I{GUEST_SOURCES}", "-o", str(probe),
                    str(SOURCE)], check=True)
    ours = run(probe, "/tmp", "sysctl")
    assert ours.returncode == 0, ours.stderr
    return sections(linux), ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_aio_answers_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert sections(ours.stdout).get(section) == linux[section], what


def test_aio_max_nr_is_the_limit_and_writable(outputs):
    _, ours = outputs
    assert sections(ours.stdout).get("8") == LINUX_SYSCTL
