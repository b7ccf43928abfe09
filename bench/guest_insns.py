#!/usr/bin/env python3
"""Guest instructions per request, by function: a count that does not depend on the host's load.

Under TCG every clock the guest reads follows the host's time, so `--kopt profile`'s times grow
with the load. This runs the server under QEMU with a TCG plugin (bench/tcg_insns/insns.c) that
counts the instructions and translated-block executions of every block, twice: with --small and
with --big ab requests. The difference, divided by the difference in requests, is what one
request costs (boot, start-up and teardown cancel out); each block start address is named after
the kernel's or the program's symbol that holds it (`nm`).

Translated-block executions are the closer measure of TCG's work: every block costs its dispatch,
and a branch ends a block, so a loop that branches inside costs two a turn.

  websrv   build/examples/websrv/websrv-static as the program (bench/web.py's unikernel target)
  floor    the nettest=http floor (bench/net_floor.py): lwIP answers in its receive path

Not a test. Usage:
  .venv/bin/python bench/guest_insns.py [--target websrv|floor] [--small 500] [--big 2500] [--top 40]
                                        [--lines FUNCTION]... [-- ab options, default -c 1]

--lines FUNCTION also lists that kernel function's blocks by source line (addr2line on the
kernel's ELF), to see which loop of it the requests pay for.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import net_floor  # noqa: E402
import web  # noqa: E402

ROOT = web.ROOT
PLUGIN_SRC = ROOT / "bench" / "tcg_insns" / "insns.c"
PLUGIN = ROOT / "build" / "host" / "tcg_insns" / "libinsns.so"
KERNEL = ROOT / "build" / "virt" / "target" / "kernel.elf"
PROGRAM = {"websrv": web.PROGRAMS["websrv"][0], "floor": net_floor.HELLO}


def build_plugin() -> None:
    if PLUGIN.exists() and PLUGIN.stat().st_mtime >= PLUGIN_SRC.stat().st_mtime:
        return
    PLUGIN.parent.mkdir(parents=True, exist_ok=True)
    cc = os.environ.get("HOST_CC", "cc")
    subprocess.run([cc, "-O2", "-shared", "-fPIC", "-fvisibility=hidden", "-Wall", "-Wextra", "-Werror",
                    "-Wno-unused-parameter", "-o", str(PLUGIN), str(PLUGIN_SRC)], check=True)


def wrapper_dir(tmp: Path) -> Path:
    """A directory with a qemu-system-aarch64 that is the real one with the plugin loaded (first on
    PATH for the run, so unibuild starts it unchanged); INSNS_OUT names each run's output."""
    real = shutil.which("qemu-system-aarch64")
    if real is None:
        sys.exit("bench: qemu-system-aarch64 not found; install the Debian package qemu-system-arm")
    d = tmp / "bin"
    d.mkdir()
    w = d / "qemu-system-aarch64"
    w.write_text(f'#!/bin/sh\nexec {real} -plugin {PLUGIN},out="$INSNS_OUT" "$@"\n')
    w.chmod(0o755)
    return d


def measure(target: str, requests: int, ab_options: list[str], out: Path, args) -> None:
    os.environ["INSNS_OUT"] = str(out)
    server = web.Server("floor" if target == "floor" else "unikernel", args)
    with server as port:
        argv = ["ab", "-q", "-s", "30", *ab_options, "-n", str(requests), f"http://127.0.0.1:{port}/"]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=args.ab_timeout)
        if r.returncode != 0:
            sys.exit(f"bench: ab failed: {r.stderr.strip()}")
    if not out.exists():
        sys.exit(f"bench: QEMU wrote no counts to {out}")


def symbols(*elfs: Path) -> tuple[list[int], list[str]]:
    table = []
    for elf in elfs:
        r = subprocess.run(["nm", "-n", str(elf)], capture_output=True, text=True, check=True)
        for line in r.stdout.splitlines():
            p = line.split()
            if len(p) == 3 and p[1] in "tTwW":
                table.append((int(p[0], 16), p[2]))
    table.sort()
    return [a for a, _ in table], [n for _, n in table]


def by_function(path: Path, addrs: list[int], names: list[str]):
    insns, execs = collections.Counter(), collections.Counter()
    for line in path.read_text().splitlines():
        va, _, n_execs, n_insns = line.split()
        va = int(va, 16)
        i = bisect.bisect_right(addrs, va) - 1
        name = (names[i] if i >= 0 else "?") + (" [k]" if va >= 1 << 63 else " [u]")
        insns[name] += int(n_insns)
        execs[name] += int(n_execs)
    return insns, execs


def by_line(paths: tuple[Path, Path], function: str, addrs: list[int], names: list[str], d: int) -> None:
    """Per request blocks and instructions of one kernel function, grouped by the source line of
    each block's first instruction."""
    per_va = collections.Counter(), collections.Counter()
    for sign, path in ((-1, paths[0]), (1, paths[1])):
        for line in path.read_text().splitlines():
            va, _, n_execs, n_insns = line.split()
            va = int(va, 16)
            i = bisect.bisect_right(addrs, va) - 1
            if va >= 1 << 63 and i >= 0 and names[i] == function:
                per_va[0][va] += sign * int(n_execs)
                per_va[1][va] += sign * int(n_insns)
    vas = sorted(v for v in per_va[0] if per_va[0][v])
    r = subprocess.run(["addr2line", "-e", str(KERNEL), *[hex(v) for v in vas]],
                       capture_output=True, text=True, check=True)
    execs, insns = collections.Counter(), collections.Counter()
    for va, where in zip(vas, r.stdout.splitlines()):
        where = where.split(" (")[0].rsplit("/", 1)[-1]
        execs[where] += per_va[0][va]
        insns[where] += per_va[1][va]
    print(f"{function}, by source line:")
    for where, n in execs.most_common(30):
        print(f"{insns[where] / d:9.0f} {n / d:8.1f}  {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=sorted(PROGRAM), default="websrv")
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--big", type=int, default=2500)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--lines", action="append", default=[], metavar="FUNCTION")
    parser.add_argument("ab_options", nargs="*", default=["-c", "1"])
    args = parser.parse_args()
    if args.big <= args.small:
        sys.exit("bench: --big must be more requests than --small")
    for name, value in (("net_backend", "passt"), ("program", "websrv"), ("ready_timeout", 60.0),
                        ("ab_timeout", 600.0), ("server_timeout", 3600.0)):
        setattr(args, name, value)
    web.command = net_floor.command
    web.build("websrv", ["unikernel"])
    subprocess.run(["make", "-s", "-C", str(ROOT / "examples" / "hello")], check=True)
    build_plugin()
    with tempfile.TemporaryDirectory(prefix="guest-insns-") as tmp:
        tmp = Path(tmp)
        os.environ["PATH"] = f"{wrapper_dir(tmp)}{os.pathsep}{os.environ['PATH']}"
        os.environ["UNIBUILD_IMAGE_CACHE"] = ""
        small, big = tmp / "small.txt", tmp / "big.txt"
        measure(args.target, args.small, args.ab_options, small, args)
        measure(args.target, args.big, args.ab_options, big, args)
        addrs, names = symbols(KERNEL, PROGRAM[args.target])
        i1, e1 = by_function(small, addrs, names)
        i2, e2 = by_function(big, addrs, names)
        for function in args.lines:
            by_line((small, big), function, addrs, names, args.big - args.small)
    d = args.big - args.small
    insns = (sum(i2.values()) - sum(i1.values())) / d
    kernel = (sum(v for f, v in i2.items() if f.endswith("[k]")) - sum(v for f, v in i1.items() if f.endswith("[k]"))) / d
    execs = (sum(e2.values()) - sum(e1.values())) / d
    print(f"{args.target}, ab {' '.join(args.ab_options)}, per request ({args.big} - {args.small} requests): "
          f"{insns:.0f} instructions (kernel {kernel:.0f}, user {insns - kernel:.0f}), {execs:.0f} translated-block executions")
    print(f"{'insns':>9} {'blocks':>8}  function")
    rows = sorted((((i2[f] - i1[f]) / d, (e2[f] - e1[f]) / d, f) for f in set(i1) | set(i2)), reverse=True)
    for n_insns, n_execs, f in rows[:args.top]:
        print(f"{n_insns:9.0f} {n_execs:8.1f}  {f}")


if __name__ == "__main__":
    main()
