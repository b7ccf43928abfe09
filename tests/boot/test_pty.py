"""Pseudo-terminals against Linux: /dev/ptmx and /dev/pts, the slave's stat and name, N_TTY's
termios, line editing, echo, VMIN/VTIME and output processing, ISIG and SIGWINCH, controlling
terminals and job control, the hangup, readiness, openpty/forkpty/login_tty — one guest program
(tests/boot/guest/ptyconf.c), one boot, diffed section by section against the same static
binary under qemu-aarch64-static (which hands the probe's own ptys to this host's kernel).
Then python3's pty module: pty.fork and a child that reads a line and echoes it, against the
target root's python3 under qemu-aarch64-static; and CPython's own test_pty, test_openpty and
test_os's openpty test, where a root has the test suite."""

from __future__ import annotations

import pytest

from lib.guest import PROJECT_ROOT, build_static, oracle, replace_lines, run, sections

pytestmark = pytest.mark.boot

# Where qemu-user 7.2, not Linux, decides: it has no TIOCGPTLCK or TIOCGPKT (ENOSYS; Linux's
# pty_unix98_ioctl answers the lock, 1 before unlockpt and 0 after, and the packet mode) and does
# not copy TIOCGSID's answer back (Linux's tiocgsid writes the session the slave controls: the
# child's).
QEMU_USER = {
    "   TIOCGPKT = -1 ENOSYS": "   TIOCGPKT = 0",
    "   packet mode before -1": "   packet mode before 0",
    "   packet mode after TIOCPKT -1": "   packet mode after TIOCPKT 1",
    "   TIOCGPTLCK = -1 ENOSYS": "   TIOCGPTLCK = 0",
    "   locked before unlockpt -1": "   locked before unlockpt 1",
    "   locked after unlockpt -1": "   locked after unlockpt 0",
    "   it is the child's 0 (unchanged 1)": "   it is the child's 1 (unchanged 0)",
}

PYTHON_ROOT = PROJECT_ROOT / "build" / "target-root-python3"
# A root with CPython's own test suite (libpython3.11-testsuite): its expectations are Linux's.
PYTESTS_ROOT = PROJECT_ROOT / "build" / "target-root-pytests"

PTY_FORK = """
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    line = sys.stdin.readline()
    print("child read", repr(line), "tty", os.isatty(0), os.ttyname(0).startswith("/dev/pts/"))
    sys.exit(7)
os.write(fd, b"hello pty\\n")
out = b""
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:          # EIO: the child's side closed
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
print(out.decode().replace("\\r", "<CR>"), end="")
print("status", os.waitstatus_to_exitcode(status))
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    return build_static("ptyconf.c", tmp_path_factory.mktemp("pty"))


def test_ptys_behave_as_on_linux(probe):
    expected = sections(replace_lines(oracle(probe), QEMU_USER))
    ours = run(probe)
    assert ours.returncode == 0, ours.stderr
    assert ours.stderr == ""
    got = sections(ours.stdout)
    assert list(got) == list(expected)
    for key in expected:
        assert got[key] == expected[key], f"section {key}"


def test_python_pty_fork_child_reads_a_line():
    if not (PYTHON_ROOT / "usr" / "bin" / "python3").exists():
        pytest.skip("no python3 target root (build/target-root-python3)")
    expected = oracle(PYTHON_ROOT / "usr" / "bin" / "python3", "-c", PTY_FORK, target_root=PYTHON_ROOT)
    assert "child read 'hello pty\\n'" in expected        # the oracle itself went through the pty
    ours = run("/usr/bin/python3", "-c", PTY_FORK, target_root=PYTHON_ROOT, timeout=240)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == expected


def test_cpython_pty_tests_pass():
    if not (PYTESTS_ROOT / "usr" / "lib" / "python3.11" / "test" / "test_pty.py").exists():
        pytest.skip("no target root with CPython's test suite (build/target-root-pytests)")
    ours = run("/usr/bin/python3", "-m", "test", "test_pty", "test_openpty", "test_os", "-m", "*pty*", "-m", "*Pty*",
               target_root=PYTESTS_ROOT, timeout=240)
    assert ours.returncode == 0, ours.stdout + ours.stderr
    assert "== Tests result: SUCCESS ==" in ours.stdout
