"""The guest's TCP initial sequence numbers are unguessable (RFC 6528, as Linux's secure_tcp_seq):
a keyed hash of each connection's addresses and ports plus a clock, so the SYN-ACKs of successive
connections scatter over the 32-bit space. lwIP's own choice (6510 plus its tick count, summed)
keeps every boot's numbers within a few million of each other, which an off-path host can guess.
Read from the guest's frames (`unibuild run --pcap`)."""

from __future__ import annotations

import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from lib.netutil import free_port

from unibuild.paths import PROJECT_ROOT

pytestmark = pytest.mark.boot

WEBSRV = PROJECT_ROOT / "build/examples/websrv/websrv-static"
CONNECTIONS = 6


def syn_ack_sequences(pcap: Path, server_port: int) -> list[int]:
    """The sequence number of every SYN-ACK the server port sent (Ethernet, IPv4, TCP)."""
    data = pcap.read_bytes()
    out, at = [], 24                      # the global header
    while at + 16 <= len(data):
        incl = struct.unpack_from("<I", data, at + 8)[0]
        frame = data[at + 16:at + 16 + incl]
        at += 16 + incl
        if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
            continue
        tcp = frame[14 + (frame[14] & 15) * 4:]
        sport, seq, flags = struct.unpack_from(">H", tcp, 0)[0], struct.unpack_from(">I", tcp, 4)[0], tcp[13]
        if sport == server_port and flags & 0x12 == 0x12:
            out.append(seq)
    return out


def test_syn_acks_start_at_unpredictable_sequence_numbers(tmp_path):
    subprocess.run(["make", "-s", "-C", str(PROJECT_ROOT / "examples/websrv")], check=True)
    port, pcap = free_port(), tmp_path / "guest.pcap"
    proc = subprocess.Popen([sys.executable, "-m", "unibuild", "run", "--accel", "tcg", "--timeout", "120",
                             "--pcap", str(pcap), "-p", f"{port}:8080", str(WEBSRV), "8080", str(CONNECTIONS)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while not (line := proc.stdout.readline()).startswith("websrv: listening"):
            assert line or proc.poll() is None, f"websrv did not come up (exit {proc.poll()})"
            assert time.monotonic() < deadline, "websrv did not come up in 90 s"
        for _ in range(CONNECTIONS):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as answer:
                assert answer.status == 200
        proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    seqs = syn_ack_sequences(pcap, 8080)
    assert len(seqs) == CONNECTIONS, seqs
    # Six uniform 32-bit values share at most two top bytes about once in 10^8 runs; numbers
    # within a few million of each other (lwIP's summed ticks) never have more than two.
    assert len({s >> 24 for s in seqs}) >= 3, [hex(s) for s in seqs]
