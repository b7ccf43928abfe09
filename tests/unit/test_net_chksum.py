"""The network's checksum sum (kernel/net/chksum.c, lwIP's LWIP_CHKSUM), on the host
(tests/fuzz/chksum_dump, ASan/UBSan): for every length around its 32-, 8-, 4- and 2-byte steps
and every start alignment, the one's-complement sum of the 16-bit words as they lie in memory,
against the RFC 1071 sum computed here in Python as the oracle, plus a real IPv4 header whose
checksum field must make the sum 0xffff."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DUMP = ROOT / "build" / "host" / "fuzz" / "chksum_dump"


@pytest.fixture(scope="module")
def chksum():
    subprocess.run(["make", "-s", "-C", str(ROOT / "tests" / "fuzz"), "chksum"], check=True)

    def run(cases):
        text = "".join(f"{off} {data.hex()}\n" for off, data in cases)
        r = subprocess.run([str(DUMP)], input=text, capture_output=True, text=True, timeout=60, check=True)
        return r.stdout.split()
    return run


def rfc1071(data: bytes) -> str:
    """The folded sum of big-endian 16-bit words (an odd byte padded with zero), written as the
    two bytes the kernel stores: the network-order sum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return f"{s:04x}"


def test_every_length_and_alignment_matches_rfc1071(chksum):
    rng = random.Random(17)
    cases = [(off, rng.randbytes(n)) for n in range(0, 100) for off in range(8)]
    cases += [(off, b"\xff" * n) for n in (1, 2, 31, 32, 33, 1500, 65535) for off in (0, 1, 3)]   # every carry
    cases += [(rng.randrange(8), rng.randbytes(rng.randrange(1, 9000))) for _ in range(200)]
    assert chksum(cases) == [rfc1071(d) for _, d in cases]


def test_an_ipv4_header_with_its_checksum_sums_to_all_ones(chksum):
    header = bytes.fromhex("45000073000040004011b861c0a80001c0a800c7")   # RFC 1071's usual example
    assert chksum([(0, header), (1, header)]) == ["ffff", "ffff"]
