"""File-system calls errno for errno against Linux: tests/boot/guest/fsconf.c sweeps openat (O_PATH,
O_TMPFILE, O_NOFOLLOW, trailing slashes, ENAMETOOLONG), the stat family and statx masks, time
stamps (relatime, utimensat's UTIME_NOW/UTIME_OMIT), getdents64 (stable positions while entries
are unlinked), rename/link/unlink/rmdir/symlink/readlink/mkdir, SEEK_DATA/SEEK_HOLE, holes,
O_APPEND with pwrite, truncate, fallocate, readv/writev, fcntl (status flags, record and OFD
locks), umask and access, /dev/null, /dev/zero, /dev/full, /dev/urandom, and pipes (SIGPIPE,
F_SETPIPE_SZ, PIPE_BUF), the working directory, dirfds and O_PATH descriptors. The oracle is the same program under qemu-aarch64-static in a fresh tmpfs
directory (our tree in memory behaves as tmpfs does); ours runs in /tmp, one boot for all. A
read-only volume is compared with a read-only bind mount of the same tree (EROFS, and the EEXIST
that Linux's name lookup gives first)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lib.guest import CC, GUEST_SOURCES, oracle_in_tmpfs, replace_lines, run, sections, tmpfs_dir
from unibuild.tfs.volume import create_volume

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "fsconf.c"

# Where qemu-user (Debian's 7.2), not Linux, answers: each line as the host kernel gives it to a
# native arm64 program.
# - Its open-flag table maps O_ACCMODE 3 to O_RDONLY; Linux keeps 3 (neither read nor write:
#   read is EBADF).
# - It hides O_LARGEFILE from F_GETFL; a 64-bit Linux forces it into every open (force_o_largefile)
#   and F_GETFL shows it (not for O_PATH, which drops it, nor for pipes).
# - getdents64 with a count of 0: qemu's g_try_malloc(0) fails (ENOMEM); Linux's filldir finds no
#   room for the first entry (EINVAL).
# - readlink with a size of -1: qemu cannot lock that much of the buffer (EFAULT); Linux's
#   readlinkat refuses a size <= 0 (EINVAL) first.
QEMU_USER = {
    "   O_ACCMODE 3 F_GETFL accmode 0": "   O_ACCMODE 3 F_GETFL accmode 3",
    "   read on it: 0 0": "   read on it: -1 EBADF",
    "   F_GETFL of O_RDWR 0x2": "   F_GETFL of O_RDWR 0x20002",
    "   F_GETFL after F_SETFL 0 0x2": "   F_GETFL after F_SETFL 0 0x20002",
    "   F_GETFL of O_WRONLY|O_APPEND|O_NONBLOCK|O_CLOEXEC|O_SYNC 0x101c01":
        "   F_GETFL of O_WRONLY|O_APPEND|O_NONBLOCK|O_CLOEXEC|O_SYNC 0x121c01",
    "   buffer of 0 = -1 ENOMEM": "   buffer of 0 = -1 EINVAL",
    "   buffer of -1 = -1 EFAULT": "   buffer of -1 = -1 EINVAL",
    # Not qemu-user's doing: where the oracle runs chrooted (a container, fresh-machine.sh), its "/"
    # is a directory, not a mount's root. A booted Linux's "/" is one, as ours is.
    "   statx / is a mount root: 0, . is not: 1": "   statx / is a mount root: 1, . is not: 1",
}

SECTIONS = [("1", "openat"), ("2", "stat and statx"), ("3", "time stamps"), ("4", "getdents64"),
            ("5", "names"), ("6", "data"), ("7", "fcntl"), ("8", "permissions"), ("9", "devices"),
            ("10", "pipes"), ("12", "working directory, dirfds, descriptors"),
            ("13", "calls on descriptors that are not files")]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[dict[str, str], subprocess.CompletedProcess]:
    probe = tmp_path_factory.mktemp("fsconf") / "fsconf"
    subprocess.run([CC, "-O2", "-Wall", "-Wno-stringop-overflow", "-Wno-stringop-overread", "-Wno-format-truncation",
                    "-static", "-o", str(probe), str(SOURCE)], check=True)
    linux = replace_lines(oracle_in_tmpfs(probe), QEMU_USER)
    ours = run(probe, "/tmp")
    assert ours.returncode == 0, ours.stderr
    return sections(linux), ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_file_system_calls_answer_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert sections(ours.stdout).get(section) == linux[section], what


def test_fsconf_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""


def read_only_tree(root: Path) -> Path:
    """The tree the read-only section looks at: file ("hi"), dir/x and link -> file."""
    src = root / "src"
    (src / "dir").mkdir(parents=True)
    (src / "file").write_text("hi\n")
    (src / "dir/x").write_text("x\n")
    (src / "link").symlink_to("file")
    return src


def linux_read_only(probe: Path, src: Path) -> str:
    """`fsconf ro MNT` on Linux with src bind-mounted read-only at MNT, in a user and mount
    namespace of its own (no privilege needed, nothing left mounted)."""
    mnt = src.parent / "mnt"
    mnt.mkdir()
    script = f'mount --bind "{src}" "{mnt}" && mount -o remount,bind,ro "{mnt}" && exec qemu-aarch64-static "{probe}" ro "{mnt}"'
    r = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=60)
    if r.returncode != 0 and "unshare" in r.stderr:
        pytest.skip(f"no user namespaces for the read-only oracle: {r.stderr.strip()}")
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_a_read_only_volume_answers_as_a_read_only_mount(tmp_path):
    """EROFS where Linux says it, and EEXIST/ENOENT where Linux looks the name up first."""
    probe = tmp_path / "fsconf"
    subprocess.run([CC, "-O2", "-Wall", "-Wno-stringop-overflow", "-Wno-stringop-overread", "-Wno-format-truncation",
                    "-static", "-o", str(probe), str(SOURCE)], check=True)
    work = tmpfs_dir()
    try:
        src = read_only_tree(work)
        linux = linux_read_only(probe, src)
        vol = create_volume(str(tmp_path / "ro.tfs"), 8 << 20, src)
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=True)
    ours = run(probe, "ro", "/ro", options=("-v", f"{vol}:/ro:ro"))
    assert ours.returncode == 0, ours.stderr
    assert "11. a read-only mount" in linux
    assert ours.stdout == linux
    assert ours.stderr == ""
