"""The EFI stub's GetTime conversion (kernel/efi/efi_time.c), on the host (tests/fuzz/efi_time_dump,
ASan/UBSan): EFI_TIME fields → nanoseconds since the epoch, against Python's datetime (UTC) as
the oracle; out-of-range fields, and times past signed 64-bit nanoseconds (2262), are refused (the kernel's clock then starts at the epoch)."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DUMP = ROOT / "build" / "host" / "fuzz" / "efi_time_dump"


@pytest.fixture(scope="module")
def convert():
    subprocess.run(["make", "-s", "-C", str(ROOT / "tests" / "fuzz"), "time"], check=True)

    def run(rows):
        text = "".join(" ".join(str(v) for v in row) + "\n" for row in rows)
        r = subprocess.run([str(DUMP)], input=text, capture_output=True, text=True, timeout=30, check=True)
        return r.stdout.splitlines()
    return run


def oracle(y, mo, d, h, mi, s, ns):
    t = datetime.datetime(y, mo, d, h, mi, s, tzinfo=datetime.timezone.utc)
    return str((int(t.timestamp())) * 10**9 + ns)


def test_dates_across_leap_days_centuries_and_2038_match_datetime(convert):
    rows = [(1970, 1, 1, 0, 0, 0, 0), (1972, 2, 29, 23, 59, 59, 999999999), (1999, 12, 31, 12, 0, 0, 5),
            (2000, 2, 29, 1, 2, 3, 0), (2000, 3, 1, 0, 0, 0, 0), (2026, 12, 7, 15, 42, 18, 123),
            (2038, 1, 19, 3, 14, 8, 0), (2100, 2, 28, 0, 0, 0, 0), (2100, 3, 1, 0, 0, 0, 0),
            (2200, 2, 28, 0, 0, 0, 0), (2262, 4, 11, 23, 47, 15, 999999999)]
    assert convert(rows) == [oracle(*r) for r in rows]


@pytest.mark.parametrize("row", [(1969, 12, 31, 23, 59, 59, 0), (2026, 0, 1, 0, 0, 0, 0), (2026, 13, 1, 0, 0, 0, 0),
                                 (2026, 1, 0, 0, 0, 0, 0), (2026, 1, 32, 0, 0, 0, 0), (2026, 1, 1, 24, 0, 0, 0),
                                 (2026, 1, 1, 0, 60, 0, 0), (2026, 1, 1, 0, 0, 60, 0),
                                 (2026, 1, 1, 0, 0, 0, 1000000000),
                                 (2262, 4, 11, 23, 47, 16, 0), (9999, 12, 31, 23, 59, 59, 0)])   # past signed 64-bit ns
def test_out_of_range_fields_are_refused(convert, row):
    assert convert([row]) == ["invalid"]
