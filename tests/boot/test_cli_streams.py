"""`unibuild run`'s standard streams as a shell user meets them (issue 14, items 1 and 2): a
reader that leaves early (`| head`), a full disk (/dev/full), and the program's stdin from a
pipe, a file or nothing. Every run is bounded by an outer timeout: a hang fails the test."""

from __future__ import annotations

import hashlib
import json
import shlex
import subprocess

import pytest

from lib.guest import UNIBUILD
from unibuild.paths import BUILD_DIR

pytestmark = pytest.mark.boot

PYTHON_ROOT = BUILD_DIR / "target-root-python3"


@pytest.fixture(scope="module")
def python3() -> list[str]:
    subprocess.run([*UNIBUILD, "target-root", "create", str(PYTHON_ROOT), "--package", "python3"],
                   check=True, stdout=subprocess.DEVNULL)
    return [*UNIBUILD, "run", "--accel", "tcg", "--timeout", "90", "--net", "none",
            "--target-root", str(PYTHON_ROOT), "/usr/bin/python3", "-c"]


COUNT = "for i in range(200000): print(i)"


def test_a_reader_that_leaves_ends_the_run_at_once_with_the_sigpipe_status(python3):
    shell = f"{shlex.join([*python3, COUNT])} | head -2; echo status=${{PIPESTATUS[0]}}"
    r = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=60)
    assert r.stdout == "0\n1\nstatus=141\n", r.stderr
    assert "Traceback" not in r.stderr and r.stderr == ""


def test_a_full_stdout_is_one_line_and_unibuilds_own_status(python3):
    with open("/dev/full", "w") as full:
        r = subprocess.run([*python3, COUNT], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert r.returncode == 125
    assert r.stderr.splitlines() == ["unibuild: cannot write the program's output: No space left on device; "
                                     "guest stopped"]


READ_ALL = "import sys; print(repr(sys.stdin.read()))"


def test_piped_stdin_reaches_the_program_and_its_end_is_end_of_file(python3):
    r = subprocess.run([*python3, READ_ALL], input="hello\n", capture_output=True, text=True, timeout=120)
    assert (r.returncode, r.stdout) == (0, "'hello\\n'\n"), r.stderr


def test_no_stdin_reads_as_end_of_file(python3):
    r = subprocess.run([*python3, READ_ALL], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=120)
    assert (r.returncode, r.stdout) == (0, "''\n"), r.stderr


def test_binary_stdin_larger_than_the_kernels_buffer_arrives_exactly(python3, tmp_path):
    # Every byte value, DLE (the framing's escape) included, and more than the console's 4 KiB
    # buffer, so the UART's flow control is exercised too.
    data = bytes(range(256)) * 64 + bytes([0x10, ord("z"), 0x10, 0x10]) * 100
    source = tmp_path / "in.bin"
    source.write_bytes(data)
    digest = "import sys,hashlib; d=sys.stdin.buffer.read(); print(len(d), hashlib.sha256(d).hexdigest())"
    with source.open("rb") as stdin:
        r = subprocess.run([*python3, digest], stdin=stdin, capture_output=True, text=True, timeout=120)
    assert (r.returncode, r.stdout) == (0, f"{len(data)} {hashlib.sha256(data).hexdigest()}\n"), r.stderr


def test_a_program_waits_for_stdin_lines_as_they_come(python3):
    """A filter reading line by line answers each line before the next one is written."""
    echo = "import sys\nfor line in sys.stdin: print(line.strip().upper(), flush=True)"
    proc = subprocess.Popen([*python3, echo], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        for word in ("one", "two"):
            proc.stdin.write(word + "\n")
            proc.stdin.flush()
            assert proc.stdout.readline() == word.upper() + "\n"
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        proc.wait()


def test_quiet_leaves_out_the_kernels_lines_and_json_reports_the_result(python3):
    wait = "import time; time.sleep(4); print('done')"
    with_net = [a for a in python3 if a not in ("--net", "none")]
    loud = subprocess.run([*with_net, wait], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert loud.returncode == 0 and "en1: assigned" in loud.stderr, loud.stderr
    quiet = subprocess.run([*with_net[:4], "--quiet", "--json", "-", *with_net[4:], wait], capture_output=True,
                           text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert (quiet.returncode, quiet.stdout) == (0, "done\n"), quiet.stderr
    lines = quiet.stderr.splitlines()
    assert len(lines) == 1, quiet.stderr   # the JSON result only: no en1 lines
    report = json.loads(lines[0])
    assert (report["status"], report["kind"], report["error"]) == (0, "program", None)
    assert set(report["timings"]) >= {"image", "boot"} and report["timings"]["boot"] > 3


def test_a_program_status_is_its_own_and_unibuilds_failures_are_125(python3):
    assert subprocess.run([*python3, "import sys; sys.exit(2)"], capture_output=True, timeout=120,
                          stdin=subprocess.DEVNULL).returncode == 2
    bad = subprocess.run([*python3[:4], "--smp", "0", *python3[4:], "pass"], capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 125 and bad.stderr.startswith("unibuild: ")
