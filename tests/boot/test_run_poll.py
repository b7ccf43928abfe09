"""Pipes, eventfd, poll/select and epoll in the real kernel, compared line by line with the same
guest program on Linux (qemu-aarch64-static runs it on this host's kernel)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lib.guest import CC, oracle, run
from unibuild.paths import PROJECT_ROOT

pytestmark = pytest.mark.boot


@pytest.fixture(scope="module")
def poll_program(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("guest") / "poll"
    subprocess.run([CC, "-O2", "-Wall", "-o", str(out), str(PROJECT_ROOT / "tests/boot/guest/poll.c")],
                   check=True)
    return out


@pytest.mark.parametrize("case", ["pipe", "eventfd", "poll", "select", "epoll"])
def test_pollable_files_behave_like_linux(poll_program, target_root, case):
    r = run(poll_program, case)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == oracle(poll_program, case)


def test_write_to_a_pipe_without_reader_raises_sigpipe_pending_while_blocked(poll_program, target_root):
    linux = subprocess.run(["qemu-aarch64-static", "-L", str(target_root), str(poll_program), "sigpipe"],
                           capture_output=True, text=True, timeout=60)
    r = run(poll_program, "sigpipe")
    expected = "blocked: write=-1 EPIPE\n"   # blocked, SIGPIPE waits; unblocked, it kills
    assert linux.returncode == -13 and linux.stdout == expected
    assert r.returncode == 128 + 13
    assert r.stdout.startswith(expected) and "survived" not in r.stdout
