"""Per-process /proc against Linux: /proc/self and /proc/thread-self name the caller (a fork's
child too); a child's /proc/<pid> read by its parent (status and stat fields, fd/ links as
Linux names them, cwd, task/, the listing of /proc), a zombie's state, a reaped pid gone — one
guest program (tests/boot/guest/proc_pid.c), one boot. The oracle is the same static binary under
qemu-aarch64-static, whose /proc is the host kernel's (Linux's) for another process. Section 3
(exe, cmdline and comm of a child before and after its execve) is the exception: qemu-user names
itself there and cannot exec an aarch64 program, so its lines are Linux's documented behaviour
(proc(5): exe the program, cmdline the new argv, comm the base name of the exec'd file)."""

from __future__ import annotations


import pytest

from lib.guest import build_static, oracle, run, sections

pytestmark = pytest.mark.boot


def test_proc_pid_directories_behave_as_on_linux(tmp_path):
    prog = build_static("proc_pid.c", tmp_path)
    expected = sections(oracle(prog))
    assert "  child exited 127\n" in expected["3"]      # qemu-user could not exec, as said above
    expected["3"] = ("3. a child's exe, cmdline and comm across execve\n"
                     "  before: exe proc_pid, cmdline [...] (ours 1), comm proc_pid\n"
                     "  after: exe proc_pid, cmdline [renamed exec-child 20 21 ] (ours 0), comm proc_pid\n"
                     "  child exited 5\n")
    ours = run(prog)
    assert ours.returncode == 0, ours.stderr
    assert ours.stderr == ""
    got = sections(ours.stdout)
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == expected[key], f"section {key}"
