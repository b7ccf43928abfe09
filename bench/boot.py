#!/usr/bin/env python3
"""Boot-time benchmark: how long until the kernel speaks, and how long the kernel says it took.

For each configuration (side by side in one run), boots the kernel N times with `exit=0` and
reports min/median/max of:
  banner  wall time from starting QEMU to the console line starting "unibuild kernel"
  ready   the kernel's own entry-to-ready time, from its "boot: ready in X ms" line
  total   wall time from starting QEMU to the guest's exit status being known

Not a test: numbers depend on the host. Usage: .venv/bin/python bench/boot.py [-n 10] [--kernel PATH]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

from unibuild.errors import UserError
from unibuild.platform import load_platform
from unibuild.launch import LaunchOptions, boot
from unibuild.pipeline import kernel_image

READY = re.compile(r"^boot: ready in ([0-9.]+) ms$")

# (label, options): what we compare. GIC and CPU model change what the kernel sets up at boot.
CONFIGS = [
    ("tcg gic3 max", dict(accel="tcg", gic="3", cpu="max")),
    ("tcg gic2 cortex-a72", dict(accel="tcg", gic="2", cpu="cortex-a72")),
]


def measure(platform, kernel: Path, options: LaunchOptions) -> tuple[float, float, float]:
    """One boot: (banner ms, ready ms, total ms)."""
    start = time.monotonic()
    result = boot(platform, kernel, options)
    total = (time.monotonic() - start) * 1000
    if result.status != 0:
        raise SystemExit(f"boot failed (status {result.status}: {result.error}):\n{result.console}")
    banner = next((t for t, line in result.line_times if line.startswith("unibuild kernel")), None)
    ready = next((m.group(1) for _, l in result.line_times if (m := READY.match(l))), None)
    if banner is None or ready is None:
        raise SystemExit(f"missing 'unibuild kernel' or 'boot: ready' line in:\n{result.console}")
    return banner * 1000, float(ready), total


def summary(values: list[float]) -> str:
    return f"{min(values):8.1f} {statistics.median(values):8.1f} {max(values):8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=10)
    parser.add_argument("--kernel", type=Path, help="Image to boot (default: build virt's)")
    args = parser.parse_args()
    try:
        platform = load_platform("virt")
        kernel = args.kernel or kernel_image("virt")
        rows = []
        for label, opts in CONFIGS:
            options = LaunchOptions(timeout=60, append=("exit=0",), verbose=True, **opts)
            samples = [measure(platform, kernel, options) for _ in range(args.runs)]
            rows.append((label, *(list(col) for col in zip(*samples))))
    except UserError as e:
        sys.exit(f"bench: {e}")

    print(f"{args.runs} boots each; times in ms (min / median / max)")
    print(f"{'config':<22} {'banner (wall)':>26}   {'ready (in guest)':>26}   {'total (wall)':>26}")
    for label, banner, ready, total in rows:
        print(f"{label:<22} {summary(banner)}   {summary(ready)}   {summary(total)}")


if __name__ == "__main__":
    main()
