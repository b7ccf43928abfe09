"""`unibuild run` starts QEMU before its image and kernel checks end, with the files the last
run booted (unibuild/early_start.py); that QEMU may run the guest only if the checks end on
those very files. A program rewritten in place between two runs (same path, same request, so the
same cache entry) must be the one that runs, and a run whose image is unchanged must use the
early QEMU (or the early start would be dead code)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from lib.guest import CC, TARGET_ROOT, UNIBUILD

pytestmark = pytest.mark.boot

OTHER = '#include <stdio.h>\nint main(void) { puts("the other program"); return 3; }\n'


def _run(program: Path, cache: Path) -> subprocess.CompletedProcess:
    cmd = [*UNIBUILD, "run", "--accel", "tcg", "--net", "none", "--timeout", "90", "--timings",
           "--target-root", str(TARGET_ROOT), str(program), "arg"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "UNIBUILD_IMAGE_CACHE": str(cache)})


def _boot_line(r: subprocess.CompletedProcess) -> str:
    """--timings' boot phase: `unibuild:   START +  LENGTH  boot (notes)`."""
    return next(m.group(1) for line in r.stderr.splitlines()
                if (m := re.match(r"^unibuild:\s+[0-9.]+ \+\s*[0-9.]+  (boot.*)$", line)))


def test_an_unchanged_image_boots_in_the_early_qemu_and_a_changed_one_does_not(programs, target_root, tmp_path):
    cache, prog = tmp_path / "cache", tmp_path / "prog"
    prog.write_bytes(programs["hello"].read_bytes())
    first = _run(prog, cache)                     # nothing cached yet: no early start
    assert (first.returncode, first.stdout) == (0, "hello world!\nargs:\n  arg\n"), first.stderr
    assert "QEMU started early" not in _boot_line(first)
    second = _run(prog, cache)
    assert (second.returncode, second.stdout) == (0, first.stdout), second.stderr
    assert "QEMU started early" in _boot_line(second)
    source = tmp_path / "other.c"
    source.write_text(OTHER)
    subprocess.run([CC, "-O2", "-o", str(prog), str(source)], check=True)   # the same path, rewritten
    third = _run(prog, cache)
    assert (third.returncode, third.stdout) == (3, "the other program\n"), third.stderr
    assert "QEMU started early" not in _boot_line(third)
    assert "image (built)" in third.stderr
