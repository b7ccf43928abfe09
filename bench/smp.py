#!/usr/bin/env python3
"""SMP benchmark, side by side in one run: what a second CPU buys and what crossing CPUs costs.

  threads     tests/boot/guest/smp.c `busy 2 N`: two busy threads, wall seconds
              (unikernel --smp 1, --smp 2, and qemu-user on this host as the reference)
  wake-up     `pingpong 5000`: futex hand-offs between threads pinned to CPUs 0 and 1, us each
              (a cross-CPU wake-up: FUTEX_WAKE, IPI, the other CPU leaving WFI and switching in)
  signal      `signal 200`: pthread_kill of a thread spinning on the other CPU until its handler ran
  goweb       examples/goweb under `ab -n N -c 32`, req/s, at --smp 1 and --smp 2
  lock        the kernel's own figure for an uncontended kernel-lock release+take (--verbose),
              with LSE atomics (--cpu max) and with LDAXR/STXR (--cpu cortex-a72)

Each cell is min/median/max over --runs. The host's other load is printed with each row: under
TCG every vCPU is a host thread, so a busy host takes the speed-up away. Not a test. Usage:
  .venv/bin/python bench/smp.py [--runs 3] [--iters 300000000] [--requests 2000]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web import Cell, free_port, run_ab, stop, wait_ready  # noqa: E402  (bench/web.py)

ROOT = Path(__file__).resolve().parent.parent
TARGET_ROOT = ROOT / "build" / "target-root"
GOWEB = ROOT / "build" / "examples" / "goweb" / "goweb"
UNIBUILD = [sys.executable, "-m", "unibuild", "run", "--accel", "tcg", "--target-root", str(TARGET_ROOT)]


def summary(values: list[float], fmt: str = "{:8.2f}") -> str:
    if not values:
        return "(no runs)"
    return " ".join(fmt.format(v) for v in (min(values), statistics.median(values), max(values)))


def load() -> str:
    return f"host load {os.getloadavg()[0]:.1f}"


def guest(program: Path, args: list[str], smp: int | None) -> subprocess.CompletedProcess:
    if smp is None:   # qemu-user: this host's Linux and CPUs
        return subprocess.run(["qemu-aarch64-static", str(program), *args], capture_output=True, text=True,
                              timeout=600, check=True)
    return subprocess.run([*UNIBUILD, "--net", "none", "--timeout", "600", "--smp", str(smp), str(program), *args],
                          capture_output=True, text=True, timeout=700, check=True)


def measure(program: Path, args: list[str], pattern: str, runs: int, smp: int | None,
            stream: str = "stdout") -> list[float]:
    values = []
    for _ in range(runs):
        r = guest(program, args, smp)
        m = re.search(pattern, getattr(r, stream))
        if m:
            values.append(float(m.group(1)))
    return values


def goweb_rates(smp: int, requests: int, runs: int) -> Cell:
    cell = Cell()
    for _ in range(runs):
        port = free_port()
        log = tempfile.TemporaryFile("w+")
        proc = subprocess.Popen([*UNIBUILD, "--smp", str(smp), "--timeout", "900", "-p", f"{port}:8080",
                                 str(GOWEB), "8080"], stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_ready(proc, port, 120)
            run_ab(["-n", str(requests), "-c", "32"], port, cell, 600)
        except RuntimeError as e:
            cell.aborted.append(str(e))
        finally:
            stop(proc)
            log.close()
    return cell


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--iters", type=int, default=300_000_000, help="busy loop iterations per thread")
    parser.add_argument("--requests", type=int, default=2000, help="ab -n for goweb")
    args = parser.parse_args()

    out = Path(tempfile.mkdtemp(prefix="bench-smp-"))
    program = out / "smp"
    subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-static", "-pthread", "-o", str(program),
                    str(ROOT / "tests/boot/guest/smp.c")], check=True)
    subprocess.run(["make", "-s", "-C", str(ROOT / "examples/goweb")], check=True)

    for cpu in ("max", "cortex-a72"):   # LSE atomics, then LDAXR/STXR (the Pi 4's core)
        verbose = subprocess.run([*UNIBUILD, "--net", "none", "--smp", "2", "--cpu", cpu, "--verbose",
                                  str(program), "info"], capture_output=True, text=True, timeout=300,
                                 check=True).stderr
        lock = re.search(r"kernel lock release\+take (\d+) ns", verbose)
        kind = re.search(r"locks use ([\w/ ]+)", verbose)
        print(f"{'lock':<10} uncontended release+take: {lock.group(1) if lock else '?'} ns "
              f"(TCG, --cpu {cpu}: {kind.group(1) if kind else '?'})")

    print(f"{'':<10} {'where':<12} {'min':>8} {'median':>8} {'max':>8}")
    for smp, name in ((1, "--smp 1"), (2, "--smp 2"), (None, "qemu-user")):
        secs = measure(program, ["busy", "2", str(args.iters)], r"busy 2 threads ([\d.]+) s", args.runs, smp,
                       "stderr")
        print(f"{'threads':<10} {name:<12} {summary(secs)}  s for 2 x {args.iters:.0e} iterations; {load()}")
    for smp, name in ((2, "--smp 2"), (None, "qemu-user")):
        us = measure(program, ["pingpong", "5000"], r"([\d.]+) us per hand-off", args.runs, smp, "stderr")
        print(f"{'wake-up':<10} {name:<12} {summary(us)}  us per cross-CPU futex hand-off; {load()}")
        us = measure(program, ["signal", "200"], r"signal: ([\d.]+) us each", args.runs, smp, "stderr")
        print(f"{'signal':<10} {name:<12} {summary(us)}  us per signal to a spinning thread; {load()}")
    for smp in (1, 2):
        cell = goweb_rates(smp, args.requests, args.runs)
        print(f"{'goweb':<10} {'--smp ' + str(smp):<12} {cell.text()}  req/s, ab -n {args.requests} -c 32; {load()}")


if __name__ == "__main__":
    main()
