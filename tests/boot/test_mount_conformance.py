"""mount(2) and umount2 errno for errno against Linux: tests/boot/guest/mountconf.c mounts tmpfs
(size, nr_inodes, mode, uid, gid; statfs; remounts), binds directories and files, remounts them
read-only, sets noexec/nosuid/nodev and propagation types, moves and unmounts (EBUSY for a cwd,
an open file and a mount below, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW), and lists what it made
in /proc/self/mountinfo and /proc/mounts. Then unshare(2) and the UTS namespace
(tests/boot/guest/nsconf.c).

The oracle is the same aarch64 program under qemu-aarch64-static on this host, as root, inside
`unshare --mount --uts --ipc --propagation private` and in a fresh tmpfs directory: its mounts
and host names live and die with that namespace and never reach the host's (the probe only
mounts below the directory it is given)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lib.guest import build_static, run, sections, tmpfs_dir

pytestmark = pytest.mark.boot

ISOLATION = ["unshare", "--mount", "--uts", "--ipc", "--propagation", "private"]

SECTIONS = [("1", "errors"), ("2", "tmpfs"), ("3", "bind mounts"), ("4", "flags and propagation"),
            ("5", "an unprivileged caller")]


def in_namespaces(probe: Path) -> str:
    """The probe on Linux in namespaces of its own, in a fresh tmpfs directory: its stdout."""
    if not shutil.which("unshare"):
        pytest.skip("no unshare(1) (util-linux) for the isolated oracle")
    work = tmpfs_dir()
    try:
        r = subprocess.run([*ISOLATION, "qemu-aarch64-static", str(probe), str(work)], capture_output=True,
                           text=True, timeout=120, stdin=subprocess.DEVNULL)
        if r.returncode != 0 and "unshare" in r.stderr:
            pytest.skip(f"no mount namespace for the oracle: {r.stderr.strip()}")
        assert r.returncode == 0, r.stderr
        return r.stdout
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=True)


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> Path:
    return build_static("mountconf.c", tmp_path_factory.mktemp("mountconf"))


@pytest.fixture(scope="module")
def linux(probe) -> dict[str, str]:
    return sections(in_namespaces(probe))


@pytest.fixture(scope="module")
def ours(probe) -> dict[str, str]:
    r = run(probe, "/tmp")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return sections(r.stdout)


@pytest.mark.parametrize("section, what", SECTIONS)
def test_mount_calls_answer_as_linux(linux, ours, section, what):
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert ours.get(section) == linux[section], what
