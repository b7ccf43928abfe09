#!/usr/bin/env python3
"""Device interrupts per web request, by interrupt delivery, side by side under TCG.

websrv-static runs in our kernel with `--kopt profile` (whose report counts interrupts by INTID)
and exits after its last request; each delivery mode boots twice, serving 1 and 1 + N requests
(one HTTP/1.0 GET per TCP connection, sequential), and the difference divided by N is the cost
per request, with boot (program load, DHCP) cancelled out. PPIs (INTIDs 16..31: the timer) are
not device interrupts and are left out. Also per request: virtio doorbell writes and ISR reads,
the transport's register accesses (each an MMIO exit under KVM): under INTx every device
interrupt costs an ISR read, under MSI-X none.

  .venv/bin/python bench/interrupts_per_request.py [--requests 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEBSRV = ROOT / "build" / "examples" / "websrv" / "websrv-static"
MODES = [  # (label, extra `unibuild run` options)
    ("gic 3, msi-x (its)", ["--gic", "3"]),
    ("gic 3, intx (its=off)", ["--gic", "3", "--machine-opt", "its=off"]),
    ("gic 2, msi-x (v2m)", ["--gic", "2"]),
    ("gic 2, intx (msi=off)", ["--gic", "2", "--append", "msi=off"]),
]
_COUNTS = re.compile(r"^profile: interrupts by INTID:(.*)$", re.MULTILINE)
_DOORBELLS = re.compile(r"^profile: (\d+) virtio doorbell writes", re.MULTILINE)
_ISR_READS = re.compile(r"^profile: (\d+) virtio ISR reads", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(extra: list[str], requests: int) -> tuple[tuple[int, int, int], float]:
    """((device interrupts, doorbell writes, ISR reads), seconds from the first answer to the
    last) of one boot that answers `requests` GETs."""
    port = free_port()
    cmd = [sys.executable, "-m", "unibuild", "run", "--accel", "tcg", "--cpu", "cortex-a72",
           "--kopt", "profile", "--timeout", "300", "-p", f"{port}:8080", *extra,
           str(WEBSRV), "8080", str(requests)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    served, deadline, first = 0, time.monotonic() + 60, 0.0
    while served < requests:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
                r.read()
            served += 1
            first = first or time.monotonic()
        except OSError:
            if served or time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(f"websrv did not answer ({' '.join(extra)})")
            time.sleep(0.2)
    _, err = proc.communicate(timeout=60)
    m = _COUNTS.search(err)
    if not m:
        raise RuntimeError(f"no interrupt counts in the profile report:\n{err}")
    device = 0
    for part in m.group(1).split(","):
        intid, count = part.split(" x")
        if not 16 <= int(intid) < 32:
            device += int(count)
    count = lambda pattern: int(m.group(1)) if (m := pattern.search(err)) else 0  # noqa: E731
    return (device, count(_DOORBELLS), count(_ISR_READS)), time.monotonic() - first


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(f"per web request ({args.requests} requests, {args.runs} runs), min / median / max:")
    columns = ["device interrupts", "doorbell writes", "ISR reads", "ms per request"]
    print(f"  {'':24}" + "".join(f"{c:>23}" for c in columns))
    for label, extra in MODES:
        rows = [[] for _ in columns]
        for _ in range(args.runs):
            base, _ = serve(extra, 1)
            more, took = serve(extra, 1 + args.requests)
            for i in range(3):
                rows[i].append((more[i] - base[i]) / args.requests)
            rows[3].append(took * 1000 / args.requests)
        print(f"  {label:24}" + "".join(f"   {min(r):6.2f} {statistics.median(r):6.2f} {max(r):6.2f}"
                                        for r in rows), flush=True)


if __name__ == "__main__":
    main()
