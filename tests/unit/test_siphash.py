"""The kernel's SipHash-2-4 (kernel/lib/siphash.c, behind TCP's initial sequence numbers), built
for the host (tests/fuzz/siphash_dump, ASan/UBSan), against the reference implementation's test
vectors: key 00 01 .. 0f, messages 00 01 .. (n-1) (the paper's appendix example is n = 15)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DUMP = ROOT / "build" / "host" / "fuzz" / "siphash_dump"
KEY = bytes(range(16)).hex()
VECTORS = {0: 0x726FDB47DD0E0E31, 1: 0x74F839C593DC67FD, 15: 0xA129CA6149BE45E5}


def siphash(cases: list[tuple[str, bytes]]) -> list[int]:
    subprocess.run(["make", "-s", "-C", str(ROOT / "tests" / "fuzz"), "siphash"], check=True)
    text = "".join(f"{key} {data.hex() or '-'}\n" for key, data in cases)
    out = subprocess.run([str(DUMP)], input=text, capture_output=True, text=True, timeout=60, check=True).stdout
    return [int(line, 16) for line in out.split()]


def test_reference_vectors():
    assert siphash([(KEY, bytes(range(n))) for n in VECTORS]) == list(VECTORS.values())


def test_the_key_and_every_byte_count():
    one = bytes(range(40))
    hashes = siphash([(KEY, one), ("ff" + KEY[2:], one), (KEY, one[:39]), (KEY, one[:8]), (KEY, one[:7])])
    assert len(set(hashes)) == len(hashes)   # a key bit, a length, a word boundary each change it
