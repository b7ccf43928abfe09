#!/usr/bin/env python3
"""Web-server benchmark: the same server source served four ways, side by side, under ab.

  unikernel    build/examples/websrv/websrv-static in our kernel under QEMU TCG,
               `unibuild run -p PORT` (passt or slirp: --net-backend)
  linux-guest  the same binary as /init's only child of Debian's arm64 Linux under the same QEMU
               command line and netdev (bench/linux_guest/run.py): what the infrastructure allows
  qemu-user    the same binary under qemu-aarch64-static on this host (the emulation limit)
  native       the server built for this host from the same source (the physical reference)

--program goweb serves examples/goweb (Go's net/http) instead of websrv the same four ways.
The targets take turns: run 1 of every target, then run 2 of every target, ..., so a change in
the host's load falls on all of them alike.

Workloads (ApacheBench, from Debian's apache2-utils): `ab -n 5000 -c 1`, `ab -n 5000 -c 32`,
`ab -k -n 20000 -c 32`, each repeated --runs times; req/s min/median/max and failed requests
(failed + non-2xx, summed over runs; an aborted ab run is listed as such).

Not a test: numbers depend on the host. Usage:
  .venv/bin/python bench/web.py [--runs 3] [--scale 0.1] [--only unikernel,linux-guest] [--net-backend slirp]
                                [--program goweb]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINUX_GUEST = ROOT / "bench" / "linux_guest" / "run.py"
GUEST_PORT = 8080
# The aarch64 binary every guest target serves and its host-built twin, per --program.
PROGRAMS = {
    "websrv": (ROOT / "build/examples/websrv/websrv-static", ROOT / "build/examples/websrv/websrv-native"),
    "goweb": (ROOT / "build/examples/goweb/goweb", ROOT / "build/examples/goweb/goweb-native"),
}

WORKLOADS = [  # (label, ab arguments without the URL; counts are scaled by --scale)
    ("ab -n 5000 -c 1", ["-n", 5000, "-c", 1]),
    ("ab -n 5000 -c 32", ["-n", 5000, "-c", 32]),
    ("ab -k -n 20000 -c 32", ["-k", "-n", 20000, "-c", 32]),
]
TARGETS = ("unikernel", "linux-guest", "qemu-user", "native")


@dataclass
class Cell:
    """One (target, workload): every run's req/s, failures, and why runs aborted."""

    rates: list[float] = field(default_factory=list)
    failed: int = 0
    aborted: list[str] = field(default_factory=list)

    def text(self) -> str:
        parts = []
        if self.rates:
            r = self.rates
            parts.append(f"{min(r):7.0f} {statistics.median(r):7.0f} {max(r):7.0f}  failed {self.failed}")
        if self.aborted:
            parts.append(f"{len(self.aborted)} aborted ({self.aborted[-1]})")
        return "; ".join(parts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(program: str, targets: list[str]) -> None:
    """The aarch64 binary and the native one (make is incremental); Debian's kernel and the
    reference guest's init, so no server start pays for a download or a compile."""
    subprocess.run(["make", "-s", "-C", str(ROOT / "examples" / program), "all", "native"], check=True)
    if "linux-guest" in targets:
        sys.path.insert(0, str(LINUX_GUEST.parent))
        import debian_kernel
        import initramfs
        print(f"[linux-guest] {debian_kernel.fetch().package}", file=sys.stderr)
        initramfs.build_init()


def command(target: str, port: int, args) -> list[str]:
    guest, native = (str(p) for p in PROGRAMS[args.program])
    if target == "unikernel":
        return [sys.executable, "-m", "unibuild", "run", "-p", f"{port}:{GUEST_PORT}",
                "--net-backend", args.net_backend, "--timeout", str(args.server_timeout),
                guest, str(GUEST_PORT)]
    if target == "linux-guest":
        return [sys.executable, str(LINUX_GUEST), "-p", f"{port}:{GUEST_PORT}",
                "--net-backend", args.net_backend, guest, str(GUEST_PORT)]
    if target == "qemu-user":
        return ["qemu-aarch64-static", guest, str(port)]
    return [native, str(port)]


def wait_ready(proc: subprocess.Popen, port: int, timeout: float) -> None:
    """Until GET / answers 200 (a TCP connect alone proves nothing: passt accepts for the guest)."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                if r.status == 200:
                    return
                last = f"status {r.status}"
        except OSError as e:
            last = str(e)
        time.sleep(0.2)
    raise RuntimeError(f"no HTTP 200 within {timeout:g} s ({last})")


def stop(proc: subprocess.Popen) -> None:
    """SIGINT first (unibuild then stops QEMU and passt itself), SIGKILL if that is ignored."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


_RATE = re.compile(r"^Requests per second:\s+([0-9.]+)", re.MULTILINE)
_FAILED = re.compile(r"^Failed requests:\s+(\d+)", re.MULTILINE)
_NON2XX = re.compile(r"^Non-2xx responses:\s+(\d+)", re.MULTILINE)


def run_ab(ab_args: list[str], port: int, cell: Cell, timeout: float) -> None:
    argv = ["ab", "-q", "-s", "30", *ab_args, f"http://127.0.0.1:{port}/"]
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        cell.aborted.append(f"ab stalled > {timeout:g} s")
        return
    rate = _RATE.search(r.stdout)
    if r.returncode != 0 or rate is None:
        # ab's reason is on stderr ("apr_socket_recv: Connection reset by peer (104)").
        lines = [line for line in r.stderr.splitlines() if line.strip()] or \
                [line for line in r.stdout.splitlines() if line.strip()]
        cell.aborted.append(lines[-1].strip() if lines else f"ab exited {r.returncode}")
        return
    cell.rates.append(float(rate.group(1)))
    cell.failed += int(_FAILED.search(r.stdout).group(1))
    if m := _NON2XX.search(r.stdout):
        cell.failed += int(m.group(1))


class Server:
    """One freshly started websrv (`with Server(...) as port:`); raises RuntimeError with what
    it said when it does not come up."""

    def __init__(self, target: str, args):
        self.target, self.args = target, args

    def __enter__(self) -> int:
        self.port = free_port()
        self.log = tempfile.TemporaryFile("w+")   # its console and errors, for a failure
        self.proc = subprocess.Popen(command(self.target, self.port, self.args),
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_ready(self.proc, self.port, self.args.ready_timeout)
        except RuntimeError as e:
            self.__exit__()
            self.log.seek(0)
            said = [line.strip() for line in self.log.read().splitlines() if line.strip()]
            raise RuntimeError(f"{e}" + (f"; it said: {' / '.join(said[-2:])}" if said else "")) from None
        return self.port

    def __exit__(self, *exc) -> None:
        stop(self.proc)
        self.log.close()


def bench_round(target: str, args, cells: dict[str, Cell]) -> str | None:
    """One run of every workload, each against its own freshly started server, so no run
    inherits another's connection state (e.g. the guest's TIME_WAIT connections); returns why
    the target is not available when its very first server does not start."""
    for label, ab_args in WORKLOADS:
        scaled = [str(max(1, int(a * args.scale))) if isinstance(a, int) and i and ab_args[i - 1] == "-n"
                  else str(a) for i, a in enumerate(ab_args)]
        cell = cells.setdefault(label, Cell())
        try:
            with Server(target, args) as port:
                run_ab(scaled, port, cell, args.ab_timeout)
        except RuntimeError as e:
            if not any(c.rates or c.aborted for c in cells.values()):
                return f"not available: {e}"
            cell.aborted.append(f"server did not start: {e}")
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="ab runs per workload (default 3)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every -n by this (e.g. 0.1)")
    parser.add_argument("--only", default=",".join(TARGETS), help=f"comma-separated subset of {TARGETS}")
    parser.add_argument("--net-backend", default="auto", help="for both guests: auto, passt or slirp")
    parser.add_argument("--program", default="websrv", choices=sorted(PROGRAMS), help="the server (default websrv)")
    parser.add_argument("--ready-timeout", type=float, default=60, help="seconds for a server to answer")
    parser.add_argument("--ab-timeout", type=float, default=600, help="seconds one ab run may take")
    parser.add_argument("--server-timeout", type=float, default=3600, help="unibuild run --timeout")
    args = parser.parse_args()
    targets = [t.strip() for t in args.only.split(",") if t.strip()]
    if unknown := set(targets) - set(TARGETS):
        sys.exit(f"bench: unknown target(s) {', '.join(sorted(unknown))}; choose from {', '.join(TARGETS)}")
    if shutil.which("ab") is None:
        sys.exit("bench: ab not found; install the Debian package apache2-utils")
    if "qemu-user" in targets and shutil.which("qemu-aarch64-static") is None:
        sys.exit("bench: qemu-aarch64-static not found; install the Debian package qemu-user-static")
    build(args.program, targets)

    load_before = os.getloadavg()[0]
    results: dict[str, dict[str, Cell] | str] = {}
    for run in range(args.runs):
        for target in targets:
            cells = results.setdefault(target, {})
            if isinstance(cells, str):
                continue    # not available
            print(f"[{target}] run {run + 1}/{args.runs} ...", file=sys.stderr, flush=True)
            results[target] = bench_round(target, args, cells) or cells

    print(f"{args.program}, {args.runs} ab run(s) per workload, -n scaled by {args.scale:g}, targets taking turns; "
          f"req/s min / median / max, failed = failed + non-2xx over all runs; "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    for target in targets:
        guest = target in ("unikernel", "linux-guest")
        print(f"\n{target}" + (f" (--net-backend {args.net_backend})" if guest else ""))
        cells = results[target]
        if isinstance(cells, str):
            print(f"  {cells}")
            continue
        for label, _ in WORKLOADS:
            print(f"  {label:<22} {cells[label].text() if label in cells else 'not run'}")
    print()
    for a, b in (("unikernel", "qemu-user"), ("linux-guest", "qemu-user"), ("unikernel", "linux-guest")):
        ratio_of(a, b, results)


def ratio_of(a: str, b: str, results) -> None:
    """Issue 17's targets are unikernel / qemu-user; medians, per workload."""
    ratios = []
    for label, _ in WORKLOADS:
        try:
            ra = statistics.median(results[a][label].rates)
            rb = statistics.median(results[b][label].rates)
        except (KeyError, TypeError, AttributeError, statistics.StatisticsError):
            return
        ratios.append(f"{ra / rb:.2f}x")
    print(f"{a} / {b}: {' / '.join(ratios)}  ({' / '.join(label for label, _ in WORKLOADS)})")


if __name__ == "__main__":
    main()
