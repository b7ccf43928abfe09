"""--kopt strace against strace(1): tests/boot/guest/straced.c built for aarch64 runs under our
kernel, and built for this host runs under the host's strace; the lines between its two marker
calls must be the same once strace's column padding and our thread prefix are set aside. Both
builds use glibc, and the program uses the *at calls, so both make the same system calls."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile

import pytest

from lib.guest import CC, GUEST_SOURCES, run

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "straced.c"


def window(text: str) -> list[str]:
    """The calls from the first marker to the last, each as `name(args) = result`."""
    lines = [re.sub(r"^\[\d+\] ", "", l) for l in text.splitlines()]
    lines = [re.sub(r"\)\s+= ", ") = ", l) for l in lines]
    begin = next(i for i, l in enumerate(lines) if '"strace-begin"' in l)
    end = next(i for i, l in enumerate(lines) if '"strace-end"' in l)
    return lines[begin:end + 1]


@pytest.mark.skipif(shutil.which("strace") is None or shutil.which("gcc") is None,
                    reason="the oracle needs the host's strace and gcc")
def test_strace_lines_match_strace(tmp_path, target_root):
    guest, host = tmp_path / "straced", tmp_path / "straced-host"
    subprocess.run([CC, "-O2", "-static", "-o", str(guest), str(SOURCE)], check=True)
    subprocess.run(["gcc", "-O2", "-o", str(host), str(SOURCE)], check=True)
    with tempfile.TemporaryDirectory() as workdir:
        oracle = subprocess.run(["strace", "-o", "/dev/stdout", str(host), workdir], capture_output=True,
                                text=True, timeout=60)
    if oracle.returncode != 3:
        pytest.skip(f"strace cannot trace here: {oracle.stderr.strip()}")
    ours = run(guest, "/tmp", options=("--kopt", "strace"))
    assert ours.returncode == 3, ours.stderr
    expected = window(oracle.stdout)
    # x86-64's glibc 2.36 asks for faccessat2 only with flags; arm64's always does.
    expected = [l.replace("faccessat(", "faccessat2(").replace("F_OK)", "F_OK, 0)").replace("W_OK)", "W_OK, 0)")
                for l in expected]
    assert window(ours.stderr) == expected


def test_strace_prints_exit_group_before_it_runs(programs, target_root):
    r = run(programs["hello-static"], options=("--kopt", "strace"))
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines()[-1] == "[1] exit_group(0) = ?"
