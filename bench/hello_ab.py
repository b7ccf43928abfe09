#!/usr/bin/env python3
"""QEMU start -> "hello world!" for several kernels and launch settings, boot by boot in turn.

Each round boots the dynamic hello once per configuration (and the QEMU floor, bench/floor.py,
once per transport and NIC setting), in turn, so every configuration sees the same load; then
boots the same image with `profile` for the guest's own boot phases and program line, which the
host's load changes far less than the wall clock. Prints per configuration the median (min) of
the wall time to the line, the pairwise median difference against the first configuration, and
the CPU time QEMU (and passt) used for the whole boot: on a loaded machine the wall clock waits
for a core, the CPU time much less so.

A configuration is LABEL=KERNEL[,pci|,mmio|,auto][,net]: KERNEL a checkout (its build/virt/target/Image)
or an Image path; pci (the default here, main's layout before the boot66 branch) puts the disk and
NIC on virtio-pci, mmio both on virtio-mmio, auto what `unibuild run` does (the disk on mmio, the NIC on pci); net attaches the
default NIC (passt or slirp, DHCP as `unibuild run` does) instead of none.
Usage: .venv/bin/python bench/hello_ab.py [-n 15] main=/work/main ours=. ours-mmio=.,mmio

Not a test: the numbers depend on the host.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from unibuild.launch import LaunchOptions, boot
from unibuild.launch.network import NetOptions
from unibuild.paths import PROJECT_ROOT
from unibuild.pipeline import ImageRequest, build
from unibuild.platform import load_platform
from unibuild.targetroot import find_root

from floor import FLOOR_LINE, floor_image

HELLO = PROJECT_ROOT / "build/examples/hello/hello"
BOOT_PHASES = re.compile(r"^profile: boot phases \(ms\):(.*)$", re.M)
COUNTS = {
    "exec": re.compile(r"^profile: program \(ms\): exec ([0-9.]+)", re.M),
    "exec->output": re.compile(r"^profile: program .*first output ([0-9.]+)", re.M),
    "faults": re.compile(r"^profile: (\d+) page faults", re.M),
    "requests": re.compile(r"^profile: (\d+) virtio doorbell writes", re.M),
}


@dataclass(frozen=True)
class Config:
    label: str
    kernel: Path
    transport: str
    net: bool

    def options(self, disk: Path) -> LaunchOptions:
        return LaunchOptions(accel="tcg", gic="3", disk=disk, virtio_transport=self.transport,
                             net=NetOptions() if self.net else None)


def parse_config(spec: str) -> Config:
    label, _, rest = spec.partition("=")
    where, *flags = rest.split(",")
    path = Path(where).resolve()
    kernel = path / "build/virt/target/Image" if path.is_dir() else path
    transports = [f for f in flags if f in ("pci", "mmio", "auto")]
    if not kernel.is_file() or set(flags) - {"pci", "mmio", "auto", "net"} or len(transports) > 1:
        sys.exit(f"bad configuration {spec!r}: LABEL=CHECKOUT|IMAGE[,pci|,mmio|,auto][,net]")
    return Config(label, kernel, transports[0] if transports else "pci", "net" in flags)


def child_cpu_ms() -> float:
    """CPU time (user + system) of every reaped child so far: a boot's QEMU (and passt)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (ru.ru_utime + ru.ru_stime) * 1000


def timed_boot(cpu: list[float], *args):
    """boot(*args), with the CPU time its children took appended to cpu."""
    before = child_cpu_ms()
    result = boot(*args)
    cpu.append(child_cpu_ms() - before)
    return result


def line_ms(result, line: str) -> float:
    if result.status != 0:
        sys.exit(f"boot failed with status {result.status}:\n{result.console}")
    return next(t for t, text in result.line_times if text == line) * 1000


def mid(values: list[float]) -> str:
    return f"{statistics.median(values):6.1f} ({min(values):5.1f})" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=15)
    parser.add_argument("configs", nargs="+", type=parse_config)
    args = parser.parse_args()
    platform, root = load_platform("virt"), find_root(None)
    wall: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    floors: dict[tuple[str, bool], list[float]] = {}
    floor_cpu: dict[tuple[str, bool], list[float]] = {}
    phases: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        plain, profiled = Path(tmp) / "hello.tfs", Path(tmp) / "hello-profile.tfs"
        build(ImageRequest(program=str(HELLO), args=("a", "b"), target_root=root), plain)
        build(ImageRequest(program=str(HELLO), args=("a", "b"), target_root=root,
                           kernel_options=("profile",)), profiled)
        floor = floor_image(Path(tmp))
        for _ in range(args.runs):
            for c in args.configs:
                wall.setdefault(c.label, []).append(line_ms(
                    timed_boot(cpu.setdefault(c.label, []), platform, c.kernel, c.options(plain)), "hello world!"))
                key = (c.transport, c.net)
                if key not in {(d.transport, d.net) for d in args.configs[:args.configs.index(c)]}:
                    floors.setdefault(key, []).append(line_ms(
                        timed_boot(floor_cpu.setdefault(key, []), platform, floor, c.options(plain)), FLOOR_LINE))
                report = boot(platform, c.kernel, c.options(profiled)).console
                mine = phases.setdefault(c.label, {})
                if (m := BOOT_PHASES.search(report)):
                    marks = [(k, float(v)) for k, v in re.findall(r"([\w-]+) ([0-9.]+)", m.group(1))]
                    for k, v in marks:
                        mine.setdefault(k, []).append(v)
                    mine.setdefault("boot total", []).append(sum(v for _, v in marks))
                for k, pattern in COUNTS.items():
                    if (m := pattern.search(report)):
                        mine.setdefault(k, []).append(float(m.group(1)))
    first = args.configs[0].label
    print(f"{args.runs} rounds; ms, median (min)")
    for c in args.configs:
        diff = [a - b for a, b in zip(wall[c.label], wall[first])]
        print(f"{c.label:<16} QEMU start -> hello {mid(wall[c.label])}   - {first}, pairwise {mid(diff)}"
              f"   QEMU CPU, whole boot {mid(cpu[c.label])}")
    for (transport, net), values in floors.items():
        print(f"floor {transport}{' net' if net else '':<10} start -> its line {mid(values)}"
              f"   QEMU CPU {mid(floor_cpu[(transport, net)])}")
    names = list(dict.fromkeys(k for c in args.configs for k in phases.get(c.label, {})))
    print(f"{'guest (profile)':<16}" + "".join(f"{c.label:>16}" for c in args.configs))
    for name in names:
        cells = "".join(f"{mid(phases[c.label].get(name, [])):>16}" for c in args.configs)
        print(f"  {name:<14}{cells}")


if __name__ == "__main__":
    main()
