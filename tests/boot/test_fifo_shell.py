"""Named pipes from a shell script: tests/boot/guest/fifo.sh (mkfifo, a background writer into a
reading cat, exec 3<> on a FIFO, a read loop) under busybox's sh. The oracle: the same busybox
from the target root under qemu-aarch64-static, in a fresh tmpfs directory (busybox's sh runs its
applets itself, so no host binary is involved)."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import GUEST_SOURCES, UNIBUILD, run, tmpfs_dir
from unibuild.paths import BUILD_DIR

pytestmark = pytest.mark.boot

ROOT = BUILD_DIR / "target-root-busybox"   # busybox only: /bin/sh comes from its applet links
SCRIPT = GUEST_SOURCES / "fifo.sh"


def test_a_shell_script_uses_fifos_as_on_linux():
    subprocess.run([*UNIBUILD, "target-root", "create", str(ROOT), "--package", "busybox"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workdir = tmpfs_dir()
    try:
        expected = subprocess.run(["qemu-aarch64-static", "-L", str(ROOT), str(ROOT / "bin/busybox"), "sh", "-eu",
                                   str(SCRIPT), str(workdir)], capture_output=True, text=True, timeout=60,
                                  check=True).stdout
    finally:
        subprocess.run(["rm", "-rf", str(workdir)], check=True)
    assert "read back: held open" in expected   # the oracle ran the script to its end
    r = run(SCRIPT, "/tmp", options=("--with", "/bin/busybox"), target_root=ROOT)
    assert (r.returncode, r.stdout, r.stderr) == (0, expected, "")
