"""Programs that execute code they wrote (JIT-style mprotect, __clear_cache, RWX pages, files
mapped PROT_EXEC) run as on Linux: the oracle is the same static program under
qemu-aarch64-static. TCG has no caches, so this proves the paths work (the kernel's
cache_sync_for_exec runs on each and must not fault), not that the maintenance is complete:
docs/cache-maintenance.md argues that part."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from unibuild.paths import PROJECT_ROOT

pytestmark = pytest.mark.boot

SOURCE = PROJECT_ROOT / "tests/boot/guest/exec_pages.c"
UNIBUILD = [sys.executable, "-m", "unibuild"]


@pytest.fixture(scope="module")
def program(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("exec_pages") / "exec_pages"
    subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-Wall", "-static", "-o", str(out), str(SOURCE)], check=True)
    return out


def test_code_the_program_writes_runs_as_on_linux(program):
    # QEMU 7.2 gives cortex-a72 (and max) CTR_EL0 0x8444c004: IDC = DIC = 0, PIPT I-cache, so
    # the full clean-then-invalidate path runs.
    oracle = subprocess.run(["qemu-aarch64-static", str(program)], capture_output=True, text=True, timeout=60)
    assert oracle.returncode == 0 and oracle.stdout.count("\n") == 4, oracle
    ours = subprocess.run([*UNIBUILD, "run", "--accel", "tcg", "--cpu", "cortex-a72", "--timeout", "60", "--net", "none",
                           str(program)], capture_output=True, text=True, timeout=120)
    assert (ours.returncode, ours.stdout) == (0, oracle.stdout), ours.stderr
