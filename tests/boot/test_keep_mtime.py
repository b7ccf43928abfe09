"""`unibuild run --keep-mtime`: the guest's stat shows each file's mtime as the host has it (the
program, an -f file, a library from the target root and the directory above it), and 0
without the option; the image cache
makes a new image when a kept file is touched. The expected times are the host's own stat of the
same files."""

from __future__ import annotations

import os
import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, TARGET_ROOT, run

pytestmark = pytest.mark.boot

PROGRAM_NS = 1_600_000_000_123_456_789
DATA_NS = 1_500_000_000_000_000_007
LIBC = "/lib/aarch64-linux-gnu/libc.so.6"
LIBDIR = "/lib/aarch64-linux-gnu"


def stamp(ns: int) -> str:
    return f"{ns // 10**9}.{ns % 10**9:09d}"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("keep_mtime")
    program = tmp / "statmtime"
    subprocess.run([CC, "-O2", "-Wall", "-o", str(program), str(GUEST_SOURCES / "statmtime.c")], check=True)
    data = tmp / "data"
    data.write_text("data\n")
    os.utime(program, ns=(PROGRAM_NS, PROGRAM_NS))
    os.utime(data, ns=(DATA_NS, DATA_NS))
    return tmp, program, data


def run_stat(program, data, *options, cache=None):
    env_cache = {} if cache is None else {"UNIBUILD_IMAGE_CACHE": str(cache)}
    old = {k: os.environ.get(k) for k in env_cache}
    os.environ.update(env_cache)
    try:
        result = run(program, "/statmtime", "/data", LIBC, LIBDIR, options=("-f", f"{data}:/data", *options))
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_keep_mtime_shows_the_hosts_mtimes(files):
    _, program, data = files
    libc_ns = os.stat(TARGET_ROOT / LIBC.lstrip("/")).st_mtime_ns
    libdir_ns = os.stat(TARGET_ROOT / LIBDIR.lstrip("/")).st_mtime_ns
    assert run_stat(program, data, "--keep-mtime") == (
        f"/statmtime {stamp(PROGRAM_NS)}\n/data {stamp(DATA_NS)}\n{LIBC} {stamp(libc_ns)}\n"
        f"{LIBDIR} {stamp(libdir_ns)}\n")


def test_without_it_every_mtime_is_zero(files):
    _, program, data = files
    assert run_stat(program, data) == (f"/statmtime {stamp(0)}\n/data {stamp(0)}\n{LIBC} {stamp(0)}\n"
                                       f"{LIBDIR} {stamp(0)}\n")


def test_a_touched_file_makes_a_new_cached_image(files):
    tmp, program, data = files
    cache = tmp / "cache"
    first = run_stat(program, data, "--keep-mtime", cache=cache)
    later = DATA_NS + 10**9
    os.utime(data, ns=(later, later))
    try:
        second = run_stat(program, data, "--keep-mtime", cache=cache)
    finally:
        os.utime(data, ns=(DATA_NS, DATA_NS))
    assert f"/data {stamp(DATA_NS)}\n" in first
    assert f"/data {stamp(later)}\n" in second
