#!/usr/bin/env python3
"""In-guest file read throughput: a 256 MiB file (random bytes) read by a static aarch64 program
inside the unikernel (TFS over virtio-blk, under TCG). Prints min/median/max MB/s over N runs.

Not a test. Usage: .venv/bin/python bench/guest_read.py [-n 3] [--mib 256]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import tempfile
from pathlib import Path

from unibuild.paths import PROJECT_ROOT
from unibuild.platform import load_platform
from unibuild.launch import LaunchOptions, boot
from unibuild.pipeline import ImageRequest, build, kernel_image

SPEED = re.compile(r"read (\d+) bytes in [0-9.]+ s: ([0-9.]+) MB/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=3)
    parser.add_argument("--mib", type=int, default=256)
    args = parser.parse_args()
    kernel = kernel_image("virt")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        probe = tmp / "probe"
        subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-static", "-o", str(probe),
                        str(PROJECT_ROOT / "tests/boot/guest/probe.c")], check=True)
        data = tmp / "data"
        with open(data, "wb") as f:
            for _ in range(args.mib):
                f.write(os.urandom(1 << 20))
        image = tmp / "image.tfs"
        build(ImageRequest(program=f"{probe}:/probe", args=("readspeed", "/data"), files=(f"{data}:/data",)),
              image)
        speeds = []
        for _ in range(args.runs):
            result = boot(load_platform("virt"), kernel,
                          LaunchOptions(accel="tcg", gic="3", disk=image, memory="1G", timeout=600))
            match = SPEED.search(result.console)
            if result.status != 0 or not match or int(match.group(1)) != args.mib << 20:
                raise SystemExit(f"run failed (status {result.status}):\n{result.console}")
            speeds.append(float(match.group(2)))
    print(f"{args.mib} MiB read in-guest, MB/s over {args.runs} runs: "
          f"min {min(speeds):.1f}  median {statistics.median(speeds):.1f}  max {max(speeds):.1f}")


if __name__ == "__main__":
    main()
