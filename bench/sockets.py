#!/usr/bin/env python3
"""Pipes, loopback TCP and epoll wake-ups inside the unikernel (TCG) next to the same static
program on this host's Linux through qemu-aarch64-static (a user-mode emulator on a native kernel:
a reference point, not a like-for-like race). Prints min/median/max over N runs.

Not a test. Usage: .venv/bin/python bench/sockets.py [-n 3]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from unibuild.paths import PROJECT_ROOT

LINE = re.compile(r"^(.+?) ([0-9.]+) (MB/s|us)$")


def measure(cmd: list[str]) -> dict[str, tuple[float, str]]:
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=600).stdout
    return {m[1]: (float(m[2]), m[3]) for m in map(LINE.match, out.replace("\r", "").splitlines()) if m}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        prog = Path(tmp) / "sock"
        subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-static", "-o", str(prog),
                        str(PROJECT_ROOT / "tests/boot/guest/sock.c")], check=True)
        runners = {
            "unikernel": [sys.executable, "-m", "unibuild", "run", "--accel", "tcg", "--net", "none",
                          str(prog), "bench"],
            "linux (qemu-user)": ["qemu-aarch64-static", str(prog), "bench"],
        }
        results: dict[str, dict[str, list[float]]] = {}
        units: dict[str, str] = {}
        for name, cmd in runners.items():
            for _ in range(args.runs):
                for metric, (value, unit) in measure(cmd).items():
                    results.setdefault(metric, {}).setdefault(name, []).append(value)
                    units[metric] = unit
    for metric, by_runner in results.items():
        print(f"{metric} ({units[metric]}):")
        for name, values in by_runner.items():
            print(f"  {name:20} min {min(values):9.2f}  median {statistics.median(values):9.2f}"
                  f"  max {max(values):9.2f}")


if __name__ == "__main__":
    main()
