"""Memory-mapping calls answer for answer against Linux: tests/boot/guest/memconf.c sweeps mmap
(errnos in Linux's order, MAP_SHARED_VALIDATE, MAP_FIXED_NOREPLACE, hints, MAP_POPULATE,
MAP_GROWSDOWN, MAP_HUGETLB, MAP_SYNC), file mappings (SIGBUS past the end of the file, the zeroed
tail, MAP_SHARED coherency with write/pwrite/ftruncate), fork, munmap, mprotect, mremap, madvise,
msync, mincore, mlock, brk, /proc/self/maps (relative addresses, permissions, offsets, names), the
48-bit address space, mappings while their file changes (truncation's SIGBUS, private mappings
sharing the file's pages until their first store, an unlinked file's name) and MADV_WIPEONFORK
across fork. The oracle is the same program under qemu-aarch64-static in a fresh
tmpfs directory; ours runs in /tmp, one boot for all."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, oracle_in_tmpfs, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "memconf.c"

# Where qemu-user (Debian's 7.2), not Linux, answers: qemu emulates the guest's address space
# itself (its own mmap, mprotect, mremap, madvise, /proc/self/maps), and these are the fragments it
# gets wrong, each as Linux answers it. Linux's answers are the host kernel's own (the probe built
# for the host and run natively: mm/ is generic code), with arm64's where the architecture
# decides (noted). Each fragment is replaced once, in order.
QEMU_USER = [
    # qemu 7.2 knows neither MAP_SHARED_VALIDATE (Linux 4.15) nor MAP_FIXED_NOREPLACE (4.17: it
    # takes it for a hint), nor MAP_SYNC's EOPNOTSUPP.
    ("   MAP_SHARED|MAP_PRIVATE (MAP_SHARED_VALIDATE) = -1 EINVAL\n",
     "   MAP_SHARED|MAP_PRIVATE (MAP_SHARED_VALIDATE) = map\n   it reads f\n"),
    ("   MAP_FIXED_NOREPLACE over a mapping = map\n   MAP_FIXED_NOREPLACE unaligned = map\n",
     "   MAP_FIXED_NOREPLACE over a mapping = -1 EEXIST\n   MAP_FIXED_NOREPLACE unaligned = -1 EINVAL\n"),
    ("   MAP_FIXED_NOREPLACE straddling a mapping's end = map\n",
     "   MAP_FIXED_NOREPLACE straddling a mapping's end = -1 EEXIST\n"),
    # Linux's mmap ignores protection bits it does not know (calc_vm_prot_bits; arm64's BTI/MTE
    # bits are 0x10/0x20); qemu refuses them.
    ("   bad prot bits = -1 EINVAL\n", "   bad prot bits = map\n"),
    ("   MAP_SHARED_VALIDATE with an unknown flag = -1 EINVAL\n",
     "   MAP_SHARED_VALIDATE with an unknown flag = -1 EOPNOTSUPP\n"),
    # qemu drops MAP_POPULATE.
    ("   resident after MAP_POPULATE: 0 0 0 0\n", "   resident after MAP_POPULATE: 1 1 1 1\n"),
    # qemu refuses MAP_HUGETLB; Linux with no huge pages reserved (nr_hugepages 0) says ENOMEM.
    ("   MAP_HUGETLB anonymous = -1 EINVAL\n   MAP_HUGETLB anonymous shared = -1 EINVAL\n",
     "   MAP_HUGETLB anonymous = -1 ENOMEM\n   MAP_HUGETLB anonymous shared = -1 ENOMEM\n"),
    ("   MAP_SYNC with MAP_SHARED_VALIDATE = -1 EINVAL\n   MAP_SHARED_VALIDATE = -1 EINVAL\n",
     "   MAP_SYNC with MAP_SHARED_VALIDATE = -1 EOPNOTSUPP\n   MAP_SHARED_VALIDATE = map\n"
     "   a write through it reaches the file: V\n"),
    # mprotect: len 0 is 0 in Linux (qemu: ENOMEM); a range ending in a hole is changed up to the
    # hole before the ENOMEM; PROT_GROWSDOWN is unknown to qemu.
    ("   len 0 = -1 ENOMEM\n", "   len 0 = 0\n"),
    ("   maps after the failed mprotect:\n    +0..+3 rw-p off 0 \n",
     "   maps after the failed mprotect:\n    +0..+3 r--p off 0 \n"),
    ("   PROT_GROWSDOWN on a MAP_GROWSDOWN mapping's top page = -1 EINVAL\n   maps after PROT_GROWSDOWN:\n"
     "    +0..+4 rw-p off 0 \n",
     "   PROT_GROWSDOWN on a MAP_GROWSDOWN mapping's top page = 0\n   maps after PROT_GROWSDOWN:\n"
     "    +0..+4 r--p off 0 \n"),
    # qemu's mremap: new_address is not checked for MREMAP_DONTUNMAP alone (mremap_to checks it),
    # the moved pages read empty, new_len 0 and old_len 0 are its ENOMEM, a shared twin fails.
    ("   MREMAP_DONTUNMAP, an unaligned new_address = an address\n"
     "   MREMAP_DONTUNMAP, new_address overlapping = an address\n"
     "   MREMAP_DONTUNMAP: moved 1, contents \0 \0\n   the old range: ok 0\n   maps the old range:\n",
     "   MREMAP_DONTUNMAP, an unaligned new_address = -1 EINVAL\n"
     "   MREMAP_DONTUNMAP, new_address overlapping = -1 EINVAL\n"
     "   MREMAP_DONTUNMAP: moved 1, contents a b\n   the old range: ok 0\n   maps the old range:\n"
     "    +0..+2 rw-p off 0 \n"),
    ("   new_len 0 = -1 ENOMEM\n", "   new_len 0 = -1 EINVAL\n"),
    ("   old_len 0 of a private mapping = -1 ENOMEM\n", "   old_len 0 of a private mapping = -1 EINVAL\n"),
    ("   old_len 0 of a shared file mapping: -1 ENOMEM\n",
     "   old_len 0 of a shared file mapping: a twin 1, the original sees T\n"),
    # qemu 7.2's madvise answers 0 to everything and passes on only MADV_DONTNEED.
    ("   MADV_REMOVE on private anonymous = 0\n   bad advice 999 = 0\n   bad advice -1 = 0\n",
     "   MADV_REMOVE on private anonymous = -1 EINVAL\n   bad advice 999 = -1 EINVAL\n   bad advice -1 = -1 EINVAL\n"),
    ("   len 0, bad advice = 0\n   MADV_DONTNEED over a hole = 0\n   MADV_WILLNEED over a hole = 0\n"
     "   MADV_NORMAL over a hole = 0\n   MADV_DONTNEED unmapped = 0\n   bad advice unmapped = 0\n",
     "   len 0, bad advice = -1 EINVAL\n   MADV_DONTNEED over a hole = -1 ENOMEM\n"
     "   MADV_WILLNEED over a hole = -1 ENOMEM\n   MADV_NORMAL over a hole = -1 ENOMEM\n"
     "   MADV_DONTNEED unmapped = -1 ENOMEM\n   bad advice unmapped = -1 EINVAL\n"),
    ("   MADV_REMOVE on a private file mapping = 0\n", "   MADV_REMOVE on a private file mapping = -1 EACCES\n"),
    ("   the page reads 0 after: 83 83, size 8192\n", "   the page reads 0 after: 0 0, size 8192\n"),
    ("   after: 97 b\n", "   after: 0 b\n"),
    ("   keeps: 97 b\n", "   keeps: 0 b\n"),
    ("   madvise at 2^48 = 0\n", "   madvise at 2^48 = -1 ENOMEM\n"),
    # qemu 7.2 has no mlock2.
    ("   mlock2 MLOCK_ONFAULT = -1 ENOSYS\n   mlock2 bad flag = -1 ENOSYS\n",
     "   mlock2 MLOCK_ONFAULT = 0\n   mlock2 bad flag = -1 EINVAL\n"),
    # qemu's brk area is a plain mapping of its own, and it makes no vDSO (arm64 Linux's is
    # mapped below the stack, above the heap).
    ("   maps the heap:\n    +0..+4 rw-p off 0 \n", "   maps the heap:\n    +0..+4 rw-p off 0 [heap]\n"),
    ("   [stack] rw-p\n", "   [heap] rw-p\n   [vdso] r-xp\n   [stack] rw-p\n"),
    ("   MAP_FIXED_NOREPLACE at 2^48 = map\n", "   MAP_FIXED_NOREPLACE at 2^48 = -1 ENOMEM\n"),
    # arm64 reports the faulting address itself (FAR_EL1); qemu's si_addr is elsewhere.
    ("   a load from 2^48: Segmentation fault SEGV_MAPERR (elsewhere)\n",
     "   a load from 2^48: Segmentation fault SEGV_MAPERR\n"),
    # MADV_WIPEONFORK/KEEPONFORK: qemu answers 0 and passes neither on (the child keeps the pages,
    # the mapping does not split); Linux refuses a file or shared mapping (EINVAL, the VMAs before
    # it changed), and a hole is ENOMEM.
    ("   maps after it:\n    +0..+3 rw-p off 0 \n   the child of a wiped middle sees aaa;",
     "   maps after it:\n    +0..+1 rw-p off 0 \n    +1..+2 rw-p off 0 \n    +2..+3 rw-p off 0 \n"
     "   the child of a wiped middle sees a0a;"),
    ("   the child of all wiped sees aaa; the parent a a a\n   MADV_WIPEONFORK over a hole = 0\n",
     "   the child of all wiped sees 000; the parent a a a\n   MADV_WIPEONFORK over a hole = -1 ENOMEM\n"),
    ("   MADV_WIPEONFORK on shared anonymous = 0\n", "   MADV_WIPEONFORK on shared anonymous = -1 EINVAL\n"),
    ("   MADV_WIPEONFORK on a private file mapping = 0\n",
     "   MADV_WIPEONFORK on a private file mapping = -1 EINVAL\n"),
    ("   MADV_WIPEONFORK over anonymous then a file = 0\n   the anonymous page was wiped: 0\n",
     "   MADV_WIPEONFORK over anonymous then a file = -1 EINVAL\n   the anonymous page was wiped: 1\n"),
]

SECTIONS = [("1", "mmap errors"), ("2", "mmap flags"), ("3", "file mappings"), ("4", "across fork"),
            ("5", "munmap"), ("6", "mprotect"), ("7", "mremap"), ("8", "madvise"),
            ("9", "msync, mincore, mlock"), ("10", "brk"), ("11", "/proc/self/maps"),
            ("12", "the 48-bit address space"), ("13", "mappings as their file changes"),
            ("14", "MADV_WIPEONFORK")]


def as_linux(text: str) -> str:
    for qemu, linux in QEMU_USER:
        text = text.replace(qemu, linux, 1)
    return text


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[dict[str, str], subprocess.CompletedProcess]:
    probe = tmp_path_factory.mktemp("memconf") / "memconf"
    subprocess.run([CC, "-O2", "-Wall", "-Wno-format", "-static", "-o", str(probe), str(SOURCE)], check=True)
    linux = as_linux(oracle_in_tmpfs(probe))
    ours = run(probe, "/tmp")
    assert ours.returncode == 0, ours.stderr
    return sections(linux), ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_memory_calls_answer_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert sections(ours.stdout).get(section) == linux[section], what


def test_memconf_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""
