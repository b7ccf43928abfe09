"""Two forwarded TCP ports under passt, and a forward bound to another address (issue 14,
item 7): examples/websrv behind `-p A:8080 -p 127.0.0.2:B:8080 --net-backend passt`, with 32
concurrent clients on each port at once. Before the fix passt refused the two forwards
("Invalid port specifier") and the run fell back to slirp."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from lib.guest import UNIBUILD
from lib.netutil import free_port, needs_real_passt
from unibuild.paths import PROJECT_ROOT

pytestmark = [pytest.mark.boot,
              pytest.mark.skipif(shutil.which("passt") is None, reason="passt not installed")]

WEBSRV = PROJECT_ROOT / "build/examples/websrv/websrv-static"


def _ask(address: str, port: int) -> bytes:
    with socket.create_connection((address, port), timeout=60) as c:
        c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = bytearray()
        while chunk := c.recv(65536):
            data += chunk
        return bytes(data)


@needs_real_passt
def test_two_ports_under_passt_serve_32_concurrent_clients_each():
    subprocess.run(["make", "-s", "-C", str(PROJECT_ROOT / "examples/websrv")], check=True)
    first, second = free_port(), free_port()
    proc = subprocess.Popen([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "200", "--net-backend", "passt",
                             "-p", f"{first}:8080", "-p", f"127.0.0.2:{second}:8080", str(WEBSRV), "8080"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while not proc.stdout.readline().startswith("websrv: listening"):
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        targets = [("127.0.0.1", first)] * 32 + [("127.0.0.2", second)] * 32
        with ThreadPoolExecutor(max_workers=64) as pool:
            answers = list(pool.map(lambda t: _ask(*t), targets))
        assert all(a.startswith(b"HTTP/1.1 200 OK\r\n") for a in answers)
        # The second forward listens on 127.0.0.2 only, as -p ADDR:HOST:GUEST asked.
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", second), timeout=10).close()
    finally:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert "slirp" not in err, err   # no fallback warning: passt took both forwards
