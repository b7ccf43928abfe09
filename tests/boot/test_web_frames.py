"""The frames a served request costs, counted by the kernel's profile (`--kopt profile`): what
Linux's TCP would send for the same exchange, no more. Under TCG every frame crossing QEMU and
passt costs host wake-ups, so a frame Linux would not send is a cost (issue 17)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time

import pytest
from lib.netutil import free_port

from unibuild.paths import PROJECT_ROOT

pytestmark = pytest.mark.boot

WEBSRV = PROJECT_ROOT / "build/examples/websrv/websrv-static"
ROUNDS = 3


def exchange(port: int, client_closes_first: bool) -> bytes:
    """One request on its own connection. The server closes first when asked to (HTTP
    `Connection: close`); otherwise the client half-closes after the answer and reads the EOF."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as c:
        ask = b"keep-alive" if client_closes_first else b"close"
        c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: " + ask + b"\r\n\r\n")
        data = bytearray()
        while b"</html>" not in data:
            chunk = c.recv(4096)
            if not chunk:
                break
            data += chunk
        if client_closes_first:
            c.shutdown(socket.SHUT_WR)
        while chunk := c.recv(4096):
            data += chunk
        return bytes(data)


def sent_frames(console: str) -> dict[str, int]:
    line = re.search(r"profile: \d+ frames sent: (.*)", console)
    assert line, console
    return {k: int(v) for k, v in (re.fullmatch(r"(.+) (\d+)", part.strip()).groups()
                                   for part in line.group(1).split(","))}


def test_answers_leave_with_their_fin_and_a_peer_fin_is_acked_with_ours():
    subprocess.run(["make", "-s", "-C", str(PROJECT_ROOT / "examples/websrv")], check=True)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "unibuild", "run", "--accel", "tcg", "--timeout", "120",
                             "--kopt", "profile", "-p", f"{port}:8080", str(WEBSRV), "8080", str(2 * ROUNDS)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while not (line := proc.stdout.readline()).startswith("websrv: listening"):
            assert line or proc.poll() is None, f"websrv did not come up (exit {proc.poll()})"
            assert time.monotonic() < deadline, "websrv did not come up in 90 s"
        # Client-first rounds before: websrv exits after its last answer, which closes first.
        answers = [exchange(port, client_closes_first=True) for _ in range(ROUNDS)]
        answers += [exchange(port, client_closes_first=False) for _ in range(ROUNDS)]
        console, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert all(a.startswith(b"HTTP/1.1 200 OK\r\n") for a in answers), [a[:40] for a in answers]
    sent = sent_frames(console)
    # send() then close(): the answer and the FIN are one segment, as Linux sends them when the
    # close follows before the data left (a bare FIN after the data would be a frame more).
    assert sent.get("data+fin", 0) == ROUNDS, sent
    # The client's FIN is acknowledged by our FIN+ACK when the program closes in answer
    # (Linux delays that ACK); only the connections we closed first need a pure ACK of theirs
    # (the last one's FIN may come after websrv exited: the exit waits for our FIN's ACK only).
    assert ROUNDS - 1 <= sent.get("pure ack", 0) <= ROUNDS, sent
    assert sent.get("fin", 0) == ROUNDS and sent.get("data", 0) == ROUNDS, sent
    assert sent.get("syn-ack", 0) == 2 * ROUNDS, sent
