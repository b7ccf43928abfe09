"""CPU time against Linux: user time from a busy loop, system time from a system-call loop,
thread and process CPU clocks (another thread's through pthread_getcpuclockid, Linux's encoded
ids), getrusage (SELF, THREAD, CHILDREN), times(), and a child's time in wait4's rusage and only
after the wait — one guest program (tests/boot/guest/cputime.c), one boot per CPU count.
The oracle is the same static binary under qemu-aarch64-static; the program prints relations
("grew", "<="), never raw figures."""

from __future__ import annotations

import re

import pytest

from lib.guest import build_static, oracle, run, sections

pytestmark = pytest.mark.boot


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    return build_static("cputime.c", tmp_path_factory.mktemp("cputime"))


@pytest.fixture(scope="module")
def expected(probe):
    out = oracle(probe)
    assert not re.search(r"\bno\b", out), out   # every relation holds on Linux
    return sections(out)


@pytest.mark.parametrize("smp", ["1", "2"])
def test_cpu_time_is_accounted_as_on_linux(probe, expected, smp):
    ours = run(probe, options=("--smp", smp))
    assert ours.returncode == 0, ours.stderr
    assert ours.stderr == ""
    got = sections(ours.stdout)
    for key in expected:
        assert got.get(key) == expected[key], f"section {key}"
