"""AF_UNIX sockets against Linux: socketpairs of every type, pathname and abstract names,
listen/connect/accept, datagram addressing, shutdown, EOF and the errors around them. The oracle
is the same program under qemu-aarch64-static in a fresh host directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from unibuild.paths import PROJECT_ROOT

pytestmark = pytest.mark.boot

SOURCE = PROJECT_ROOT / "tests/boot/guest/unixsock.c"
UNIBUILD = [sys.executable, "-m", "unibuild"]


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("unix") / "unixsock"
    subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-Wall", "-static", "-o", str(out), str(SOURCE)], check=True)
    return out


def test_unix_sockets_behave_as_on_linux(probe, tmp_path):
    workdir = tmp_path / "work"
    workdir.mkdir()
    oracle = subprocess.run(["qemu-aarch64-static", str(probe), str(workdir)], capture_output=True, text=True,
                            timeout=60, check=True)
    ours = subprocess.run([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "60", "--net", "none", str(probe), "/tmp"],
                          capture_output=True, text=True, timeout=120)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == oracle.stdout
    assert ours.stderr == ""
