"""Extended attributes errno for errno against Linux: tests/boot/guest/xattrconf.c sweeps the
user.*, trusted.* and security.* namespaces, names (empty, 255 and 256 bytes, bare prefixes,
unknown ones), XATTR_CREATE/XATTR_REPLACE and bad flags, sizes (size-0 queries, ERANGE, E2BIG,
ext4's ENOSPC), listxattr's format and order, the l* forms on symlinks, the f* forms on O_PATH
descriptors, pipes and sockets (sockfs's system.sockprotoname), directories, FIFOs, devices and
socket nodes, change times and IN_ATTRIB, and what an unprivileged user may do. Sections 8-11
sweep the other calls this work added: chroot, protection keys, process_vm_readv/writev, kcmp.

The oracle is the same program under qemu-aarch64-static in a fresh directory on the host's own
disk, which must be ext4 (where the order and the space of attributes come from: ext4 keeps the
first in the inode and the rest in one sorted block, and our tree reproduces that; tmpfs and
other file systems answer differently); ours runs in /tmp, one boot for all. Sections 8-11 need
no ext4 (their oracle runs in a tmpfs directory). qemu-user has no process_vm_readv/writev
(ENOSYS) and passes kcmp's KCMP_EPOLL_TFD slot pointer untranslated, so sections 10 and 11 come
from the probe built for this host and run natively (both calls are architecture-independent
code in Linux). Protection keys are architecture code, and neither
oracle is arm64's: section 9 is Linux 6.1's answer on arm64 written out below from its source.
A read-only volume is compared with a read-only bind mount of the same tree."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lib.guest import CC, GUEST_SOURCES, ext4_dir, replace_lines, run, sections, tmpfs_dir
from unibuild.tfs.reader import Image
from unibuild.tfs.tree import Dir, File, Meta
from unibuild.tfs.volume import create_volume
from unibuild.tfs.writer import write_image

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

# Section 9 on arm64 Linux 6.1, which has no protection keys (no CONFIG_ARCH_HAS_PKEYS):
# include/linux/pkeys.h's stubs answer. mm_pkey_alloc finds no key (pkey_alloc: ENOSPC after
# its flags and init_val checks, mm/mprotect.c), mm_pkey_free is EINVAL, mm_pkey_is_allocated is
# `pkey == 0`, so do_mprotect_pkey is mprotect for pkeys -1 and 0 and EINVAL for any other, after
# its start, length and wrap checks and before the VMA walk (ENOMEM for a hole). x86 answers
# differently (its pkey 0 is not allocated without OSPKE), so the host cannot be asked.
ARM64_6_1_PKEYS = """9. protection keys
   pkey_alloc(0, 0) = -1 ENOSPC
   pkey_alloc(0, PKEY_DISABLE_ACCESS|PKEY_DISABLE_WRITE) = -1 ENOSPC
   pkey_alloc(1, 0) = -1 EINVAL
   pkey_alloc(0, 4) = -1 EINVAL
   pkey_free(0) = -1 EINVAL
   pkey_free(1) = -1 EINVAL
   pkey_free(-1) = -1 EINVAL
   pkey_mprotect pkey -1 = 0
   pkey_mprotect pkey 0 = 0
   pkey_mprotect pkey 1 = -1 EINVAL
   pkey_mprotect pkey -2 = -1 EINVAL
   pkey_mprotect pkey 1, length 0 = 0
   pkey_mprotect pkey 1, unaligned = -1 EINVAL
   pkey_mprotect pkey 1, unmapped = -1 EINVAL
   pkey_mprotect pkey -1, unmapped = -1 ENOMEM
   pkey_mprotect pkey 1, wrapping = -1 ENOMEM
   pkey_mprotect pkey 1, GROWSDOWN|GROWSUP = -1 EINVAL
   pkey_mprotect pkey 1, bad prot = -1 EINVAL
   pkey_mprotect pkey -1, back to read-write = 0
"""

XATTR_SECTIONS = [("1", "names, namespaces, flags and sizes"), ("2", "set, get, list and remove"),
                  ("3", "directories, symlinks and special files"), ("4", "descriptors"),
                  ("5", "change times and notifications"), ("6", "an unprivileged user")]
OTHER_SECTIONS = [("8", "chroot"), ("9", "protection keys"), ("10", "process_vm_readv and process_vm_writev"),
                  ("11", "kcmp")]


def build_probe(out: Path, cc: str = CC) -> Path:
    subprocess.run([cc, "-O2", "-Wall", "-Wno-stringop-overflow", "-Wno-stringop-overread", "-static", "-o",
                    str(out), str(SOURCE)], check=True)
    return out


@pytest.fixture(scope="module")
def probes(tmp_path_factory) -> tuple[Path, Path]:
    build = tmp_path_factory.mktemp("xattrconf")
    return build_probe(build / "xattrconf"), build_probe(build / "xattrconf-native", cc="gcc")


@pytest.fixture(scope="module")
def ours(probes) -> dict[str, str]:
    r = run(probes[0], "all", "/tmp")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return sections(r.stdout)


def probe_in(work: Path, *cmd: str) -> str:
    """`cmd... WORK` on the host: its stdout."""
    return subprocess.run([*cmd, str(work)], capture_output=True, text=True, timeout=120, check=True).stdout


@pytest.fixture(scope="module")
def linux_xattrs(probes) -> dict[str, str]:
    """Sections 1-6: qemu-user on ext4 (skips elsewhere)."""
    work = ext4_dir()
    try:
        return sections(replace_lines(probe_in(work, "qemu-aarch64-static", str(probes[0]), "xattr"),
                                      NOT_6_1_ON_EXT4))
    finally:
        shutil.rmtree(work)


@pytest.fixture(scope="module")
def linux_others(probes) -> dict[str, str]:
    """Section 8 from qemu-user, 10-11 from the native probe, 9 from the source (see above)."""
    work = tmpfs_dir()
    try:
        work.chmod(0o755)                  # the unprivileged children walk into it
        for d in ("emulated", "native"):
            (work / d).mkdir(mode=0o755)
        emulated = probe_in(work / "emulated", "qemu-aarch64-static", str(probes[0]), "chroot")
        natively = probe_in(work / "native", str(probes[1]), "native")
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=True)
    return sections(emulated + ARM64_6_1_PKEYS + natively)


@pytest.mark.parametrize("section, what", XATTR_SECTIONS)
def test_xattr_calls_answer_as_linux_on_ext4(linux_xattrs, ours, section, what):
    assert linux_xattrs.get(section), f"the oracle printed no section {section} ({what})"
    assert ours.get(section) == linux_xattrs[section], what


@pytest.mark.parametrize("section, what", OTHER_SECTIONS)
def test_chroot_pkeys_process_vm_and_kcmp_answer_as_linux(linux_others, ours, section, what):
    assert linux_others.get(section), f"the oracle printed no section {section} ({what})"
    assert ours.get(section) == linux_others[section], what


def test_a_read_only_volume_refuses_changes_as_a_read_only_mount(tmp_path):
    """EROFS for every change, ENOENT where the path is looked up first, an empty list."""
    probe = build_probe(tmp_path / "xattrconf")
    work = tmpfs_dir()
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
        subprocess.run(["rm", "-rf", str(work)], check=True)
    ours = run(probe, "ro", "/ro", options=("-v", f"{vol}:/ro:ro"))
    assert ours.returncode == 0, ours.stderr
    assert "7. a read-only mount" in r.stdout
    assert ours.stdout == r.stdout
    assert ours.stderr == ""


def test_attributes_on_a_volume_outlive_the_boot_as_on_ext4(probes, tmp_path):
    """The host writer's attributes reach the guest; the guest's changes reach the disk: the next
    boot lists what ext4 lists after the same calls, and so does the Python reader."""
    probe = probes[0]
    initial = ((b"user.a", b"1"), (b"user.b", b"2"), (b"trusted.t", b"t"))
    root = Dir(meta=Meta(mode=0o755), children={"f": File(b"data\n", Meta(mode=0o644, xattrs=initial)),
                                                 "d": Dir(meta=Meta(mode=0o755))})
    vol = tmp_path / "xattrs.tfs"
    write_image(vol, root, None, min_size=8 << 20, writable=True)
    work = ext4_dir()
    try:
        (work / "f").write_bytes(b"data\n")
        (work / "d").mkdir()
        for name, value in initial:      # in order: where ext4 puts them is what the guest replays
            os.setxattr(work / "f", name, value)
        first = probe_in(work, "qemu-aarch64-static", str(probe), "volume")
        again = probe_in(work, "qemu-aarch64-static", str(probe), "volume-again")
    finally:
        shutil.rmtree(work)
    ours = run(probe, "volume", "/data", options=("-v", f"{vol}:/data"))
    assert (ours.returncode, ours.stderr) == (0, "")
    assert ours.stdout == first
    ours = run(probe, "volume-again", "/data", options=("-v", f"{vol}:/data"))
    assert (ours.returncode, ours.stderr) == (0, "")
    assert ours.stdout == again
    with Image(vol) as img:
        listed = {p: [n.decode() for n, _ in img.lookup(f"/{p}").xattrs] for p in ("f", "d", "g")}
    assert "   f = " in again and "user.big" in again
    for p, names in listed.items():
        line = next(x for x in again.splitlines() if x.startswith(f"   {p} = "))
        assert line.split(":", 1)[1].split() == names, p
