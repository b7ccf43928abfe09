#!/usr/bin/env python3
"""Clock reads: nanoseconds per clock_gettime, gettimeofday and time() call (glibc, dynamic),
side by side in one run:

  vdso      our kernel, the vDSO answering in user space
  novdso    our kernel with --kopt novdso: every call a system call
  user      qemu-aarch64-static on this host (its Linux; no vDSO under qemu-user 7.2)

The guest (tests/boot/guest/vdso.c `time N`) times itself against the monotonic clock read by
system call. Not a test. Usage: .venv/bin/python bench/clocks.py [-n 3] [--calls 200000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from unibuild.paths import PROJECT_ROOT
from unibuild.targetroot import find_root

CALLS = ("clock_gettime", "gettimeofday", "time")


def parse(text: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        name, value, unit = line.split()
        if unit == "ns/call" and name in CALLS:
            out[name] = float(value)
    if set(out) != set(CALLS):
        sys.exit(f"unexpected guest output:\n{text}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=200000)
    args = parser.parse_args()
    root = find_root(None)
    unibuild = [sys.executable, "-m", "unibuild", "run", "--accel", "tcg", "--net", "none"]
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "vdso"
        subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-o", str(probe),
                        str(PROJECT_ROOT / "tests/boot/guest/vdso.c")], check=True)
        kinds = {
            "vdso": [*unibuild, str(probe), "time", str(args.calls)],
            "novdso": [*unibuild, "--kopt", "novdso", str(probe), "time", str(args.calls)],
            "user": ["qemu-aarch64-static", "-L", str(root), str(probe), "time", str(args.calls)],
        }
        results: dict[str, list[dict[str, float]]] = {k: [] for k in kinds}
        for _ in range(args.runs):
            for kind, cmd in kinds.items():
                r = subprocess.run(cmd, capture_output=True, text=True, check=True)
                results[kind].append(parse(r.stdout))
    print(f"ns per call, median of {args.runs} runs of {args.calls} calls")
    print(f"{'call':<16}" + "".join(f"{k:>10}" for k in kinds))
    for call in CALLS:
        print(f"{call:<16}" + "".join(f"{statistics.median(r[call] for r in results[k]):10.1f}" for k in kinds))


if __name__ == "__main__":
    main()
