#!/usr/bin/env python3
"""What one web request costs under real KVM: exits and interrupts, in the nested-KVM host.

For each L1 configuration (side by side in one run) one outer boot runs examples/websrv twice
under -accel kvm, serving FEW and then MANY requests from L1 (one connection each), with the
kernel options profile and memstats. Per request, from the difference of the two runs (so boot,
DHCP and exit cancel out):
  mmio_user   KVM exits to QEMU for an MMIO access (virtio-pci registers QEMU emulates)
  mmio_kern   MMIO handled inside L1's KVM (the vGIC distributor/redistributor)
  exits       every exit of the vCPU (includes WFI when the guest idles)
  irqs        interrupt entries the guest took (its profile; one entry may serve several)
  ticks       100 Hz ticks in the same time (memstats uptime x 100): irqs - ticks is what the
              devices cost, roughly (a vCPU descheduled by L1 makes the tick skip, never repeat)
and the inner run's wall time per request. L1's counters come from its debugfs (tests/kvm).

Not a test: numbers depend on the host. Usage: .venv/bin/python bench/nested_kvm_web.py
[--few 3] [--many 103] [--config gic3-vhe ...]
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests/kvm"))

import l1_host  # noqa: E402
from unibuild.kernel import build_platform_kernel  # noqa: E402

CONFIGS = {"gic2-nvhe": ("2", "nvhe"), "gic3-nvhe": ("3", "nvhe"),
           "gic2-vhe": ("2", "vhe"), "gic3-vhe": ("3", "vhe")}
PORT = 8080
TICK_HZ = 100    # kernel/include/timer.h


def web_image(out: Path, requests: int) -> Path:
    image = out / f"websrv-{requests}.img"
    subprocess.run([sys.executable, "-m", "unibuild", "build", "-o", str(image),
                    "--kopt", "profile", "--kopt", "memstats",
                    str(ROOT / "build/examples/websrv/websrv-static"), str(PORT), str(requests)],
                   check=True, stdout=subprocess.DEVNULL)
    return image


def guest_counts(kernel_stream: str) -> tuple[int, float]:
    """(interrupt entries, ticks the uptime holds) from the profile and memstats lines."""
    irqs = int(re.search(r"^profile: (\d+) interrupts", kernel_stream, re.M).group(1))
    busy, idle = map(int, re.search(r"^memstats: cpu busy (\d+) ms, idle (\d+) ms", kernel_stream, re.M).groups())
    return irqs, (busy + idle) * TICK_HZ / 1000


def counts(run: l1_host.RunOutcome) -> dict[str, float]:
    s = run.kvm_stats
    irqs, ticks = guest_counts(run.streams.get("kernel", ""))
    return {"mmio_user": s.get("mmio_exit_user", 0), "mmio_kern": s.get("mmio_exit_kernel", 0),
            "exits": s.get("exits", 0), "irqs": irqs, "ticks": ticks, "ms": run.wall_ms}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--few", type=int, default=3)
    parser.add_argument("--many", type=int, default=103)
    parser.add_argument("--config", action="append", choices=sorted(CONFIGS))
    args = parser.parse_args()
    subprocess.run(["make", "-s", "-C", str(ROOT / "examples/websrv")], check=True)
    base = l1_host.build_base()
    kernel = build_platform_kernel("virt", out=io.StringIO()).image
    with tempfile.TemporaryDirectory(prefix="nested-kvm-web-") as tmp:
        out = Path(tmp)
        runner = l1_host.build_runner(out)
        runs = [l1_host.InnerRun(f"web{n}", web_image(out, n), http=(PORT, n, "/"), timeout=240)
                for n in (args.few, args.many)]
        print(f"per request, from {args.many} minus {args.few} requests (one connection each)")
        print(f"{'config':10} {'mmio_user':>9} {'mmio_kern':>9} {'exits':>7} {'irqs':>6} {'ticks':>6} {'ms':>6}  outer s")
        for label in args.config or list(CONFIGS):
            gic, mode = CONFIGS[label]
            boot = l1_host.boot_l1(base, kernel, runner, runs, gic, mode, out, timeout=600)
            few, many = boot.run(f"web{args.few}"), boot.run(f"web{args.many}")
            if few.result is None or many.result is None or few.result.status or many.result.status:
                print(f"{label}: a run failed\n{few.describe()}\n{many.describe()}", file=sys.stderr)
                return 1
            a, b = counts(few), counts(many)
            per = {k: (b[k] - a[k]) / (args.many - args.few) for k in a}
            print(f"{label:10} {per['mmio_user']:9.1f} {per['mmio_kern']:9.1f} {per['exits']:7.1f} "
                  f"{per['irqs']:6.1f} {per['ticks']:6.1f} {per['ms']:6.1f}  {boot.seconds:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
