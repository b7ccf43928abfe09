"""/dev/kmsg (tests/boot/guest/kmsgconf.c): the kernel log one record per read as
"prio,seq,usec,flags;text", EINVAL for a buffer too small (the record is skipped), EAGAIN at the
end, lseek's SEEK_SET/SEEK_DATA/SEEK_END (offset 0 only), poll; and writes: the "<N>" prefix,
the user facility, escaping, the 992-byte limit, the per-file ratelimit (a burst of 10, the rest
counted at close), EPIPE for a reader the ring overtook, SEEK_DATA after SYSLOG_ACTION_CLEAR.
One boot.

Section 1 only reads, so its oracle is the same probe on this host's kernel (qemu-aarch64-static,
as root): it prints the format's and the calls' facts, never the host's log. Section 2 writes
(and floods the ring), which the oracle must not do to the host's log: its lines are Linux
6.1's kernel/printk/printk.c (devkmsg_write: LOG_LINE_MAX 992, LOG_LEVEL/LOG_FACILITY of the
prefix, facility 1 by default, default_message_loglevel 4; devkmsg_read: EPIPE once, then the
oldest kept record; msg_print_ext_body's \\xNN escapes; the ratelimit's release message)."""

from __future__ import annotations

import os
import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, oracle, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "kmsgconf.c"

LINUX_WRITES = """\
2. writing
   "<5>hello\\n": write = 9, record prio 13 text "hello"
   "plain": write = 5, record prio 12 text "plain"
   "<30>daemon": write = 10, record prio 30 text "daemon"
   "<x>odd": write = 6, record prio 12 text "<x>odd"
   "<>empty": write = 7, record prio 8 text "empty"
   a tab and a backslash: write = 13, record prio 12 text "tab\\x09here \\x5c ok"
   write 993 bytes = -1 EINVAL
   write 992 bytes = 992
   its record holds 992: 1
   12 writes in a burst: 12 said taken, 10 records
   at its close: prio 5 "printk: kmsgconf: 2 output lines suppressed due to ratelimiting"
   open O_WRONLY, write = 1
   the overtaken reader polls 0x9
   its read = -1 EPIPE
   then it reads on: 1
   SYSLOG_ACTION_CLEAR = 0
   lseek 0 SEEK_DATA = 0
   reads "after the clear"
"""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("the oracle reads the host's /dev/kmsg, which needs root")
    tmp = tmp_path_factory.mktemp("kmsgconf")
    probe = tmp / "kmsgconf"
    subprocess.run([CC, "-O2", "-Wall", "-static", f"-I{GUEST_SOURCES}", "-o", str(probe), str(SOURCE)],
                   check=True)
    linux = oracle(probe)
    ours = run(probe, "write")
    assert ours.returncode == 0, ours.stderr
    return sections(linux), sections(ours.stdout)


def test_kmsg_reads_as_linux(outputs):
    linux, ours = outputs
    assert linux.get("1"), "the oracle printed no section 1"
    assert ours.get("1") == linux["1"]


def test_kmsg_writes_as_linux(outputs):
    _, ours = outputs
    assert ours.get("2") == LINUX_WRITES
