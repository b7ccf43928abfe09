"""A Go web server (examples/goweb, Debian's Go toolchain, static linux/arm64) in our kernel:
the Go runtime needs threads, futexes, signals on an alternate stack (goroutine preemption),
timers and epoll all at once. Served through `unibuild run -p` and fetched from pytest."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from lib.netutil import free_port, get_text as get

from unibuild.paths import PROJECT_ROOT

pytestmark = pytest.mark.boot

UNIBUILD = [sys.executable, "-m", "unibuild"]
GOWEB = PROJECT_ROOT / "build/examples/goweb/goweb"
REQUESTS = 1 + 1 + 120          # the two pages below, then the concurrent batch


def test_go_server_answers_concurrent_clients_and_exits_cleanly():
    subprocess.run(["make", "-s", "-C", str(PROJECT_ROOT / "examples/goweb")], check=True)
    port = free_port()
    proc = subprocess.Popen([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "240", "-p", f"{port}:8080",
                             str(GOWEB), "8080", str(REQUESTS)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 120
        while not (lines and lines[-1].startswith("goweb: listening")):
            line = proc.stdout.readline()
            if not line and proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"goweb did not come up (exit {proc.poll()}): {proc.stderr.read()}")
            lines.append(line)
        # 100 goroutines each sent n*n for n in 0..99 through a channel.
        assert lines == [f"goweb: goroutines ok (sum {sum(n * n for n in range(100))}), 1 CPU\n",
                         "goweb: listening on port 8080\n"]
        assert get(port, "/hello") == (200, "hello from goweb: /hello\n")
        assert get(port, "/squares") == (200, f"{sum(n * n for n in range(50))}\n")
        with ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(lambda i: get(port, f"/r{i}"), range(120)))
        assert answers == [(200, f"hello from goweb: /r{i}\n") for i in range(120)]
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()
