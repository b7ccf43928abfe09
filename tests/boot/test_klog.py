"""The kernel log through syslog(2) (tests/boot/guest/klog.c): what the kernel printed, as Linux
formats its records ("<level>[seconds.micros] text"), read whole (READ_ALL, dmesg) or consumed
(READ, klogd), cleared, and counted. The oracle cannot be asked: READ and CLEAR change the log of
the kernel they run on (this host's), so the expected lines are syslog(2)'s documented
semantics, as Linux 6.1's do_syslog implements them, with Debian arm64's buffer size
(CONFIG_LOG_BUF_SHIFT=17) and dmesg_restrict (CONFIG_SECURITY_DMESG_RESTRICT=y)."""

from __future__ import annotations

import pytest

from lib.guest import build_static, run

pytestmark = pytest.mark.boot

EXPECTED = """\
size buffer: 131072
read all: some 1, well formed 1
boot banner at info level: 1
size unread = read all: 1
read 10: 10, unread now 1
read rest: all that was unread 1, same text as read all 1, unread now 0
read all again: unchanged by the reads 1
read with nothing unread: -1 EINTR
clear: 0, read all after it 0, size unread 0
a new message: well formed 1, logged 1
read clear: the same 1, read all after it 0
unread: the new message 1
console off 0, on 0, level 8 0, level 0 -1, level 9 -1
as nobody: size buffer EPERM, clear EPERM
"""


def test_syslog_reads_what_the_kernel_printed(tmp_path):
    result = run(build_static("klog.c", tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED
    assert result.stderr == ""
