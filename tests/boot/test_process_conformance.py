"""Process calls answer for answer against Linux: tests/boot/guest/procconf.c sweeps fork, vfork,
clone/clone3 (flag errnos, struct sizes, SETTID/CLEARTID, CLONE_VFORK), wait4/waitid (WNOHANG,
stops and continues, WNOWAIT zombies, exit statuses, pidfds (a reused pid's new process is not
the old pidfd's), process groups, __WCLONE/__WALL/__WNOTHREAD), execve/execveat (errnos in
Linux's order, "#!" scripts, argv and AT_EXECFN rules, descriptors kept and closed,
comm), identity (sessions, setpgid, groups, set*id, setfsuid, prctl per process, PDEATHSIG),
rlimits (NOFILE, FSIZE, NPROC; RLIMIT_AS at its exact edge for mmap/mremap/brk/stack growth,
RLIMIT_DATA, RLIMIT_MEMLOCK unprivileged, RLIMIT_STACK's growth, exec room and mmap gap) and rusage. One boot
for all.

The oracle is the same probe built for this host and run natively, in a fresh tmpfs directory:
qemu-aarch64-static cannot be the oracle here, since it cannot execve an aarch64 program without
binfmt_misc (every exec'd copy of the probe would be ENOEXEC), and it emulates clone's checks
itself. These calls are generic kernel code: their answers are the same on arm64."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lib.guest import CC, GUEST_SOURCES, native_oracle, replace_lines, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "procconf.c"
CAP_SYS_RESOURCE = 24

# Where the host, not Linux as root, answers: a container here may run without CAP_SYS_RESOURCE,
# which a root process on a booted Linux has; each line as that root process gets it.
NO_SYS_RESOURCE = {
    "   raising the hard limit as root = -1 EPERM": "   raising the hard limit as root = 0",
    "   prlimit64 of itself = -1 EPERM": "   prlimit64 of itself = 0, the old: 64 256",
    "      the child's NOFILE: 64 128": "      the child's NOFILE: 32 256",
    "   setrlimit AS back to infinity as root = -1 EPERM": "   setrlimit AS back to infinity as root = 0",
    "   setrlimit raising the hard limit as root = -1 EPERM": "   setrlimit raising the hard limit as root = 0",
}

SECTIONS = [("1", "fork, vfork, clone"), ("2", "wait4 and waitid"), ("3", "execve and execveat"),
            ("4", "identity"), ("5", "rlimits"), ("6", "getrusage, times, sysinfo"),
            ("7", "raw setrlimit, prlimit64's order, restart_syscall")]


def has_sys_resource() -> bool:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("CapEff:"):
            return bool(int(line.split()[1], 16) >> CAP_SYS_RESOURCE & 1)
    return True


def linux(tmp: Path) -> str:
    out = native_oracle(SOURCE, tmp, workdir=True)
    fix = {} if has_sys_resource() else NO_SYS_RESOURCE
    return replace_lines(out, fix)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("procconf")
    probe = tmp / "procconf"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-o", str(probe), str(SOURCE)], check=True)
    expected = linux(tmp)
    ours = run(probe, "/tmp")
    assert ours.returncode == 0, ours.stderr
    return sections(expected), ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_process_calls_answer_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert sections(ours.stdout).get(section) == linux[section], what


def test_procconf_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""
