"""The page cache (kernel/fs/page_cache.c) changes nothing a program can see: read, pread and
private mappings of an image file agree, private writes stay private (in the process, in a
second mapping, across fork, in the file), a change of the file is seen by later reads and
mappings and by the unwritten pages of earlier private mappings (the cache's pages become the
file's at its first change), a truncation takes the pages past the end from every mapping, and a
program can still have the memory the cache holds (it is given back before an
allocation fails: a 128 MiB guest reads 40 MiB, then touches 100 MiB: 141 MiB without the give-back). One guest program, one
boot; the oracle is the same static binary under qemu-aarch64-static, on copies of the files."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, run

pytestmark = pytest.mark.boot

BIG_MIB, ANON_MIB = 40, 100


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("page_cache")
    subprocess.run([CC, "-O2", "-Wall", "-static", "-o", str(d / "page_cache"), str(GUEST_SOURCES / "page_cache.c")],
                   check=True)
    # Bytes that differ from page to page, so a page read from the wrong offset shows.
    (d / "data").write_bytes(bytes((i * 7 + i // 4096) % 251 for i in range(5 * 4096 + 123)))
    (d / "big").write_bytes(bytes(range(256)) * (BIG_MIB << 12))
    return d


def test_page_cache_is_invisible_and_gives_memory_back(files, tmp_path):
    for name in ("data", "big"):
        shutil.copy(files / name, tmp_path / name)
    oracle = subprocess.run(["qemu-aarch64-static", str(files / "page_cache"), str(tmp_path / "data"),
                             str(tmp_path / "big"), str(ANON_MIB)], capture_output=True, text=True, timeout=60)
    assert oracle.returncode == 0 and "NO" not in oracle.stdout, oracle
    ours = run(files / "page_cache", "/data", "/big", str(ANON_MIB),
               options=("-m", "128M", "-f", f"{files / 'data'}:/data", "-f", f"{files / 'big'}:/big"))
    assert (ours.returncode, ours.stderr) == (0, ""), ours.stderr
    assert ours.stdout == oracle.stdout
