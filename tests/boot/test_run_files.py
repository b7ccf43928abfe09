"""The writable file tree: creating, writing (holes, O_APPEND, pwrite), truncating, mkdir/rmdir,
rename (with NOREPLACE/EXCHANGE), hard and symbolic links, unlinked-but-open files, chmod and
utimensat, mmap of written data, against Linux (the same program under qemu-aarch64-static in a
fresh host directory). Changes live in memory: an image file changed by the program reads back
changed, and the disk image itself is never written."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from unibuild.paths import PROJECT_ROOT
from unibuild.platform import load_platform
from unibuild.launch import LaunchOptions, boot

pytestmark = pytest.mark.boot

SOURCE = PROJECT_ROOT / "tests/boot/guest/files.c"
MISC_SOURCE = PROJECT_ROOT / "tests/boot/guest/misc_io.c"
UNIBUILD = [sys.executable, "-m", "unibuild"]
# A directory's st_size depends on the filesystem (ext4: 4096, tmpfs: entries * 20); ours is
# one block, like ext4. The comparison leaves directory sizes out; the first test checks ours.
DIR_SIZE = re.compile(r"(mode 40\d\d\d size )\d+")


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("files") / "files"
    subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-Wall", "-static", "-o", str(out), str(SOURCE)], check=True)
    return out


def run(*args: str, files=()) -> subprocess.CompletedProcess:
    extra = [x for f in files for x in ("-f", f)]
    return subprocess.run([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "60", "--net", "none", *extra, *args],
                          capture_output=True, text=True, timeout=120)


def oracle_and_ours(probe: Path, tmp_path: Path) -> tuple[str, subprocess.CompletedProcess]:
    """The probe's output on Linux (in a fresh directory) and its run in the unikernel (in /tmp)."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    oracle = subprocess.run(["qemu-aarch64-static", str(probe), str(workdir)], capture_output=True, text=True,
                            timeout=60, check=True)
    ours = run(str(probe), "/tmp")
    assert ours.returncode == 0, ours.stderr
    return oracle.stdout, ours


def test_file_tree_changes_behave_as_on_linux(probe, tmp_path):
    oracle, ours = oracle_and_ours(probe, tmp_path)
    assert "   d: mode 40755 size 4096 nlink 3\n" in ours.stdout
    assert DIR_SIZE.sub(r"\1-", ours.stdout) == DIR_SIZE.sub(r"\1-", oracle)
    assert ours.stderr == ""


def test_an_image_file_changes_in_memory_only(probe, tmp_path, kernel_image):
    data = tmp_path / "data.txt"
    data.write_text("from the image")
    image = tmp_path / "img"
    subprocess.run([*UNIBUILD, "build", "-o", str(image), "-f", f"{data}:/data.txt", str(probe), "/tmp",
                    "copyup", "/data.txt"], check=True, capture_output=True)
    before = hashlib.sha256(image.read_bytes()).hexdigest()
    r = boot(load_platform("virt"), kernel_image, LaunchOptions(accel="tcg", disk=image, timeout=60))
    assert r.status == 0, r.console
    assert "append to an image file: ok, wrote 5" in r.console
    assert '/data.txt: "from the image+more"' in r.console
    assert hashlib.sha256(image.read_bytes()).hexdigest() == before


def test_sendfile_fadvise_memfd_tmpfile_close_range_wait4_as_on_linux(tmp_path):
    probe = tmp_path / "misc_io"
    subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-Wall", "-static", "-o", str(probe), str(MISC_SOURCE)], check=True)
    oracle, ours = oracle_and_ours(probe, tmp_path)
    assert ours.stdout == oracle
    assert ours.stderr == ""
