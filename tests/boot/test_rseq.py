"""rseq(2) (tests/boot/guest/rseqconf.c) with glibc 2.36's registration at every thread's start:
the registration errnos (EBUSY, EPERM, EINVAL, EFAULT), cpu_id kept current on return to user
space (after a migration too: two CPUs), critical sections aborted to abort_ip when signalled
or preempted inside, threads, fork (kept) and exec (cleared, so the new glibc registers again),
and sched_getcpu agreeing. The oracle's qemu-user (7.2) has no rseq (ENOSYS; glibc then runs
without one), so the expected lines are Linux 6.1's kernel/rseq.c: the registration checks in
its order (struct rseq is 32 bytes, 32-aligned, and 6.1 takes no other length), unregistration
writing cpu_id_start 0 and cpu_id RSEQ_CPU_ID_UNINITIALIZED, rseq_ip_fixup clearing rseq_cs
before a signal handler runs, and membarrier's RSEQ commands (kernel/sched/membarrier.c: EPERM
before registering, MEMBARRIER_CMD_FLAG_CPU for that command only, an offline CPU is 0, the
threads it reaches count as preempted)."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, oracle, run

pytestmark = pytest.mark.boot

LINUX = """\
1. registration
   glibc registered: size 32, cpu_id = getcpu 1
   again, same = -1 EBUSY
   again, other signature = -1 EPERM
   again, other length = -1 EINVAL
   another area = -1 EINVAL
   flags 2 = -1 EINVAL
   unregister with flag 2 = -1 EINVAL
   unregister another area = -1 EINVAL
   unregister other length = -1 EINVAL
   unregister other signature = -1 EPERM
   unregister = 0
   cpu_id_start 0, cpu_id -1
   unregister again = -1 EINVAL
   register misaligned = -1 EINVAL
   register length 31 = -1 EINVAL
   register length 64 = -1 EINVAL
   register past user space = -1 EFAULT
   register another area = 0
   its cpu_id = getcpu 1
   unregister it = 0
   glibc's again = 0
2. critical sections
   outside: returns = 0
   signalled inside: abort_ip = 1
   rseq_cs cleared before the handler ran: 1
   preempted inside: abort_ip = 1
   invalid rseq_cs, then a signal: killed by Segmentation fault
3. membarrier
   query has the rseq commands: 1
   rseq before registering = -1 EPERM
   register rseq = 0
   rseq flags 2 = -1 EINVAL
   register rseq flags 1 = -1 EINVAL
   rseq = 0
   rseq on cpu 999 = 0
   rseq on this cpu = 0
   a section on CPU 1, membarrier rseq on CPU 1: abort_ip 1
4. threads, fork, exec, CPUs
   new thread: registered (again EBUSY) EBUSY, cpu_id = getcpu 1
   fork child: kept (again EBUSY) EBUSY, cpu_id = getcpu 1
   after exec: glibc registered 1, again EBUSY
   pinned to each CPU in turn, sched_getcpu and cpu_id follow: 1
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    out = tmp_path_factory.mktemp("rseqconf") / "rseqconf"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-pthread", "-I", str(GUEST_SOURCES), "-o", str(out),
                    str(GUEST_SOURCES / "rseqconf.c")], check=True)
    return out


def test_rseq_as_linux(probe):
    linux = oracle(probe)
    if "again, same = -1 ENOSYS" in linux:   # qemu-user without rseq: Linux's lines, above
        linux = LINUX
    ours = run(probe, options=("--smp", "2"))
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == linux
    assert ours.stderr == ""
