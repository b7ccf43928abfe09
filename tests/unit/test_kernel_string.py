"""The kernel's memcpy and memset (kernel/lib/string.c) on the host (tests/fuzz/string_check,
ASan/UBSan): every length to 1,100 bytes from many start offsets, with DC ZVA blocks of 64 and
512 bytes, none, and the MMU-off path, each against a byte-by-byte copy or fill, the bytes around
the range untouched. Their 32-byte loops, overlapping tails and block-zeroed middles are where an
off-by-some would corrupt every buffer the kernel moves."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_memcpy_and_memset_match_a_byte_loop_at_every_length_and_offset():
    subprocess.run(["make", "-s", "-C", str(ROOT / "tests" / "fuzz"), "string"], check=True)
    r = subprocess.run([str(ROOT / "build" / "host" / "fuzz" / "string_check")], capture_output=True, text=True,
                       timeout=300)
    assert (r.returncode, r.stdout.strip()) == (0, "ok"), r.stdout + r.stderr
