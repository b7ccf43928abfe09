"""mount(2) and umount2 errno for errno against Linux: tests/boot/guest/mountconf.c mounts tmpfs
(size, nr_inodes, mode, uid, gid; statfs; remounts), binds directories and files, remounts them
read-only, sets noexec/nosuid/nodev and propagation types, moves and unmounts (EBUSY for a cwd,
an open file and a mount below, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW), and lists what it made
in /proc/self/mountinfo and /proc/mounts. Section 8 (natively too: setns into a mount namespace wants a process without other threads):
/proc/self/ns's links, their open files and setns back into a parent's namespaces.
Section 7: unshare(CLONE_NEWNS) gives a copy of the mount table, whose mounts and umounts the
parent's table does not see. Section 6: unshare(2)'s checks and the UTS namespace
(unshare and clone with CLONE_NEWUTS: per-namespace host and domain names, inherited by fork).
Its oracle is the probe built for this host and run natively, in the same namespaces: under
qemu-user a process has qemu's own threads too (so unshare(CLONE_THREAD) is EINVAL there), and
qemu-user's clone refuses namespace flags; unshare and the UTS code are architecture-independent.

The oracle is the same aarch64 program under qemu-aarch64-static on this host, as root, inside
`unshare --mount --uts --ipc --propagation private` and in a fresh tmpfs directory: its mounts
and host names live and die with that namespace and never reach the host's (the probe only
mounts below the directory it is given)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lib.guest import build_static, native_oracle, run, sections, tmpfs_dir, GUEST_SOURCES

pytestmark = pytest.mark.boot

ISOLATION = ["unshare", "--mount", "--uts", "--ipc", "--propagation", "private"]

SECTIONS = [("1", "errors"), ("2", "tmpfs"), ("3", "bind mounts"), ("4", "flags and propagation"),
            ("5", "an unprivileged caller"), ("6", "unshare and UTS namespaces"),
            ("7", "mount namespaces"), ("8", "/proc/<pid>/ns and setns")]


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
def linux(probe, tmp_path_factory) -> dict[str, str]:
    emulated = sections(in_namespaces(probe))
    native = native_oracle(GUEST_SOURCES / "mountconf.c", tmp_path_factory.mktemp("mountconf-native"), workdir=True,
                           wrap=(*ISOLATION, "env", "MOUNTCONF_ONLY=6"))
    native = sections(native)
    return {**emulated, "6": native.get("6", ""), "8": native.get("8", "")}


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
