"""A `#!` script as PROGRAM: unibuild starts its interpreter as Linux's binfmt_script would. The
oracle: the argv the host kernel builds for the same `#!` line (an interpreter that prints it),
given to the same busybox from the target root under qemu-aarch64-static (`-0` sets argv[0]:
busybox runs the applet argv[0] names)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lib.guest import GUEST_SOURCES, UNIBUILD, run
from unibuild.paths import BUILD_DIR

pytestmark = pytest.mark.boot

ROOT = BUILD_DIR / "target-root-busybox"   # busybox only: /bin/sh comes from its applet links
SCRIPT = GUEST_SOURCES / "script.sh"
ARGS = ("a1", "b c", "")


def linux_argv(tmp_path: Path) -> list[str]:
    """The argv Linux builds for SCRIPT's `#!` line (interpreter swapped for a printer)."""
    printer = tmp_path / "printer"
    printer.write_text(f"#!{sys.executable}\nimport json, sys; print(json.dumps(sys.argv))\n")
    printer.chmod(0o755)
    line, rest = SCRIPT.read_text().split("\n", 1)
    interpreter, _, argument = line[2:].partition(" ")
    copy = tmp_path / SCRIPT.name
    copy.write_text(f"#!{printer} {argument}\n{rest}")
    copy.chmod(0o755)
    argv = json.loads(subprocess.run([str(copy), *ARGS], capture_output=True, text=True, check=True).stdout)
    assert argv[0] == str(printer)
    return [interpreter, *argv[1:]]


def test_a_script_runs_as_its_interpreter_with_linux_argv(tmp_path):
    subprocess.run([*UNIBUILD, "target-root", "create", str(ROOT), "--package", "busybox"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    argv = linux_argv(tmp_path)
    expected = subprocess.run(["qemu-aarch64-static", "-L", str(ROOT), "-0", argv[0], str(ROOT / "bin/busybox"),
                               *argv[1:]], capture_output=True, text=True, timeout=60, check=True).stdout
    r = run(SCRIPT, *ARGS, options=("--with", "/bin/busybox"), target_root=ROOT)
    assert (r.returncode, r.stdout) == (0, expected), r.stderr
    assert "0=script.sh #=3" in expected   # the oracle ran the script, not something else
