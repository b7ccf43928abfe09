"""Processes against Linux: fork/wait statuses, copy-on-write, pipes between children, vfork +
exec, `#!` scripts, O_CLOEXEC, SIGCHLD, waitid, orphans, process groups and kill(-pgid) — one
guest program (tests/boot/guest/processes.c), one boot. The oracle is the same static binary
under qemu-aarch64-static; qemu-user cannot execve an aarch64 program without binfmt_misc (it
exits 127 there), so for the two exec sections the lines the exec'd program prints are Linux's
documented behaviour, written out below."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, oracle, run, sections

pytestmark = pytest.mark.boot

# What execve gives the new program on Linux (execve(2), binfmt_script): argv as passed, a
# close-on-exec descriptor closed, an inherited one open, the new environment, handlers reset.
# A script runs as: interpreter, its one optional argument, the script's path, argv[1...].
EXEC_SECTION_LINES = {
    "4": ("  exec'd child: exited 127\n",
          "  exec'd: [exec-child] [one] [two words] pid==tid 1 fd5 closed fd6 open env yes\n"
          "  SIGUSR1 after exec: default\n"
          "  exec'd child: exited 7\n"),
    "5": ("  script: exited 127\n",
          "  exec'd: [exec-child] [/tmp/probe-script] [arg1] pid==tid 1 fd5 closed fd6 open env -\n"
          "  SIGUSR1 after exec: default\n"
          "  script: exited 7\n"),
    # Linux's de_thread: the other threads end, the exec'ing one takes the process's id.
    "9": ("  threaded exec: exited 127\n",
           "  exec'd: [exec-child] [from a thread] pid==tid 1 fd5 closed fd6 open env -\n"
           "  SIGUSR1 after exec: default\n"
           "  threaded exec: exited 7\n"),
}


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    out = tmp_path_factory.mktemp("processes") / "processes"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-o", str(out), str(GUEST_SOURCES / "processes.c")], check=True)
    return out


def test_processes_behave_as_on_linux(probe):
    expected = sections(oracle(probe))
    for key, (qemu_user_line, linux_lines) in EXEC_SECTION_LINES.items():
        assert qemu_user_line in expected[key]          # the oracle could not exec, as said above
        expected[key] = expected[key].replace(qemu_user_line, linux_lines)
    ours = run(probe)
    assert ours.returncode == 0, ours.stderr
    assert ours.stderr == ""                            # a child's segfault is its parent's to report
    got = sections(ours.stdout)
    for key in expected:
        assert got.get(key) == expected[key], f"section {key}"


def test_fork_bomb_eagain_big_fork_copy_on_write_and_oom_kills_only_the_child(probe):
    # 128 MiB: the child runs out of memory in seconds; 512 processes still fit.
    ours = run(probe, "limits", options=("-m", "128M"))
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == ("bomb: stopped by EAGAIN after more than 100: 1, all reaped: 1, fork after: 6\n"
                           "cow: fork of 80 MiB took less than 4 MiB: 1, child sees 8 7\n"
                           "cow: parent still sees 7, child exited\n"
                           "oom: child killed by 9\noom: fork after: 3\n")
    assert ours.stderr.startswith("out of memory: killed at page fault "), ours.stderr
