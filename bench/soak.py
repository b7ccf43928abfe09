#!/usr/bin/env python3
"""Soak: `ab -n 100000 -c 64` against examples/websrv in the unikernel (TCG, passt), then the
kernel's memory use at the server's exit next to an idle run's (one request), to show buffers
and connections are released. The server exits after a set number of requests; the kernel
option `memstats` makes the kernel print heap and page counts at exit.

Not a test (minutes under TCG). Usage: .venv/bin/python bench/soak.py [-n 100000] [-c 64]
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from unibuild.launch import LaunchOptions, boot
from unibuild.launch.network import net_options
from unibuild.paths import PROJECT_ROOT
from unibuild.platform import load_platform
from unibuild.pipeline import ImageRequest, build, kernel_image

WEBSRV = PROJECT_ROOT / "build/examples/websrv/websrv-static"
EXTRA_KOPTS: dict = {}   # more kernel options for both boots, e.g. {"profile": 1} from a script
MEMSTATS = re.compile(r"memstats: heap (\d+) bytes in (\d+) blocks, (\d+) of (\d+) pages free")
CPUSTATS = re.compile(r"memstats: cpu busy (\d+) ms, idle (\d+) ms; (\d+) interrupts")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(requests: int, load) -> tuple[re.Match, re.Match | None, str]:
    """Boot websrv for `requests` requests, run load(port) against it; return its memstats
    (memory, then CPU) and what load returned."""
    kernel = kernel_image("virt")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "img"
        kopts = {"memstats": 1, **EXTRA_KOPTS}
        build(ImageRequest(program=f"{WEBSRV}:/websrv", args=("8080", str(requests)),
                           kernel_options=tuple(f"{k}={v}" for k, v in kopts.items())), image)
        options = LaunchOptions(accel="tcg", gic="3", disk=image, timeout=1800,
                                net=net_options(ports=[f"{port}:8080"]))
        result = {}
        t = threading.Thread(target=lambda: result.update(r=boot(load_platform("virt"), kernel, options)))
        t.start()
        for _ in range(600):   # wait for the forward to accept
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                    pass
                break
            except OSError:
                time.sleep(0.5)
        output = load(port)
        t.join()
    match = MEMSTATS.search(result["r"].console)
    if not match:
        sys.exit(f"no memstats line:\n{result['r'].console[-2000:]}")
    return match, CPUSTATS.search(result["r"].console), output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100000)
    parser.add_argument("-c", type=int, default=64)
    args = parser.parse_args()
    subprocess.run(["make", "-s", "-C", str(PROJECT_ROOT / "examples/websrv")], check=True)
    # The probe request that finds the server up counts as one of its requests.
    idle, idle_cpu, _ = serve(1, lambda port: "")
    soak, soak_cpu, ab = serve(1 + args.n, lambda port: subprocess.run(
        ["ab", "-q", "-n", str(args.n), "-c", str(args.c), f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True).stdout)
    failed = re.search(r"Failed requests:\s+(\d+)", ab)
    rps = re.search(r"Requests per second:\s+([0-9.]+)", ab)
    print(f"ab -n {args.n} -c {args.c}: {rps.group(1) if rps else '?'} req/s, "
          f"failed {failed.group(1) if failed else 'ab aborted'}")
    for label, m, cpu in (("idle (1 request)", idle, idle_cpu), (f"after {args.n} requests", soak, soak_cpu)):
        print(f"{label:<24} heap {int(m.group(1)):>10} bytes in {int(m.group(2)):>6} blocks, "
              f"{int(m.group(3)):>7} of {m.group(4)} pages free")
        if cpu:   # the guest's busy/idle split: is the time spent in our code or outside it?
            print(f"{'':<24} cpu busy {cpu.group(1)} ms, idle {cpu.group(2)} ms, {cpu.group(3)} interrupts")


if __name__ == "__main__":
    main()
