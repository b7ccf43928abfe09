"""Nothing lost at exit: a program whose last act is writing a 100 KB reply has every byte
delivered (then a FIN) before the guest reports its exit status, as on Linux, whether it closed
the socket, half-closed it, or just returned from main."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest

from lib.guest import CC, UNIBUILD
from lib.netutil import free_port
from unibuild.paths import PROJECT_ROOT

pytestmark = pytest.mark.boot

BODY = 100000


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("guest") / "lastreply"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-o", str(out), str(PROJECT_ROOT / "tests/boot/guest/lastreply.c")],
                   check=True)
    return out


@pytest.mark.parametrize("how", ["exit", "close", "shutdown"])
def test_a_last_large_reply_arrives_whole(server, how):
    port = free_port()
    proc = subprocess.Popen([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "60", "-p", f"{port}:8000",
                             str(server), "8000", how], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while (line := proc.stdout.readline()) and line.strip() != "listening":
            pass
        assert line.strip() == "listening", proc.stderr.read()
        got = bytearray()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
            c.sendall(b"GET / HTTP/1.0\r\n\r\n")
            time.sleep(0.3)            # a slow client: the guest's write returns long before we read
            while chunk := c.recv(4096):
                got += chunk
        head, _, body = bytes(got).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200 OK")
        assert len(body) == BODY, f"{len(body)} of {BODY} bytes arrived"
        assert body == bytes(ord("a") + i % 26 for i in range(BODY))
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()
