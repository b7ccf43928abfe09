"""timerfd, signalfd and inotify against Linux: tests/boot/guest/notify.c under
qemu-aarch64-static in a tmpfs directory (qemu-user passes these calls to the host kernel, and
translates timerfd's and signalfd's structures) and under our kernel in its /tmp."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, oracle_in_tmpfs, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "notify.c"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[str, subprocess.CompletedProcess]:
    probe = tmp_path_factory.mktemp("notify") / "notify"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-o", str(probe), str(SOURCE)], check=True)
    oracle = oracle_in_tmpfs(probe)
    ours = run(probe, "/tmp")
    assert ours.returncode == 0, ours.stderr
    return oracle, ours


@pytest.mark.parametrize("section, what", [("1", "timerfd"), ("2", "signalfd"), ("3", "inotify")])
def test_event_descriptors_behave_as_on_linux(outputs, section, what):
    oracle, ours = outputs
    assert sections(ours.stdout).get(section) == sections(oracle)[section], what


def test_notify_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""
