"""Extended attributes errno for errno against Linux: tests/boot/guest/xattrconf.c sweeps the
user.*, trusted.* and security.* namespaces, names (empty, 255 and 256 bytes, bare prefixes,
unknown ones), XATTR_CREATE/XATTR_REPLACE and bad flags, sizes (size-0 queries, ERANGE, E2BIG,
ext4's ENOSPC), listxattr's format and order, the l* forms on symlinks, the f* forms on O_PATH
descriptors, pipes and sockets (sockfs's system.sockprotoname), directories, FIFOs, devices and
socket nodes, change times and IN_ATTRIB, and what an unprivileged user may do.

The oracle is the same program under qemu-aarch64-static in a fresh directory on the host's own
disk, which must be ext4 (where the order and the space of attributes come from: ext4 keeps the
first in the inode and the rest in one sorted block, and our tree reproduces that; tmpfs and
other file systems answer differently); ours runs in /tmp, one boot for all. A read-only volume
is compared with a read-only bind mount of the same tree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lib.guest import CC, GUEST_SOURCES, ext4_dir, replace_lines, run, sections
from unibuild.tfs.volume import create_volume

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "xattrconf.c"

# Where the oracle is not Linux 6.1 on ext4, each line as 6.1 gives it:
# - qemu-user locks the whole listxattr buffer before the call (EFAULT for a 1 GiB size); Linux
#   clamps the size to XATTR_LIST_MAX and lists nothing (0).
# - Linux 6.13 made the f* forms path_setxattrat(fd, NULL, AT_EMPTY_PATH), which checks the
#   arguments before the descriptor; 6.1's fsetxattr takes the descriptor first (fdget: EBADF).
NOT_6_1_ON_EXT4 = {
    "   list a huge size = -1 EFAULT": "   list a huge size = 0",
    "   fset with bad flags on a closed descriptor = -1 EINVAL":
        "   fset with bad flags on a closed descriptor = -1 EBADF",
}

SECTIONS = [("1", "names, namespaces, flags and sizes"), ("2", "set, get, list and remove"),
            ("3", "directories, symlinks and special files"), ("4", "descriptors"),
            ("5", "change times and notifications"), ("6", "an unprivileged user")]


def build_probe(out: Path) -> Path:
    subprocess.run([CC, "-O2", "-Wall", "-Wno-stringop-overflow", "-Wno-stringop-overread", "-static", "-o",
                    str(out), str(SOURCE)], check=True)
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[dict[str, str], subprocess.CompletedProcess]:
    probe = build_probe(tmp_path_factory.mktemp("xattrconf") / "xattrconf")
    work = ext4_dir()
    try:
        linux = subprocess.run(["qemu-aarch64-static", str(probe), str(work)], capture_output=True, text=True,
                               timeout=120, check=True).stdout
    finally:
        shutil.rmtree(work)
    ours = run(probe, "/tmp")
    assert ours.returncode == 0, ours.stderr
    return sections(replace_lines(linux, NOT_6_1_ON_EXT4)), ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_xattr_calls_answer_as_linux_on_ext4(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert sections(ours.stdout).get(section) == linux[section], what


def test_xattrconf_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""


def test_a_read_only_volume_refuses_changes_as_a_read_only_mount(tmp_path):
    """EROFS for every change, ENOENT where the path is looked up first, an empty list."""
    probe = build_probe(tmp_path / "xattrconf")
    work = ext4_dir()
    try:
        src = work / "src"
        (src / "dir").mkdir(parents=True)
        (src / "file").write_text("hi\n")
        (src / "link").symlink_to("file")
        mnt = work / "mnt"
        mnt.mkdir()
        script = (f'mount --bind "{src}" "{mnt}" && mount -o remount,bind,ro "{mnt}" && '
                  f'exec qemu-aarch64-static "{probe}" ro "{mnt}"')
        r = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=60)
        if r.returncode != 0 and "unshare" in r.stderr:
            pytest.skip(f"no user namespaces for the read-only oracle: {r.stderr.strip()}")
        assert r.returncode == 0, r.stderr
        vol = create_volume(str(tmp_path / "ro.tfs"), 8 << 20, src)
    finally:
        shutil.rmtree(work)
    ours = run(probe, "ro", "/ro", options=("-v", f"{vol}:/ro:ro"))
    assert ours.returncode == 0, ours.stderr
    assert "7. a read-only mount" in r.stdout
    assert ours.stdout == r.stdout
    assert ours.stderr == ""
