#!/usr/bin/env python3
"""The network path's floor: what a request costs through QEMU, passt and virtio-net when the
guest does almost nothing, beside websrv in our kernel and websrv under qemu-user.

  floor      our kernel booted with `nettest=http` (kernel/selftest/nethttp.c): lwIP answers
             websrv's page from its receive path, before any program runs (no system call,
             no scheduler, no socket buffer); same QEMU command line, netdev and frames
  unikernel  websrv-static as the program (bench/web.py's target of that name)
  qemu-user  websrv-static under qemu-aarch64-static on the host's loopback
  baseline   with --baseline DIR: the unikernel target of another checkout (its own unibuild,
             kernel and program build), for before/after in the same run

--program goweb serves examples/goweb instead (floor excepted: it is websrv's page either way).

For each run and workload: ab's req/s and its mean time per request, and the host CPU each
process's threads spent per request (from /proc/PID/task/*/stat, clock ticks, read before and
after ab): QEMU's vCPU thread, its main loop (the process's first thread), its other threads,
passt; qemu-user's whole process. The targets take turns run by run, as in bench/web.py.
The best -c 1 ratio any guest could reach here is floor / qemu-user at -c 1.

Not a test: numbers depend on the host. Usage:
  .venv/bin/python bench/net_floor.py [--runs 5] [--scale 0.4] [--only floor,unikernel,qemu-user]
                                      [--baseline ../other-checkout] [--program goweb]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import web  # noqa: E402  (bench/web.py: Server, free ports, ab's output)

ROOT = web.ROOT
HELLO = ROOT / "build/examples/hello/hello-static"
TICK = os.sysconf("SC_CLK_TCK")
WORKLOADS = web.WORKLOADS
TARGETS = ("floor", "baseline", "unikernel", "qemu-user")
_web_command = web.command


def command(target: str, port: int, args) -> list[str]:
    if target == "floor":
        return [sys.executable, "-m", "unibuild", "run", "--append", "nettest=http",
                "-p", f"{port}:{web.GUEST_PORT}", "--net-backend", args.net_backend,
                "--timeout", str(args.server_timeout), str(HELLO)]
    if target == "baseline":
        base = Path(args.baseline).resolve()
        guest = base / web.PROGRAMS[args.program][0].relative_to(ROOT)
        return [str(base / ".venv/bin/python"), "-m", "unibuild", "run", "-p", f"{port}:{web.GUEST_PORT}",
                "--net-backend", args.net_backend, "--timeout", str(args.server_timeout), str(guest),
                str(web.GUEST_PORT)]
    return _web_command(target, port, args)


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def thread_ticks(pid: int) -> dict[int, int]:
    """utime + stime of each thread of pid, in clock ticks."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(task.name)] = int(fields[11]) + int(fields[12])
    return out


def processes(server_pid: int, target: str) -> dict[str, int]:
    """The processes whose CPU is counted: QEMU and passt under unibuild, or qemu-user itself."""
    if target == "qemu-user":
        return {"qemu-user": server_pid}
    found = {}
    for c in children(server_pid):
        name = comm(c)
        if name.startswith("qemu-system"):
            found["qemu"] = c
        elif name.startswith("passt"):
            found["passt"] = c
    return found


def snapshot(procs: dict[str, int]) -> dict[str, dict[int, int]]:
    return {name: thread_ticks(pid) for name, pid in procs.items()}


def split_cpu(procs: dict[str, int], before, after) -> dict[str, float]:
    """Seconds of CPU per part: QEMU's vCPU thread (its busiest thread other than the first),
    main loop (the first thread), other threads; passt; qemu-user."""
    parts = {}
    for name, pid in procs.items():
        delta = {t: after[name].get(t, 0) - before[name].get(t, 0) for t in after[name]}
        if name == "qemu":
            main = delta.pop(pid, 0)
            vcpu = max(delta.values(), default=0)
            parts["vcpu"] = vcpu / TICK
            parts["main loop"] = main / TICK
            parts["qemu other"] = (sum(delta.values()) - vcpu) / TICK
        else:
            parts[name] = sum(delta.values()) / TICK
    return parts


_MEAN = re.compile(r"^Time per request:\s+([0-9.]+) \[ms\] \(mean\)$", re.MULTILINE)


def run_one(target: str, ab_args: list[str], args, record: dict) -> None:
    srv = web.Server(target, args)
    with srv as port:
        procs = processes(srv.proc.pid, target)
        n = int(ab_args[ab_args.index("-n") + 1])
        before = snapshot(procs)
        argv = ["ab", "-q", "-s", "30", *ab_args, f"http://127.0.0.1:{port}/"]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=args.ab_timeout)
        after = snapshot(procs)
    rate, failed = web._RATE.search(r.stdout), web._FAILED.search(r.stdout)
    if r.returncode != 0 or not rate:
        record.setdefault("aborted", []).append(r.stderr.strip().splitlines()[-1:] or ["ab failed"])
        return
    record.setdefault("rate", []).append(float(rate.group(1)))
    record["failed"] = record.get("failed", 0) + int(failed.group(1))
    if m := web._NON2XX.search(r.stdout):
        record["failed"] += int(m.group(1))
    for part, sec in split_cpu(procs, before, after).items():
        record.setdefault(part, []).append(sec / n * 1e6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", type=float, default=0.4, help="multiply every -n by this")
    parser.add_argument("--only", default="floor,unikernel,qemu-user", help=f"comma-separated subset of {TARGETS}")
    parser.add_argument("--baseline", help="another checkout (built: make venv examples kernel) for the baseline target")
    parser.add_argument("--program", default="websrv", choices=sorted(web.PROGRAMS))
    parser.add_argument("--workloads", default="0,1,2", help="indexes into bench/web.py's WORKLOADS")
    parser.add_argument("--net-backend", default="passt")
    parser.add_argument("--ready-timeout", type=float, default=60)
    parser.add_argument("--ab-timeout", type=float, default=600)
    parser.add_argument("--server-timeout", type=float, default=3600)
    args = parser.parse_args()
    targets = [t for t in args.only.split(",") if t]
    if args.baseline and "baseline" not in targets:
        targets.insert(0, "baseline")
    if "baseline" in targets and not args.baseline:
        sys.exit("bench: the baseline target needs --baseline DIR")
    if unknown := set(targets) - set(TARGETS):
        sys.exit(f"bench: unknown target(s) {', '.join(sorted(unknown))}; choose from {', '.join(TARGETS)}")
    workloads = [WORKLOADS[int(i)] for i in args.workloads.split(",")]
    web.build(args.program, targets)
    subprocess.run(["make", "-s", "-C", str(ROOT / "examples" / "hello")], check=True)
    web.command = command          # web.Server starts the floor too

    load = [os.getloadavg()[0]]
    results: dict[tuple[str, str], dict] = {}
    for run in range(args.runs):
        for label, ab_args in workloads:
            scaled = [str(max(1, int(a * args.scale))) if isinstance(a, int) and i and ab_args[i - 1] == "-n"
                      else str(a) for i, a in enumerate(ab_args)]
            for target in targets:
                print(f"[{target}] run {run + 1}/{args.runs} {label}", file=sys.stderr, flush=True)
                run_one(target, scaled, args, results.setdefault((target, label), {}))
        load.append(os.getloadavg()[0])

    print(f"{args.program}, passt, {args.runs} runs, -n scaled by {args.scale:g}, targets taking turns; "
          f"medians; load average {min(load):.1f}-{max(load):.1f}")
    print("host CPU in us per request: vcpu = QEMU's vCPU thread, main = its main loop")
    for label, _ in workloads:
        print(f"\n{label}")
        for target in targets:
            rec = results[(target, label)]
            if "rate" not in rec:
                print(f"  {target:<10} aborted: {rec.get('aborted')}")
                continue
            med = {k: statistics.median(v) for k, v in rec.items() if isinstance(v, list) and k != "aborted"}
            rates = rec["rate"]
            cpu = "  ".join(f"{k} {v:5.0f}" for k, v in med.items() if k != "rate")
            print(f"  {target:<10} {med['rate']:7.0f} req/s ({min(rates):.0f}-{max(rates):.0f}), "
                  f"{1e6 / med['rate']:5.0f} us/req, failed {rec.get('failed', 0)};  {cpu}")
        try:
            q = statistics.median(results[("qemu-user", label)]["rate"])
            for target in targets:
                if target != "qemu-user" and results[(target, label)].get("rate"):
                    print(f"  {target} / qemu-user: {statistics.median(results[(target, label)]['rate']) / q:.2f}x")
        except (KeyError, statistics.StatisticsError):
            pass


if __name__ == "__main__":
    main()
