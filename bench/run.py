#!/usr/bin/env python3
"""Run benchmark: the dynamically linked hello, side by side in one run.

  version   `unibuild --version`, the whole command (Python start-up and imports)
  run       the whole `unibuild run hello` as a user types it (warm: kernel built, image cached)
  run, no image cache   the same with UNIBUILD_IMAGE_CACHE= (the image resolved and written)
  phases    where `run` spends its time (`unibuild run --timings`), median of each phase
  kernel boot phases  the kernel's own time per boot phase, quiet boot (`--kopt profile`'s
            `profile: boot phases` line; --net none, as the hello/floor rows)
  program   the same boots' `profile: program (ms)` line (exec, exec -> first output, -> exit)
            and the program's page faults and virtio-blk requests: the guest's own counts,
            which the host's load does not change
  build     `unibuild build` wall time for the hello image (the library call, imports warm)
  hello     wall time from starting QEMU to the guest printing "hello world!" (our unikernel, TCG)
  exit      wall time from starting QEMU to the exit status being known
  floor     the same two for QEMU booting a trivial payload (bench/floor.py) with the same options,
            alternating with hello: what QEMU costs by itself under the same load; "hello - floor"
            is the median of each pair's difference, what our kernel and the program add
  user      the same program under qemu-aarch64-static on this host (process start to exit)
  pairwise  with --baseline: ours minus the baseline's time within each round (version, run)

With --baseline DIR, DIR's own `.venv/bin/unibuild` (another checkout, e.g. main) runs the
version and run rows alternately with ours, and DIR's kernel (build/virt/target/Image) boots the
same hello image beside ours. Not a test: numbers depend on the host.
Usage: .venv/bin/python bench/run.py [-n 10] [--baseline DIR]
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

from unibuild.launch import LaunchOptions, boot
from unibuild.paths import PROJECT_ROOT
from unibuild.pipeline import ImageRequest, build, kernel_image
from unibuild.platform import load_platform
from unibuild.targetroot import find_root

from floor import FLOOR_LINE, floor_image

HELLO = PROJECT_ROOT / "build/examples/hello/hello"
PHASE = re.compile(r"^unibuild:\s+[0-9.]+ \+\s*([0-9.]+)  (.*?)(?: \(.*\))?$")
BOOT_PHASES = re.compile(r"^profile: boot phases \(ms\):(.*)$", re.M)
PROGRAM = {
    "exec (ms)": re.compile(r"^profile: program \(ms\): exec ([0-9.]+)", re.M),
    "exec -> first output (ms)": re.compile(r"^profile: program .*first output ([0-9.]+)", re.M),
    "exec -> exit (ms)": re.compile(r"^profile: program .*to its exit ([0-9.]+)", re.M),
    "page faults": re.compile(r"^profile: (\d+) page faults", re.M),
    "block requests (doorbells)": re.compile(r"^profile: (\d+) virtio doorbell writes", re.M),
}


def summary(label: str, values: list[float]) -> str:
    return f"{label:<46} {min(values):8.1f} {statistics.median(values):8.1f} {max(values):8.1f}"


def build_once(root: Path, out: Path) -> float:
    start = time.monotonic()
    build(ImageRequest(program=str(HELLO), args=("a", "b"), target_root=root), out)
    return (time.monotonic() - start) * 1000


def wall(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = (time.monotonic() - start) * 1000
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=10)
    parser.add_argument("--baseline", type=Path, help="another checkout whose unibuild runs side by side")
    args = parser.parse_args()
    subprocess.run(["make", "-s", "-C", str(PROJECT_ROOT / "examples/hello")], check=True)
    root = find_root(None)
    kernel = kernel_image("virt")
    platform = load_platform("virt")
    ours = [str(PROJECT_ROOT / ".venv/bin/unibuild")]
    tools = {"ours": ours}
    if args.baseline is not None:
        tools["baseline"] = [str(args.baseline.resolve() / ".venv/bin/unibuild")]
    uncached = dict(os.environ, UNIBUILD_IMAGE_CACHE="")
    rows: dict[str, list[float]] = {}
    phases: dict[str, list[float]] = {}
    builds, hellos, exits, user = [], [], [], []
    floor_lines, floor_exits = [], []
    base_hellos: list[float] = []
    base_kernel = args.baseline.resolve() / "build/virt/target/Image" if args.baseline is not None else None
    boot_phases: dict[str, list[float]] = {}
    program: dict[str, list[float]] = {}

    def add(label: str, value: float) -> None:
        rows.setdefault(label, []).append(value)

    for name, tool in tools.items():     # warm each tool's caches (kernel stamp, image cache)
        wall([*tool, "run", str(HELLO), "a", "b"])
    with tempfile.TemporaryDirectory() as tmp:
        floor = floor_image(Path(tmp))
        image = Path(tmp) / "hello.tfs"
        build_once(root, image)   # warm the page cache and imports
        for _ in range(args.runs):
            for name, tool in tools.items():
                add(f"{name}: unibuild --version", wall([*tool, "--version"])[0])
                add(f"{name}: unibuild run hello (whole command)", wall([*tool, "run", str(HELLO), "a", "b"])[0])
            add("ours: unibuild run hello, no image cache", wall([*ours, "run", str(HELLO), "a", "b"], uncached)[0])
            _, report = wall([*ours, "run", "--timings", str(HELLO), "a", "b"])
            for line in report.splitlines():
                if (m := PHASE.match(line)):
                    phases.setdefault(m.group(2), []).append(float(m.group(1)))
            _, report = wall([*ours, "run", "--net", "none", "--kopt", "profile", str(HELLO), "a", "b"])
            if (m := BOOT_PHASES.search(report)):
                marks = [(k, float(v)) for k, v in re.findall(r"([\w-]+) ([0-9.]+)", m.group(1))]
                for k, v in marks:
                    boot_phases.setdefault(k, []).append(v)
                boot_phases.setdefault("total", []).append(sum(v for _, v in marks))
            for label, pattern in PROGRAM.items():
                if (m := pattern.search(report)):
                    program.setdefault(label, []).append(float(m.group(1)))
            builds.append(build_once(root, image))
            start = time.monotonic()
            result = boot(platform, kernel, LaunchOptions(accel="tcg", gic="3", disk=image))
            exits.append((time.monotonic() - start) * 1000)
            if result.status != 0:
                sys.exit(f"hello failed with status {result.status}:\n{result.console}")
            hellos.append(next(t for t, line in result.line_times if line == "hello world!") * 1000)
            if base_kernel is not None:   # the baseline's kernel, same image and options
                result = boot(platform, base_kernel, LaunchOptions(accel="tcg", gic="3", disk=image))
                base_hellos.append(next(t for t, line in result.line_times if line == "hello world!") * 1000)
            start = time.monotonic()
            result = boot(platform, floor, LaunchOptions(accel="tcg", gic="3", disk=image))
            floor_exits.append((time.monotonic() - start) * 1000)
            floor_lines.append(next(t for t, line in result.line_times if line == FLOOR_LINE) * 1000)
            start = time.monotonic()
            subprocess.run(["qemu-aarch64-static", "-L", str(root), str(HELLO), "a", "b"],
                           check=True, stdout=subprocess.DEVNULL)
            user.append((time.monotonic() - start) * 1000)
    print(f"{args.runs} runs, milliseconds{'':26} {'min':>8} {'median':>8} {'max':>8}")
    for label, values in rows.items():
        print(summary(label, values))
    if "baseline" in tools:
        # Each round runs ours, then the baseline: the difference within a round is what the
        # host's load (which drifts from round to round) disturbs least.
        for what in ("unibuild --version", "unibuild run hello (whole command)"):
            pairs = zip(rows[f"ours: {what}"], rows[f"baseline: {what}"])
            print(summary(f"ours - baseline, pairwise: {what}", [a - b for a, b in pairs]))
    print("ours: unibuild run --timings, by phase")
    for label, values in phases.items():
        print(summary("  " + label.strip(), values))
    if boot_phases:
        print("ours: kernel boot phases (--kopt profile, quiet boot)")
        for label, values in boot_phases.items():
            print(summary("  " + label, values))
    if program:
        print("ours: the program's start (--kopt profile, same boots)")
        for label, values in program.items():
            print(summary("  " + label, values))
    print(summary("unibuild build (warm, in-process)", builds))
    print(summary("unikernel: QEMU start -> hello", hellos))
    if base_hellos:
        print(summary("baseline kernel: QEMU start -> hello", base_hellos))
    print(summary("unikernel: QEMU start -> exit", exits))
    print(summary("QEMU floor (trivial payload): start -> its line", floor_lines))
    print(summary("QEMU floor (trivial payload): start -> exit", floor_exits))
    print(summary("hello - floor, pairwise: start -> line", [h - f for h, f in zip(hellos, floor_lines)]))
    print(summary("qemu-aarch64-static: whole run", user))


if __name__ == "__main__":
    main()
