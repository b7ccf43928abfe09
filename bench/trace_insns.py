#!/usr/bin/env python3
"""Guest instructions executed and translated, by boot phase and by function: the load-proof view.

Under TCG a boot's time is mostly QEMU translating code that runs once (~0.8 us per guest
instruction here) and executing loops (~1-2 ns each); both counts are the same on an idle and a
loaded host, where wall-clock figures vary by +-50 %. This boots a program once (default the
dynamic hello) with QEMU's `-d exec,nochain,in_asm` log, then splits the log at the first
execution of each kmain step (MARKS) and prints, per step, instructions executed and translated
and the functions that executed most. libfdt's functions are summed as "fdt".

Usage: .venv/bin/python bench/trace_insns.py [--top N] [--translated] [PROGRAM [ARGS...]]
Not a test: the log of one hello boot is ~150 MB in a temporary directory.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from unibuild.paths import PROJECT_ROOT

ELF = PROJECT_ROOT / "build/virt/target/kernel.elf"
HELLO = PROJECT_ROOT / "build/examples/hello/hello"
UNIBUILD = PROJECT_ROOT / ".venv/bin/unibuild"
# kmain's steps in order (kernel/main.c): a segment runs from its function's first execution.
MARKS = ("early_map", "dt_init", "page_alloc_init", "platform_init_console", "platform_init", "random_init",
         "smp_boot_secondaries", "pci_init", "virtio_mmio_init", "devfs_init", "vfs_mount_root", "kfile_publish",
         "net_init", "run_program")
TB_INSN = re.compile(r"^0x([0-9a-f]+):\s")
VBASE = 0xffffffff80000000   # the kernel's link address; before the MMU is on it runs at its load address


class Symbols:
    def __init__(self, elf: Path, load_pa: int):
        out = subprocess.run(["aarch64-linux-gnu-nm", "-n", elf], capture_output=True, text=True, check=True).stdout
        syms = sorted((int(p[0], 16), p[2]) for p in (line.split() for line in out.splitlines())
                      if len(p) == 3 and p[1] in "tTwW")
        self.addrs, self.names, self.load_pa = [a for a, _ in syms], [n for _, n in syms], load_pa

    def name(self, pc: int) -> str:
        if self.load_pa <= pc < self.load_pa + 0x1000000:
            pc = pc - self.load_pa + VBASE
        if pc < VBASE:
            return "user"
        i = bisect.bisect_right(self.addrs, pc) - 1
        name = self.names[i] if i >= 0 else "?"
        return "fdt" if name.startswith("fdt") else name


def qemu_command(program: list[str], log: Path) -> tuple[list[str], Path]:
    """QEMU's command line for the boot, and the directory of the image `--print-qemu` kept."""
    printed = subprocess.run([str(UNIBUILD), "run", "--print-qemu", "--net", "none", *program],
                             capture_output=True, text=True, check=True).stdout
    line = next(x for x in printed.splitlines() if x.startswith("qemu-system"))
    image = Path(re.search(r"file=([^,]+),if=none", line).group(1))
    return [*shlex.split(line), "-d", "exec,nochain,in_asm", "-D", str(log)], image.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--translated", action="store_true",
                        help="name the functions that translated most instead of those that executed most")
    parser.add_argument("program", nargs="*", default=[str(HELLO), "a", "b"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "trace.log"
        command, image_dir = qemu_command(args.program, log)
        try:
            subprocess.run(command, stdout=subprocess.DEVNULL, check=True, timeout=300)
        finally:
            shutil.rmtree(image_dir, ignore_errors=True)
        syms = None
        size: dict[int, int] = {}
        executed = collections.defaultdict(collections.Counter)
        translated = collections.Counter()   # by segment: QEMU logs a block as it translates it
        translated_by = collections.defaultdict(collections.Counter)   # segment -> function -> insns
        segment, order, tb = "entry", ["entry"], None
        with open(log, errors="replace") as f:
            for line in f:
                if line.startswith("IN:"):
                    tb = None
                elif (m := TB_INSN.match(line)):
                    pc = int(m.group(1), 16)
                    if tb is None:
                        tb = pc
                        size[tb] = 0
                    size[tb] += 1
                    translated[segment] += 1
                    translated_by[segment][syms.name(pc) if syms else "(before the kernel)"] += 1
                elif line.startswith("Trace"):
                    pc = int(line.split("[")[1].split("/")[1], 16)
                    if syms is None:   # the first TB past QEMU's boot stub is the kernel's entry
                        syms = Symbols(ELF, pc & ~0xfff) if pc >= 0x40200000 else None
                        if syms is None:
                            continue
                    name = syms.name(pc)
                    if name in MARKS and name not in order or (name == "user" and "user" not in order):
                        segment = name
                        order.append(name)
                    executed[segment][name] += size.get(pc, 1)
    print(f"{'from':<22} {'executed':>10} {'translated':>10}  most {'translated' if args.translated else 'executed'}")
    for seg in order:
        ranked = translated_by[seg] if args.translated else executed[seg]
        top = ", ".join(f"{k} {v}" for k, v in ranked.most_common(args.top))
        print(f"{seg:<22} {sum(executed[seg].values()):10d} {translated[seg]:10d}  {top}")
    print(f"{'total':<22} {sum(sum(c.values()) for c in executed.values()):10d} {sum(translated.values()):10d}")


if __name__ == "__main__":
    main()
