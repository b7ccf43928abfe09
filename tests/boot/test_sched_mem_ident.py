"""Scheduling attributes (sched_* and sched_setattr/getattr, pthread_setschedparam), nice values
(getpriority's raw 20 - nice, PRIO_PROCESS/PGRP/USER, /proc/<pid>/task/<tid>/stat), memory locks
(mlock, munlock, mlockall, VmLck) and mincore, membarrier, personality, capget/capset,
sethostname/setdomainname, reboot's checks, sync_file_range, readahead and prctl against Linux:
one guest program (tests/boot/guest/sched_mem_ident.c), one boot with two CPUs, which ends with
reboot(POWER_OFF). The oracle is the same static binary under qemu-aarch64-static in a UTS
namespace of its own (sethostname must not reach the host); it is never given "reboot"."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from lib.guest import TARGET_ROOT, build_static, run, sections

pytestmark = pytest.mark.boot

# What qemu-aarch64-static cannot answer (no mlock2; it refuses PR_GET_SECCOMP,
# PR_*_THP_DISABLE and PR_*_CHILD_SUBREAPER itself) or must not be asked (mlockall would lock
# qemu's own memory on the host): Linux's documented answers, mlock2(2) and prctl(2), which the
# same section built for the x86-64 host and run there natively also gives.
BEYOND_QEMU = """7. beyond qemu
mlock2 flags 2: -1 EINVAL
mlock2 onfault: 0
  VmLck +16 kB
onfault: 0000
mlock2 plain: 0
populated: 1111
  VmLck after munmap +0 kB
get_seccomp: 0
get_thp_disable: 0
set_thp_disable: 0
get_thp_disable: 1
set_thp_disable bad: -1 EINVAL
get_child_subreaper: 0
  0
set_child_subreaper: 0
  1
  orphan adopted by the subreaper: yes
  subreaper reaped its grandchild: yes
get_child_subreaper, parent: 0
  0
mlockall current: 0
  VmLck grew: yes
munlockall: 0
  VmLck +0 kB
"""

# reboot in a pid namespace (the guest is a container's): CAD_ON is EINVAL there, POWER_OFF ends
# pid 1 as killed by SIGINT, which a supervisor reports as 128 + 2.
REBOOT = "8. reboot\nreboot cad on: -1 EINVAL\n"
POWER_OFF_STATUS = 130


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    return build_static("sched_mem_ident.c", tmp_path_factory.mktemp("sched_mem_ident"))


@pytest.fixture(scope="module")
def expected(probe):
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("the oracle needs root and unshare(1) for a UTS namespace of its own")
    out = subprocess.run(["unshare", "--uts", "qemu-aarch64-static", "-L", str(TARGET_ROOT), str(probe)],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    return sections(out)


def test_scheduling_memory_and_identity_calls_answer_as_linux(probe, expected):
    ours = run(probe, "reboot", options=("--smp", "2"))
    assert ours.stderr == ""
    got = sections(ours.stdout)
    assert set(expected) == {"1", "2", "3", "4", "5", "6"}
    for key in expected:
        assert got.get(key) == expected[key], f"section {key}"
    assert got.get("7") == BEYOND_QEMU
    assert got.get("8") == REBOOT
    assert ours.returncode == POWER_OFF_STATUS
