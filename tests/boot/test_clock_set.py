"""Setting CLOCK_REALTIME in the guest (tests/boot/guest/clockset.c): clock_settime and
settimeofday reach every reader (the vDSO included), the monotonic clock stays, and what Linux's
clock_was_set moves moves: an absolute realtime clock_nanosleep and FUTEX_CLOCK_REALTIME wait end
when the clock jumps past their time, absolute realtime timerfds and POSIX timers expire,
TFD_TIMER_CANCEL_ON_SET reads ECANCELED, relative timers keep their monotonic time.

No oracle can run this on the host (it would set the host's clock: the probe refuses unless it
is pid 1), so the expected text is Linux's documented behaviour: clock_settime(2),
timerfd_create(2) (TFD_TIMER_CANCEL_ON_SET), and the hrtimer rule that an absolute CLOCK_REALTIME
timer follows the clock while a relative one is kept on CLOCK_MONOTONIC. The error paths are
diffed against Linux in test_misc_conformance.py (section 3)."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, run

pytestmark = pytest.mark.boot

LINUX = """\
1. clock_settime and the readers
   clock_settime REALTIME +1000 s = 0
   vDSO 1, system call 1, gettimeofday 1, time() 1
   MONOTONIC unmoved 1, TAI follows 1
   settimeofday back = 0
   REALTIME back 1
2. waits on a wall-clock deadline
   absolute clock_nanosleep +100 s, jump +200 s: ended within 2 s of the jump 1
   its result = 0
   FUTEX_CLOCK_REALTIME wait +100 s, jump +200 s: ended within 2 s of the jump 1
   its result ETIMEDOUT
   relative nanosleep after a jump back: 0.3-2 s 1
3. timerfd
   timerfd CANCEL_ON_SET = 0
   timerfd absolute +50 s = 0
   timerfd relative 50 s = 0
   timerfd MONOTONIC relative 50 s = 0
   read CANCEL_ON_SET before = -1 EAGAIN
   jump +60 s = 0
   read CANCEL_ON_SET = -1 ECANCELED
   read it again = -1 EAGAIN
   read absolute = 8
   expirations 1
   read relative = -1 EAGAIN
   read MONOTONIC = -1 EAGAIN
   relative one still has 45-50 s: 1
4. POSIX timers
   timer_settime absolute +50 s = 0
   timer_settime relative 50 s = 0
   jump +60 s = 0
   signal: the absolute timer's
   relative one still has 45-50 s: 1
"""


def test_setting_the_clock_moves_what_linux_moves(tmp_path):
    probe = tmp_path / "clockset"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-pthread", "-o", str(probe), str(GUEST_SOURCES / "clockset.c")],
                   check=True)
    ours = run(probe)
    assert (ours.returncode, ours.stderr) == (0, "")
    assert ours.stdout == LINUX
