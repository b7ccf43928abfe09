"""The web-server image end to end: examples/websrv in our kernel behind `unibuild run -p`,
fetched from pytest over loopback (issue 5's acceptance path)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lib.netutil import free_port

from unibuild.paths import PROJECT_ROOT

pytestmark = pytest.mark.boot

UNIBUILD = [sys.executable, "-m", "unibuild"]
WEBSRV = PROJECT_ROOT / "build/examples/websrv/websrv-static"


@pytest.fixture(scope="module")
def server():
    """websrv serving on a forwarded port until the module's tests are done."""
    subprocess.run(["make", "-s", "-C", str(PROJECT_ROOT / "examples/websrv")], check=True)
    port = free_port()
    proc = subprocess.Popen([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "300", "-p", f"{port}:8080",
                             str(WEBSRV), "8080"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:   # listening once the server's line appears
            line = proc.stdout.readline()
            if line.startswith("websrv: listening"):
                break
            if not line and proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"websrv did not come up (exit {proc.poll()}): {proc.stderr.read()}")
        yield port
    finally:
        proc.kill()
        proc.wait()


def get(port: int, path: str = "/") -> tuple[int, bytes]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as r:
        return r.status, r.read()


def test_front_page_is_served(server):
    status, body = get(server)
    assert status == 200 and b"<html" in body.lower()


def test_a_large_body_arrives_whole(server):
    status, body = get(server, "/bytes/1048576")   # websrv's largest: more than the TCP window
    assert status == 200 and body == b"x" * 1048576


def test_200_concurrent_connections_are_all_served(server):
    """All 200 connections are open at once before any request is sent, then each asks."""
    conns = [socket.create_connection(("127.0.0.1", server), timeout=120) for _ in range(200)]
    try:
        def ask(c: socket.socket) -> bytes:
            c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = bytearray()
            while chunk := c.recv(65536):
                data += chunk
            return bytes(data)

        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = list(pool.map(ask, conns))
    finally:
        for c in conns:
            c.close()
    assert all(a.startswith(b"HTTP/1.1 200 OK\r\n") for a in answers), [a[:40] for a in answers if not a.startswith(b"HTTP/1.1 200")][:3]


def _ppid(proc_dir: Path) -> int:
    try:   # the fields after the parenthesised command name: state, ppid, ...
        return int((proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def test_qemu_does_not_outlive_a_killed_unibuild():
    """SIGKILL skips every cleanup handler; the kernel's parent-death signal still stops QEMU."""
    proc = subprocess.Popen([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "120", "--net", "none",
                             str(WEBSRV), "8080"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith("websrv: listening"), proc.stderr.read()
        children = [d.name for d in Path("/proc").iterdir() if d.name.isdigit() and
                    (d / "stat").exists() and _ppid(d) == proc.pid]
        assert children, "no QEMU child found"
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [pid for pid in children if Path(f"/proc/{pid}").exists() and
             "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()]
    assert alive == []
