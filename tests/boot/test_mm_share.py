"""Memory shared between mappings and processes against Linux: mremap with MREMAP_FIXED and
MREMAP_DONTUNMAP, a futex waited on in a parent and woken from its child in MAP_SHARED memory,
process-shared pthread mutexes and condition variables — one guest program
(tests/boot/guest/mm_share.c), one boot; the oracle is the same static binary under
qemu-aarch64-static."""

from __future__ import annotations


import pytest

from lib.guest import build_static, oracle, run, sections

pytestmark = pytest.mark.boot


def test_shared_memory_behaves_as_on_linux(tmp_path):
    prog = build_static("mm_share.c", tmp_path)
    expected = sections(oracle(prog))
    assert len(expected) == 4
    ours = run(prog)
    assert ours.returncode == 0, ours.stderr
    assert ours.stderr == ""
    got = sections(ours.stdout)
    for key in expected:
        assert got.get(key) == expected[key], f"section {key}"
