"""/proc/self/smaps counts a process's pages as Linux does: tests/boot/guest/proc_counts.c prints the
counting fields (Rss, Pss, Shared/Private Clean/Dirty, Anonymous, Locked) of mappings it made,
across a fork and for shared and file mappings, and the order of an entry's fields. Redis on
arm64 reads these before it starts (a page written before a fork must read Shared_Dirty in the
child). The oracle is the same probe under qemu-aarch64-static: qemu 7.2 does not emulate
smaps, so the probe reads the host kernel's own entry for its mapping, at the same address
(qemu maps a 64-bit guest with no offset). Section 3 is /proc/stat (the host's, read through
qemu): its lines, their columns and the counters a fork and a wait move (node's os.cpus() is
empty without it). Section 4 is a /proc/self/maps line's layout for a non-PIE program at
0x400000 (8 hex digits, the path at column 73) and one [heap] line however often brk grew it:
qemu 7.2 emulates maps with neither, so there the oracle is the host's kernel itself, the probe
built for the host and run natively (show_vma_header_prefix and do_brk_flags are generic code).
Ours runs in /tmp, one boot for all."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, oracle_in_tmpfs, run, sections, tmpfs_dir

pytestmark = pytest.mark.boot

# The host's kernel is newer than arm64 Debian's 6.1: Linux 6.6 added a "KSM" line after
# Anonymous, which 6.1 (recorded on Debian bookworm arm64) does not print.
HOST_CC = "gcc"   # the host's compiler: section 4's oracle runs natively

NEWER_THAN_6_1 = [(" Anonymous KSM LazyFree", " Anonymous LazyFree")]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    probe = tmp_path_factory.mktemp("proc_counts") / "proc_counts"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-no-pie", "-o", str(probe), str(GUEST_SOURCES / "proc_counts.c")], check=True)
    linux = oracle_in_tmpfs(probe)
    for newer, v61 in NEWER_THAN_6_1:
        linux = linux.replace(newer, v61)
    assert " Rss -" not in linux, "the oracle found no smaps entry at its mapping's address:\n" + linux
    native = probe.with_name("proc_counts-host")
    subprocess.run([HOST_CC, "-O2", "-static", "-no-pie", "-o", str(native), str(GUEST_SOURCES / "proc_counts.c")],
                   check=True)
    workdir = tmpfs_dir()
    try:
        layout = subprocess.run([str(native), str(workdir), "layout"], capture_output=True, text=True,
                                check=True, timeout=30).stdout
    finally:
        subprocess.run(["rm", "-rf", str(workdir)], check=True)
    ours = run(probe, "/tmp")
    assert ours.returncode == 0 and not ours.stderr, ours.stderr
    return {**sections(linux), "4": layout}, sections(ours.stdout)


@pytest.mark.parametrize("section, what", [("1", "anonymous memory and fork"),
                                           ("2", "shared and file mappings"), ("3", "/proc/stat"),
                                           ("4", "/proc/self/maps line layout")])
def test_proc_counts_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert ours.get(section) == linux[section], what
