#!/usr/bin/env python3
"""Run benchmark: the dynamically linked hello, side by side in one run.

  build   `unibuild build` wall time for the hello image (warm: kernel built, root cached)
  hello   wall time from starting QEMU to the guest printing "hello world!" (our unikernel, TCG)
  exit    wall time from starting QEMU to the exit status being known
  user    the same program under qemu-aarch64-static on this host (process start to exit)

Not a test: numbers depend on the host. Usage: .venv/bin/python bench/run.py [-n 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from unibuild.launch import LaunchOptions, boot
from unibuild.paths import PROJECT_ROOT
from unibuild.pipeline import ImageRequest, build, kernel_image
from unibuild.platform import load_platform
from unibuild.targetroot import find_root

HELLO = PROJECT_ROOT / "build/examples/hello/hello"


def summary(label: str, values: list[float]) -> str:
    return f"{label:<34} {min(values):8.1f} {statistics.median(values):8.1f} {max(values):8.1f}"


def build_once(root: Path, out: Path) -> float:
    start = time.monotonic()
    build(ImageRequest(program=str(HELLO), args=("a", "b"), target_root=root), out)
    return (time.monotonic() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=10)
    args = parser.parse_args()
    subprocess.run(["make", "-s", "-C", str(PROJECT_ROOT / "examples/hello")], check=True)
    root = find_root(None)
    kernel = kernel_image("virt")
    platform = load_platform("virt")
    builds, hellos, exits, user = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "hello.tfs"
        build_once(root, image)   # warm the page cache and imports
        for _ in range(args.runs):
            builds.append(build_once(root, image))
            start = time.monotonic()
            result = boot(platform, kernel, LaunchOptions(accel="tcg", gic="3", disk=image))
            exits.append((time.monotonic() - start) * 1000)
            if result.status != 0:
                sys.exit(f"hello failed with status {result.status}:\n{result.console}")
            hellos.append(next(t for t, line in result.line_times if line == "hello world!") * 1000)
            start = time.monotonic()
            subprocess.run(["qemu-aarch64-static", "-L", str(root), str(HELLO), "a", "b"],
                           check=True, stdout=subprocess.DEVNULL)
            user.append((time.monotonic() - start) * 1000)
    print(f"{args.runs} runs, milliseconds{'':14} {'min':>8} {'median':>8} {'max':>8}")
    print(summary("unibuild build (warm)", builds))
    print(summary("unikernel: QEMU start -> hello", hellos))
    print(summary("unikernel: QEMU start -> exit", exits))
    print(summary("qemu-aarch64-static: whole run", user))


if __name__ == "__main__":
    main()
