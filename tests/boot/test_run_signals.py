"""Signals in the unikernel against Linux: handlers with siginfo and ucontext, masks, SA_* flags,
fault signals, sigaltstack, interval timers, EINTR and SA_RESTART, sigtimedwait/sigsuspend. The
oracle is the same static program under qemu-aarch64-static on this host's kernel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from unibuild.paths import PROJECT_ROOT

pytestmark = pytest.mark.boot

SOURCE = PROJECT_ROOT / "tests/boot/guest/signals.c"
UNIBUILD = [sys.executable, "-m", "unibuild"]

# qemu-user reports an undefined instruction as ILL_ILLOPN (2); Linux's do_el0_undef sends
# ILL_ILLOPC (1), which is what we send. Everything else must match byte for byte.
QEMU_USER_SIGILL = "  handler: sig 4 code 2 addr-is-pc 1\n"
LINUX_SIGILL = "  handler: sig 4 code 1 addr-is-pc 1\n"


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("signals") / "signals"
    subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-Wall", "-static", "-o", str(out), str(SOURCE)], check=True)
    return out


def test_signal_behaviour_matches_linux(probe):
    oracle = subprocess.run(["qemu-aarch64-static", str(probe)], capture_output=True, text=True, timeout=60)
    ours = subprocess.run([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "60", "--net", "none", str(probe)],
                          capture_output=True, text=True, timeout=120)
    expected = oracle.stdout.replace(QEMU_USER_SIGILL, LINUX_SIGILL)
    assert ours.stdout == expected, ours.stderr
    # abort(): the handler returns, glibc restores the default action and raises again; killed
    # by SIGABRT is -6 for subprocess, 134 (128 + 6) as our exit status, as a shell reports it.
    assert oracle.returncode == -6
    assert ours.returncode == 134
    assert ours.stderr.strip() == "killed by SIGABRT"
