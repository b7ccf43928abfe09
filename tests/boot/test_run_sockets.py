"""BSD sockets over lwIP in the real kernel. Loopback cases run one guest program that talks to
itself and compare its output line by line with the same program on Linux (qemu-aarch64-static);
the forwarded case has the host (Python's socket module) talk to a guest server through the
port forward of `unibuild run -p`."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest

from lib.guest import CC, UNIBUILD, oracle, run
from lib.netutil import free_port
from unibuild.paths import PROJECT_ROOT

pytestmark = pytest.mark.boot


@pytest.fixture(scope="module")
def sock_program(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("guest") / "sock"
    subprocess.run([CC, "-O2", "-Wall", "-o", str(out), str(PROJECT_ROOT / "tests/boot/guest/sock.c")],
                   check=True)
    return out


@pytest.mark.parametrize("case", ["errors", "tcp", "udp", "tcp6", "source"])
def test_loopback_sockets_behave_like_linux(sock_program, target_root, case):
    r = run(sock_program, case)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == oracle(sock_program, case)


def test_closed_connections_give_their_buffers_back(sock_program, target_root):
    """Rounds of 40 connections closed with data queued both ways: free memory must not shrink
    from round to round (a leak of the queued pbufs costs megabytes per round)."""
    r = run(sock_program, "memory")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "memory_returned=1" in r.stdout, r.stdout


def read_line(proc: subprocess.Popen, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line:
            return line.strip()
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"guest said nothing within {timeout} s (exit {proc.poll()})")


def test_host_reaches_guest_tcp_and_udp_servers_through_port_forwards(sock_program, target_root):
    port = free_port()
    cmd = [*UNIBUILD, "run", "--accel", "tcg", "--timeout", "120", "--target-root", str(target_root),
           "-p", f"{port}:7000", "-p", f"{port}:7000/udp", str(sock_program), "serve", "7000"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while line != "listening":   # the NIC's address line may come first
            line = read_line(proc, 90)
        payload = bytes(range(256)) * 4096   # 1 MiB, more than the window: the reader is slow
        with socket.create_connection(("127.0.0.1", port), timeout=60) as c:
            start = time.monotonic()
            c.sendall(payload)
            c.shutdown(socket.SHUT_WR)
            back = bytearray()
            while chunk := c.recv(65536):
                back += chunk
            elapsed = time.monotonic() - start
        assert bytes(back) == payload
        print(f"tcp echo through the forward: {2 * len(payload) / elapsed / 1e6:.1f} MB/s")
        assert read_line(proc, 30) == f"tcp echoed {len(payload)}"
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.settimeout(5)
            for _ in range(20):   # the datagram may reach the forward before the guest reads
                u.sendto(b"ping over udp", ("127.0.0.1", port))
                try:
                    data, _ = u.recvfrom(100)
                    break
                except socket.timeout:
                    continue
        assert data == b"ping over udp"
        assert read_line(proc, 30) == "udp echoed 13"
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
