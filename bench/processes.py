#!/usr/bin/env python3
"""Process round trips per second, side by side:

  ours   our kernel under TCG
  user   qemu-aarch64-static on this host (its Linux; an aarch64 execve cannot work there without
         binfmt_misc, so its exec rows read 0)

fork + _exit + wait, fork + execve + wait, vfork + execve + wait (tests/boot/guest/processes.c
`rate N`), and the memory one idle forked child costs in our kernel (`idle N`: free RAM before
and after N children blocked on a pipe). Not a test.
Usage: .venv/bin/python bench/processes.py [-n 300]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from unibuild.paths import PROJECT_ROOT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--rounds", type=int, default=300)
    args = parser.parse_args()
    unibuild = [sys.executable, "-m", "unibuild", "run", "--accel", "tcg", "--net", "none"]
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "processes"
        subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-static", "-o", str(probe),
                        str(PROJECT_ROOT / "tests/boot/guest/processes.c")], check=True)
        n = str(args.rounds)
        ours = subprocess.run([*unibuild, str(probe), "rate", n, "/processes"], capture_output=True, text=True,
                              check=True).stdout
        user = subprocess.run(["qemu-aarch64-static", str(probe), "rate", n, str(probe)], capture_output=True,
                              text=True, check=True).stdout
        idle = subprocess.run([*unibuild, str(probe), "idle", "100"], capture_output=True, text=True,
                              check=True).stdout
    print(f"round trips per second ({args.rounds} each)   ours    qemu-user")
    for a, b in zip(ours.splitlines(), user.splitlines()):
        name, value, _ = a.split()
        print(f"  {name:<36} {value:>6} {b.split()[1]:>10}")
    print(f"memory per idle forked child (ours): {idle.split()[2]} KiB")


if __name__ == "__main__":
    main()
