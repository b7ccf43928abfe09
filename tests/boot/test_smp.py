"""SMP: every CPU QEMU gives the guest comes up (PSCI CPU_ON, GICv2 and GICv3, LSE and LL/SC
locks), the counts a program can read agree with them, busy threads spread over the CPUs, and the
cross-CPU paths (futex hand-offs, thread storms, munmap/mprotect/mremap against a writer on
another CPU, signals to a thread spinning on another CPU, epoll wake-ups, the kernel lock under
a thread per CPU, Go's runtime at GOMAXPROCS=2) behave as on Linux. The oracle is the same
program under qemu-aarch64-static on this host (2 CPUs): the cross-CPU checks only need two
CPUs, so their output is Linux's whatever --smp we boot with (2). One boot per (smp, gic) and
one for all the cross-CPU checks keep this file to about a minute; the speed-up and latencies
are bench/smp.py's."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from lib.guest import GUEST_SOURCES, build_static, oracle, run, sections
from unibuild.paths import PROJECT_ROOT

pytestmark = pytest.mark.boot

GO_SOURCE = GUEST_SOURCES / "gosmp"


@pytest.fixture(scope="module")
def smp_program(tmp_path_factory, target_root) -> Path:
    return build_static("smp.c", tmp_path_factory.mktemp("smp"))


def booted(program: Path, *args: str, smp: int, gic: str = "3", extra=(), timeout=150):
    result = run(program, *args, options=("--smp", str(smp), "--gic", gic, *extra), timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


# The kernel's lines on stderr (rseq, which glibc registers at start, is no longer missing).
def program_stderr(stderr: str) -> list[str]:
    return [l for l in stderr.splitlines() if l]


# One short boot per (smp, gic): every CPU reports in --verbose, every count a program can read
# says the same, and a thread per CPU hammers one pipe (the kernel lock under contention). The
# GICv2 two-CPU boot is a Cortex-A72's, as on a Raspberry Pi 4: no LSE, so its locks are
# LDAXR/STXR; the others run QEMU's max CPU, whose LSE atomics the kernel probes and uses.
@pytest.mark.parametrize("smp,gic", [(1, "2"), (2, "2"), (4, "2"), (1, "3"), (2, "3"), (4, "3"), (8, "3")])
def test_every_cpu_comes_up_and_programs_count_them(smp_program, smp, gic):
    a72 = (smp, gic) == (2, "2")
    cpu = ("--cpu", "cortex-a72") if a72 else ()
    result = booted(smp_program, "counts", smp=smp, gic=gic, extra=("--verbose", *cpu))
    online = re.findall(r"^smp: cpu (\d+) \(mpidr (0x[0-9a-f]+)\) online", result.stderr, re.M)
    assert [int(n) for n, _ in online] == list(range(smp)), result.stderr
    assert len({hw for _, hw in online}) == smp
    assert f"smp: {smp} of {smp} cpus online" in result.stderr
    assert f"locks use {'LDAXR/STXR' if a72 else 'LSE atomics'}" in result.stderr
    assert result.stdout.splitlines() == [
        "1. info", f"get_nprocs {smp}", f"nprocessors_onln {smp}", f"nprocessors_conf {smp}", f"affinity {smp}",
        f"online {'0' if smp == 1 else f'0-{smp - 1}'}", f"cpuinfo processors {smp}", "pinned to each cpu ok",
        "2. lock", "lock 500 bytes from a thread per cpu, all received",
    ]


# Timings the checks print (not compared: bench/smp.py reports them).
TIMING = re.compile(r"(pingpong|signal|busy \d+ threads)[: ]")


@pytest.fixture(scope="module")
def all_checks(smp_program):
    """Every cross-CPU check in one boot at the host's CPU count (2 here), and Linux's output for
    the same program: futex hand-offs between CPU 0 and 1, a thread create/exit storm, munmap,
    mprotect and mremap against a writer on CPU 1, pthread_kill of a thread spinning on CPU 1,
    epoll wake-ups from CPU 1, a thread per CPU writing one pipe, and sleeping threads moved by
    sched_setaffinity waking on their new CPU. A lost wake-up or a stale
    TLB entry hangs a check or changes its line."""
    linux = oracle(smp_program, "all")
    count = int(re.search(r"get_nprocs (\d+)", linux).group(1))
    if count < 2:
        pytest.skip("the Linux oracle needs 2 CPUs for the cross-CPU checks")
    return linux, booted(smp_program, "all", smp=count, gic="3" if count > 8 else "2", timeout=200)


@pytest.mark.parametrize("section", ["1", "2", "3", "4", "5", "6", "7", "8"],
                         ids=["info", "pingpong", "storm", "unmap", "signal", "epoll", "lock", "migrate"])
def test_cross_cpu_behaviour_matches_linux(all_checks, section):
    linux, ours = all_checks
    assert sections(ours.stdout).get(section) == sections(linux)[section]


def test_busy_threads_run_on_both_cpus_and_a_good_run_is_quiet(all_checks):
    _, ours = all_checks
    cpus = [set(map(int, re.findall(r"\d+", l.split("cpus", 1)[1])))
            for l in sections(ours.stdout)["9"].splitlines() if l.startswith("thread ")]
    assert len(cpus) == 2 and all(cpus) and set().union(*cpus) == {0, 1}, cpus
    # Without --verbose the kernel says nothing about its CPUs; only the checks' timings reach
    # stderr.
    noise = [l for l in program_stderr(ours.stderr) if not TIMING.match(l)]
    assert noise == [], ours.stderr


@pytest.fixture(scope="module")
def go_program(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gosmp") / "gosmp"
    cache = PROJECT_ROOT / "build/cache/go"
    env = {**os.environ, "CGO_ENABLED": "0", "GOOS": "linux", "GOARCH": "arm64", "GOFLAGS": "-mod=mod",
           "GOPROXY": "off", "GOCACHE": str(cache / "build"), "GOPATH": str(cache / "path")}
    subprocess.run(["go", "build", "-trimpath", "-o", str(out), "."], cwd=GO_SOURCE, env=env, check=True)
    return out


def test_go_runtime_at_gomaxprocs_2_matches_linux(go_program):
    linux = subprocess.run(["qemu-aarch64-static", str(go_program)], capture_output=True, text=True,
                           timeout=120, check=True, env={"GOMAXPROCS": "2"}).stdout
    result = booted(go_program, smp=2, extra=("-e", "GOMAXPROCS=2"))
    assert result.stdout == linux
    assert linux.startswith("NumCPU 2 GOMAXPROCS 2\n")
