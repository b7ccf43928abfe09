"""Time, futex, identity and /proc calls against Linux: tests/boot/guest/miscconf.c sweeps the
clocks (every id, CPU clocks of other processes and threads, the vDSO against the syscall),
sleeping (errnos, TIMER_ABSTIME in the past, the time left on EINTR), setting clocks (error paths
only: the oracle runs on this host), futexes (WAIT/WAKE, bitsets, requeue, WAKE_OP, PI futexes,
robust lists), identity calls and /proc's formats. The oracle is the same program under
qemu-aarch64-static in a fresh tmpfs directory; ours runs in /tmp, one boot for all."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lib.guest import CC, GUEST_SOURCES, oracle_in_tmpfs, replace_lines, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "miscconf.c"

# Where qemu-user (Debian's 7.2), not Linux, answers: each line as Linux arm64 gives it.
# - qemu-user refuses set_robust_list/get_robust_list (ENOSYS: it cannot walk a guest's list at
#   exit), so Linux's answers (the 24-byte head glibc registered, EINVAL for another length,
#   ESRCH for no such pid) and the owner-death handling it implies are written here.
# - sysinfo(NULL): qemu answers 0 without writing; Linux's copy_to_user fails (EFAULT).
QEMU_USER = {
    # qemu reads the timespec or timeval (and a time zone) before the kernel sees the call:
    # Linux's clock_settime refuses a clock without clock_set first, and settimeofday checks
    # tv_usec before it copies the time zone.
    "   clock_settime bad id 100 NULL = -1 EFAULT": "   clock_settime bad id 100 NULL = -1 EINVAL",
    "   settimeofday tv_usec -1, bad tz pointer = -1 EFAULT": "   settimeofday tv_usec -1, bad tz pointer = -1 EINVAL",
    "   get_robust_list self = -1 ENOSYS": "   get_robust_list self = 0",
    "   len 1": "   len 24",
    "   set_robust_list len 0 = -1 ENOSYS": "   set_robust_list len 0 = -1 EINVAL",
    "   set_robust_list len 25 = -1 ENOSYS": "   set_robust_list len 25 = -1 EINVAL",
    "   set_robust_list as it was = -1 ENOSYS": "   set_robust_list as it was = 0",
    "   get_robust_list no such pid = -1 ENOSYS": "   get_robust_list no such pid = -1 ESRCH",
    "   owner died: FUTEX_OWNER_DIED set 0, lock = EBUSY": "   owner died: FUTEX_OWNER_DIED set 1, lock = EOWNERDEAD",
    "   consistent EINVAL, unlock EPERM": "   consistent 0, unlock 0",
    "   sysinfo NULL = 0": "   sysinfo NULL = -1 EFAULT",
    # qemu's syslog reads its length from the buffer argument (and checks the buffer only with
    # lock_user): Linux 6.1's do_syslog refuses a NULL buffer or a negative length (EINVAL)
    # before anything else, and a range past user space is access_ok's EFAULT.
    "   syslog READ_ALL NULL = 0": "   syslog READ_ALL NULL = -1 EINVAL",
    "   syslog READ_ALL len -1 = -1 EFAULT": "   syslog READ_ALL len -1 = -1 EINVAL",
    "   syslog READ NULL = 0": "   syslog READ NULL = -1 EINVAL",
    "   syslog READ_CLEAR len -1 = -1 EFAULT": "   syslog READ_CLEAR len -1 = -1 EINVAL",
    "   syslog READ_ALL past user space = -1 EINVAL": "   syslog READ_ALL past user space = -1 EFAULT",
}

# Where this host's kernel (newer than the 6.1 we answer as) differs: since 6.5 the low 3 bits
# of an I/O priority are its level and the next 10 are hints, so BE "level 8" is level 0 with a
# hint; 6.1's ioprio_check_cap compares all 13 data bits with IOPRIO_NR_LEVELS.
NEWER_HOST = {
    "   ioprio_set self BE 8 (bad level) = 0": "   ioprio_set self BE 8 (bad level) = -1 EINVAL",
}

# qemu-user (7.2) has none of the NUMA policy calls (each is ENOSYS), so what Linux 6.1 answers
# on a machine of one node (nr_node_ids 1, Debian arm64's MAX_NUMNODES 16) is written here, read
# from mm/mempolicy.c and mm/migrate.c: sanitize_mpol_flags, get_nodes, mpol_new (PREFERRED
# without nodes becomes MPOL_LOCAL), mpol_set_nodemask (nodes that are not online are dropped;
# RELATIVE folds onto the online ones; STATIC/RELATIVE report the mask given), do_get_mempolicy,
# copy_nodes_to_user, do_mbind and queue_pages_range's holes, set_mempolicy_home_node's
# ENOENT/EOPNOTSUPP, do_pages_stat (follow_page with FOLL_DUMP: -EFAULT for an untouched
# anonymous page since 4.3) and kernel_migrate_pages (an empty target set is EINVAL).
MEMPOLICY_FIRST, MEMPOLICY_LAST = "   get_mempolicy = -1 ENOSYS", "   migrate_pages no such pid = -1 ENOSYS"
MEMPOLICY_LINUX = """\
   get_mempolicy = 0
   mode 0 (MPOL_DEFAULT 0)
   get_mempolicy bad flags = -1 EINVAL
   set_mempolicy MPOL_DEFAULT = 0
   set_mempolicy mode 99 = -1 EINVAL
   get_mempolicy addr without MPOL_F_ADDR = -1 EINVAL
   get_mempolicy MPOL_F_NODE of the default = -1 EINVAL
   get_mempolicy nmask with maxnode 0 = -1 EINVAL
   get_mempolicy MPOL_F_MEMS_ALLOWED = 0: mode 0 mask 0x1
   get_mempolicy MEMS_ALLOWED|NODE = -1 EINVAL
   get_mempolicy default with a mask = 0: mode 0 mask 0
   set_mempolicy BIND node 0 = 0
     now = 0: mode 2 mask 0x1
   set_mempolicy BIND node 1 (offline) = -1 EINVAL
   set_mempolicy BIND no node = -1 EINVAL
   set_mempolicy BIND node 20 (past MAX_NUMNODES) = -1 EINVAL
   set_mempolicy BIND maxnode 1 (no bits) = -1 EINVAL
   set_mempolicy BIND maxnode past a page of bits = -1 EINVAL
   set_mempolicy BIND bad mask pointer = -1 EFAULT
   set_mempolicy BIND|STATIC nodes 0,1 = 0
     now = 0: mode 32770 mask 0x3
   set_mempolicy BIND|STATIC|RELATIVE = -1 EINVAL
   set_mempolicy INTERLEAVE|RELATIVE node 1 = 0
     now = 0: mode 16387 mask 0x2
     get_mempolicy MPOL_F_NODE (next interleave node) = 0
  node 0
   set_mempolicy PREFERRED no node = 0
     now (MPOL_LOCAL) = 0: mode 4 mask 0
   set_mempolicy PREFERRED|STATIC no node = -1 EINVAL
   set_mempolicy PREFERRED nodes 0,1 = 0
     now = 0: mode 1 mask 0x1
   set_mempolicy LOCAL node 0 = -1 EINVAL
   set_mempolicy LOCAL = 0
   set_mempolicy PREFERRED_MANY node 0 = 0
   set_mempolicy INTERLEAVE|NUMA_BALANCING = -1 EINVAL
   set_mempolicy BIND|NUMA_BALANCING = 0
     now = 0: mode 8194 mask 0x1
   set_mempolicy DEFAULT node 0 = -1 EINVAL
   set_mempolicy DEFAULT = 0
   mbind middle page BIND node 0 = 0
  the mapping is now 3 areas in maps
     MPOL_F_ADDR there = 0: mode 2 mask 0x1
     MPOL_F_ADDR first page (no policy) = 0: mode 0 mask 0
     MPOL_F_NODE|MPOL_F_ADDR = 0
  node 0
   mbind unaligned = -1 EINVAL
   mbind flags 8 = -1 EINVAL
   mbind length 0 = 0
   mbind node 1 = -1 EINVAL
   mbind STRICT|MOVE node 0 = 0
   set_mempolicy_home_node there = 0
   set_mempolicy_home_node no policy = -1 ENOENT
   set_mempolicy_home_node node 1 = -1 EINVAL
   set_mempolicy_home_node flags 1 = -1 EINVAL
   mbind PREFERRED middle = 0
   set_mempolicy_home_node on PREFERRED = -1 EOPNOTSUPP
   mbind DEFAULT middle = 0
  the mapping is now 1 areas in maps
   move_pages status = 0
  touched 0, untouched -14, unmapped -14
   move_pages to node 1 = -1 ENODEV
   move_pages flags 8 = -1 EINVAL
   move_pages no such pid = -1 ESRCH
   mbind unmapped BIND = -1 EFAULT
   mbind unmapped DEFAULT = -1 EFAULT
   get_mempolicy MPOL_F_ADDR unmapped = -1 EFAULT
   migrate_pages node 0 to 0 = 0
   migrate_pages to node 1 = -1 EINVAL
   migrate_pages no such pid = -1 ESRCH
"""


# futex_waitv (449) is ENOSYS in qemu-user 7.2 too: Linux's answers (5.16+, the same in 6.1)
# from kernel/futex/syscalls.c (flags, count and vector first; the timeout's clock, copy and
# range; each entry's FUTEX_32/flags/reserved) and waitwake.c (futex_wait_multiple_setup: the
# keys' alignment and access, then the values; the index woken; a FUTEX_WAKE_PRIVATE does not
# reach a shared entry on private memory, as get_futex_key's FUT_OFF_MMSHARED keeps them apart).
WAITV_FIRST, WAITV_LAST = "   futex_waitv value mismatch = -1 ENOSYS", \
    "   futex_waitv shared word 0 by FUTEX_WAKE_PRIVATE (other key): wake woke 0, waitv = -1 ENOSYS"
WAITV_LINUX = """\
   futex_waitv value mismatch = -1 EAGAIN
   futex_waitv count 0 = -1 EINVAL
   futex_waitv flags 1 = -1 EINVAL
   futex_waitv timeout = -1 ETIMEDOUT
   futex_waitv bad clock = -1 EINVAL
   futex_waitv 129 entries = -1 EINVAL
   futex_waitv NULL vector = -1 EINVAL
   futex_waitv bad vector = -1 EFAULT
   futex_waitv third value differs = -1 EAGAIN
   futex_waitv entry without FUTEX_32 = -1 EINVAL
   futex_waitv entry flag 1 = -1 EINVAL
   futex_waitv reserved set = -1 EINVAL
   futex_waitv unaligned word = -1 EINVAL
   futex_waitv unmapped word = -1 EFAULT
   futex_waitv timeout nsec 1e9 = -1 EINVAL
   futex_waitv bad timeout pointer = -1 EFAULT
   futex_waitv realtime timeout = -1 ETIMEDOUT
   futex_waitv word 2 woken: wake woke 1, waitv = 2 
   futex_waitv private word 1 by FUTEX_WAKE_PRIVATE: wake woke 1, waitv = 1 
   futex_waitv shared word 0 by FUTEX_WAKE_PRIVATE (other key): wake woke 0, waitv = 0 
"""


def linux_block(text: str, first: str, last: str, linux: str) -> str:
    """The oracle's output with its block of ENOSYS answers from `first` to `last` replaced by
    Linux's; the block must be all ENOSYS (a qemu that gains the calls makes this fail, not pass
    silently)."""
    lines = text.splitlines()
    start, end = lines.index(first), lines.index(last)
    block = lines[start:end + 1]
    assert all("ENOSYS" in line or line.startswith(("  node", "  touched", "   mode -1", "  the mapping")) for line in block), block
    return "\n".join(lines[:start] + linux.splitlines() + lines[end + 1:]) + "\n"


# The oracle's /proc is not Linux arm64's where qemu-user makes it up or passes the host's
# through: each such line as Linux arm64 writes it, recorded with this probe on Debian's arm64
# Linux 6.1 (6.1.0-57-arm64, 6.1.192-3) booted under qemu-system-aarch64 -machine virt -cpu max
# (the kernel and busybox of tests/kvm's L1 machine, an initramfs with the probe; one 2-CPU boot).
# With these and HOST_KERNEL's lines the oracle's sections 6-8 are that boot's, line for line.
QEMU_USER.update({
    # qemu-user fakes /proc/self/stat: its own 44 fields, state '0', the file's name (not PR_SET_NAME's).
    "   stat: pid first 1, comm in parentheses yes, state 0, fields after comm 42":
        "   stat: pid first 1, comm in parentheses yes, state R, fields after comm 50",
    "   stat comm miscconf, ppid field = getppid 1": "   stat comm miscconf-probe, ppid field = getppid 1",
    # qemu-user answers /proc/self/cmdline from its own copy of argv, not from the guest's memory.
    "   cmdline after argv[0] shortened in place: same length 1, first string mc 0":
        "   cmdline after argv[0] shortened in place: same length 1, first string mc 1",
    "   arguments lie just below the environment 1; cmdline after a title past argv's end: the title and its NUL 0":
        "   arguments lie just below the environment 1; cmdline after a title past argv's end: the title and its NUL 1",
    # readlink(/proc/self/exe) is answered by qemu (the probe), but stat() of it reaches the
    # host's link, which names qemu-aarch64-static.
    "   exe is absolute and is this program: 0": "   exe is absolute and is this program: 1",
})

# Lines that are the host kernel's own answer (qemu-user passes /proc through), whatever host it
# is: replaced by their first characters with Linux 6.1 arm64's line, recorded as above.
HOST_KERNEL = {
    # open() forces O_LARGEFILE, which is 0100000 on x86 and 0400000 on arm64.
    "   fdinfo pos 2, flags ": "   fdinfo pos 2, flags 0402002",
    "   fdinfo flags of O_RDONLY|O_CLOEXEC ": "   fdinfo flags of O_RDONLY|O_CLOEXEC 02400000",
    # eventfd-semaphore is Linux 6.5's.
    "   eventfd fdinfo:": "   eventfd fdinfo: pos, flags=02004002, mnt_id, ino, eventfd-count=5, eventfd-id,",
    # SIGRTMIN + 3 is bit 36; qemu-user moves the guest's real-time signals to other host ones.
    "   signalfd fdinfo:": "   signalfd fdinfo: pos, flags=02, mnt_id, ino, sigmask=0000001000000200,",
    # The fields of 6.1 with Debian's arm64 configuration (no Kthread/untag_mask: 6.4; no
    # x86 DirectMap*, no Balloon: 6.13; CmaTotal/CmaFree, HardwareCorrupted: configured in).
    "   status:": "   status: Name, Umask, State, Tgid, Ngid, Pid, PPid, TracerPid, Uid, Gid, FDSize, Groups, "
                  "NStgid, NSpid, NSpgid, NSsid, VmPeak, VmSize, VmLck, VmPin, VmHWM, VmRSS, RssAnon, RssFile, "
                  "RssShmem, VmData, VmStk, VmExe, VmLib, VmPTE, VmSwap, HugetlbPages, CoreDumping, THP_enabled, "
                  "Threads, SigQ, SigPnd, ShdPnd, SigBlk, SigIgn, SigCgt, CapInh, CapPrm, CapEff, CapBnd, CapAmb, "
                  "NoNewPrivs, Seccomp, Seccomp_filters, Speculation_Store_Bypass, SpeculationIndirectBranch, "
                  "Cpus_allowed, Cpus_allowed_list, Mems_allowed, Mems_allowed_list, voluntary_ctxt_switches, "
                  "nonvoluntary_ctxt_switches,",
    "   meminfo:": "   meminfo: MemTotal, MemFree, MemAvailable, Buffers, Cached, SwapCached, Active, Inactive, "
                   "Active(anon), Inactive(anon), Active(file), Inactive(file), Unevictable, Mlocked, SwapTotal, "
                   "SwapFree, Zswap, Zswapped, Dirty, Writeback, AnonPages, Mapped, Shmem, KReclaimable, Slab, "
                   "SReclaimable, SUnreclaim, KernelStack, PageTables, SecPageTables, NFS_Unstable, Bounce, "
                   "WritebackTmp, CommitLimit, Committed_AS, VmallocTotal, VmallocUsed, VmallocChunk, Percpu, "
                   "HardwareCorrupted, AnonHugePages, ShmemHugePages, ShmemPmdMapped, FileHugePages, FilePmdMapped, "
                   "CmaTotal, CmaFree, HugePages_Total, HugePages_Free, HugePages_Rsvd, HugePages_Surp, Hugepagesize, "
                   "Hugetlb,",
    # An x86 host's /proc/cpuinfo; arm64's c_show (the Features line is the hwcaps' names).
    "   BogoMIPS N.NN and CPU lines as ": "   BogoMIPS N.NN and CPU lines as 0x%02x/8/0x%x/0x%03x/%d: 1, "
                                          "Features = AT_HWCAP/AT_HWCAP2's names: 1",
    "   first processor:": "   first processor: processor\t, BogoMIPS\t, Features\t, CPU implementer\t, "
                           "CPU architecture, CPU variant\t, CPU part\t, CPU revision\t,",
}

# environ is read for this variable, set in both runs.
ENV = {"MISCCONF": "here and there"}

SECTIONS = [("1", "clocks"), ("2", "sleeping"), ("3", "setting clocks"), ("4", "futexes"),
            ("5", "identity and system"), ("6", "/proc"), ("7", "/proc field names"), ("8", "/proc/cpuinfo"),
            ("9", "/proc/sys limits"), ("10", "/proc/self/fd links and maps ids")]


def replace_host_lines(text: str, fixes: dict[str, str]) -> str:
    """`text` with each line that starts with a key of `fixes` replaced by its value."""
    def fixed(line: str) -> str:
        return next((new for start, new in fixes.items() if line.startswith(start)), line)
    return "".join(fixed(line) + "\n" for line in text.splitlines())


# A chrooted host (a fresh-machine run, a build container) has no mount at its "/": mountinfo
# lists the mounts a process's root can reach, and the chroot's directory is none. A booted
# Linux always has its root mounted there.
CHROOTED_HOST = {
    "   mountinfo: every line 'ID PARENT MAJ:MIN ROOT POINT ... - TYPE SRC OPTS' 1, one at / 0,":
    "   mountinfo: every line 'ID PARENT MAJ:MIN ROOT POINT ... - TYPE SRC OPTS' 1, one at / 1, lines >= 1 1",
}


# A host (container) whose root lacks CAP_SYS_RESOURCE cannot grow a pipe past pipe-max-size;
# Linux's root can.
NO_SYS_RESOURCE = {
    "   root F_SETPIPE_SZ above pipe-max-size: 0": "   root F_SETPIPE_SZ above pipe-max-size: 1",
}


def host_has_cap(cap: int) -> bool:
    eff = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("CapEff:"))
    return bool(int(eff.split()[1], 16) >> cap & 1)


def host_root_mounted() -> bool:
    return any(line.split()[4] == "/" for line in Path("/proc/self/mountinfo").read_text().splitlines())


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[dict[str, str], subprocess.CompletedProcess]:
    probe = tmp_path_factory.mktemp("miscconf") / "miscconf"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-pthread", "-o", str(probe), str(SOURCE)], check=True)
    linux = replace_host_lines(replace_lines(oracle_in_tmpfs(probe, env=ENV), QEMU_USER | NEWER_HOST), HOST_KERNEL)
    if not host_root_mounted():
        linux = replace_host_lines(linux, CHROOTED_HOST)
    if not host_has_cap(24):           # CAP_SYS_RESOURCE
        linux = replace_lines(linux, NO_SYS_RESOURCE)
    linux = linux_block(linux, MEMPOLICY_FIRST, MEMPOLICY_LAST, MEMPOLICY_LINUX)
    linux = linux_block(linux, WAITV_FIRST, WAITV_LAST, WAITV_LINUX)
    ours = run(probe, "/tmp", options=[f"--env={k}={v}" for k, v in ENV.items()])
    assert ours.returncode == 0, ours.stderr
    return sections(linux), ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_time_futex_and_proc_answer_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert sections(ours.stdout).get(section) == linux[section], what


def test_miscconf_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""
