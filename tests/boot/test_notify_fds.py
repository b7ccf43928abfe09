"""timerfd, signalfd and inotify against Linux: tests/boot/guest/notify.c under
qemu-aarch64-static in a tmpfs directory (qemu-user passes these calls to the host kernel, and
translates timerfd's and signalfd's structures) and under our kernel in its /tmp."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from lib.guest import CC, GUEST_SOURCES, run

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "notify.c"


def tmpfs_dir() -> Path:
    for line in Path("/proc/mounts").read_text().splitlines():
        fields = line.split()
        if fields[2] == "tmpfs" and fields[1] in ("/dev/shm", "/run/shm", "/tmp"):
            return Path(tempfile.mkdtemp(dir=fields[1], prefix="unibuild-oracle-"))
    pytest.skip("no tmpfs mounted at /dev/shm or /tmp for the Linux oracle")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[str, subprocess.CompletedProcess]:
    probe = tmp_path_factory.mktemp("notify") / "notify"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-o", str(probe), str(SOURCE)], check=True)
    workdir = tmpfs_dir()
    try:
        oracle = subprocess.run(["qemu-aarch64-static", str(probe), str(workdir)], capture_output=True, text=True,
                                timeout=120, check=True).stdout
    finally:
        subprocess.run(["rm", "-rf", str(workdir)], check=True)
    ours = run(probe, "/tmp")
    assert ours.returncode == 0, ours.stderr
    return oracle, ours


def sections(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    key = ""
    for line in text.splitlines(keepends=True):
        if line[:1].isdigit():
            key = line.split(".")[0]
        out[key] = out.get(key, "") + line
    return out


@pytest.mark.parametrize("section, what", [("1", "timerfd"), ("2", "signalfd"), ("3", "inotify")])
def test_event_descriptors_behave_as_on_linux(outputs, section, what):
    oracle, ours = outputs
    assert sections(ours.stdout).get(section) == sections(oracle)[section], what


def test_notify_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""
