"""Background instances (issue 14, item 9): `unibuild run -d` starts a real guest (TCG) and
returns; `ps` lists it, `logs` shows its output, `stop` stops it, after which `ps` no longer
lists it and `ps -a` shows its exit status; `rm` removes it. The instance store lives in a
private XDG_RUNTIME_DIR, and every wait is bounded."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request

import pytest

from lib.guest import UNIBUILD
from lib.netutil import free_port
from unibuild.paths import PROJECT_ROOT

pytestmark = pytest.mark.boot

WEBSRV = PROJECT_ROOT / "build/examples/websrv/websrv-static"
HELLO = PROJECT_ROOT / "build/examples/hello/hello-static"


@pytest.fixture
def cli(tmp_path):
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}

    def run(*args, timeout=60):
        return subprocess.run([*UNIBUILD, *args], capture_output=True, text=True, timeout=timeout, env=env)
    yield run
    # Whatever a failing test left running is stopped (bounded), then removed.
    for name in run("ps", "-a").stdout.splitlines()[1:]:
        run("rm", "-f", name.split()[0])


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _names(ps_output: str) -> list[str]:
    return [line.split()[0] for line in ps_output.splitlines()[1:]]


def test_an_instance_is_started_listed_read_stopped_and_gone(cli):
    subprocess.run(["make", "-s", "-C", str(PROJECT_ROOT / "examples/websrv")], check=True)
    port = free_port()
    started = time.monotonic()
    r = cli("run", "-d", "--name", "web", "--accel", "tcg", "--timeout", "300", "-p", f"{port}:8080",
            str(WEBSRV), "8080")
    assert (r.returncode, r.stdout) == (0, "web\n"), r.stderr
    assert time.monotonic() - started < 20   # it returned without waiting for the guest

    ps = cli("ps")
    assert _names(ps.stdout) == ["web"] and "running" in ps.stdout
    _wait_for(lambda: "websrv: listening" in cli("logs", "web").stdout, 90, "websrv's first line")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as page:
        assert page.status == 200

    r = cli("stop", "web")
    assert (r.returncode, r.stdout) == (0, "web\n"), r.stderr
    assert _names(cli("ps").stdout) == []
    everything = cli("ps", "-a").stdout
    assert _names(everything) == ["web"] and "exited (130)" in everything
    r = cli("rm", "web")
    assert r.returncode == 0 and _names(cli("ps", "-a").stdout) == []


def test_logs_follow_ends_with_the_instance_and_its_status_is_kept(cli):
    subprocess.run(["make", "-s", "-C", str(PROJECT_ROOT / "examples/hello")], check=True)
    r = cli("run", "-d", "--accel", "tcg", "--timeout", "90", "--net", "none", str(HELLO), "a")
    name = r.stdout.strip()
    assert r.returncode == 0 and name == "hello-static-1", r.stderr
    follow = cli("logs", "-f", name, timeout=120)
    assert follow.stdout.startswith("hello world!\n"), follow.stderr
    assert "exited (0)" in cli("ps", "-a").stdout
    again = cli("run", "-d", "--name", name, "--net", "none", str(HELLO))
    assert again.returncode == 125 and "exists" in again.stderr
    running = cli("rm", "no-such")
    assert running.returncode == 125 and running.stderr.startswith("unibuild: no instance named")
