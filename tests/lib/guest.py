"""Running a guest program the way a user does, and the same program on Linux as the oracle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from unibuild.paths import PROJECT_ROOT

CC = "aarch64-linux-gnu-gcc"   # the target compiler for guest programs
UNIBUILD = [sys.executable, "-m", "unibuild"]
TARGET_ROOT = PROJECT_ROOT / "build" / "target-root"
GUEST_SOURCES = PROJECT_ROOT / "tests" / "boot" / "guest"


def run(program: Path, *args: str, options=(), target_root: Path = TARGET_ROOT, timeout=120):
    """`unibuild run` under TCG, as a subprocess (stdout, stderr and exit status as a user sees them)."""
    # No NIC unless a test asks for networking: the kernel's `en1: assigned ADDR` console line
    # would otherwise precede the program output these tests compare with Linux.
    net = () if {"-p", "--port", "--net", "--ip"} & set(options) else ("--net", "none")
    cmd = [*UNIBUILD, "run", "--accel", "tcg", "--timeout", "90", "--target-root", str(target_root),
           *net, *options, str(program), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def oracle(program: Path, *args: str, target_root: Path = TARGET_ROOT) -> str:
    """The same program on Linux (this host's kernel) through qemu-aarch64-static."""
    return subprocess.run(["qemu-aarch64-static", "-L", str(target_root), str(program), *args],
                          capture_output=True, text=True, timeout=60, check=True).stdout
