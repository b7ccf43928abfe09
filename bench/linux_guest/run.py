#!/usr/bin/env python3
"""Boots an aarch64 program as the only process of Debian's arm64 Linux, under the very QEMU
command line `unibuild run` would use for our kernel: the reference for what the emulation
infrastructure (QEMU TCG + passt or slirp) allows, with a real kernel's network stack.

Same as `unibuild run`: build_command() with the default launch options (accelerator, -cpu,
GIC, -m, 1 vCPU, MTTCG) and network.attach() for the NIC (passt started the same way, the same
-netdev and virtio-net-pci options, the same guest address and gateway). Different, because
Linux is not our kernel: -kernel is Debian's Image with an -initrd (bench/linux_guest/init.c,
the modules, the program) and its own -append; the launcher's run controls are dropped (-S
and QMP, which only start the guest and read its exit status, and -no-shutdown), so the
program's exit powers the guest off and QEMU exits.

Usage: .venv/bin/python bench/linux_guest/run.py [-p HOST:GUEST]... [--net-backend auto|passt|slirp]
       [--verbose] PROGRAM [ARGS]...      (stops on Ctrl-C / SIGINT / SIGTERM)
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))   # the project: unibuild

from unibuild.errors import UserError  # noqa: E402
from unibuild.host import probe_host  # noqa: E402
from unibuild.launch import network  # noqa: E402
from unibuild.launch.qemu_cmdline import LaunchOptions, build_command  # noqa: E402
from unibuild.platform import load_platform  # noqa: E402

import debian_kernel  # noqa: E402
import initramfs  # noqa: E402

# Launcher controls that only make sense with QMP: start paused, stay paused at power-off.
DROPPED_FLAGS = {"-S": 0, "-no-shutdown": 0, "-qmp": 1}   # flag: how many values follow it


def linux_append(net: network.NetOptions, program: str, args: list[str], verbose: bool,
                 pauth: bool, extra: list[str]) -> str:
    """Linux's command line: its console on the PL011, the address for init.c, the program
    after `--` (init's argv); panic=-1 with QEMU's -no-reboot makes a panic end QEMU."""
    words = ["console=ttyAMA0", "panic=-1", "rdinit=/init",
             f"netaddr={net.address}", f"netgw={net.gateway}"]
    if not pauth:
        # -cpu max offers pointer authentication with the architected QARMA5 algorithm, which
        # TCG computes in a slow helper on every signed return of every kernel function; our
        # kernel never enables it. Measured here (bench/speed.md): Linux with it on spends ~3x
        # the vCPU time per request, a cost of the emulated CPU model, not of the network path.
        words.append("arm64.nopauth")
    if not verbose:
        words.append("quiet")
    words += extra
    return " ".join([*words, "--", f"/{program}", *args])


def qemu_argv(launcher_argv: list[str], initrd: Path, append: str, extra: list[str]) -> list[str]:
    argv, skip = [], 0
    for word in launcher_argv:
        if skip:
            skip -= 1
        elif word in DROPPED_FLAGS:
            skip = DROPPED_FLAGS[word]
        else:
            argv.append(word)
    if "-append" in argv:
        raise AssertionError("the launcher gave our kernel an -append; this script gives Linux its own")
    return [*argv, *extra, "-initrd", str(initrd), "-append", append]


def run(args) -> int:
    program = Path(args.program)
    if not program.is_file():
        raise UserError(f"{program} does not exist")
    kernel = debian_kernel.fetch()
    if args.verbose:
        print(f"linux-guest: {kernel.package}, modules {' '.join(m.name for m in kernel.modules)}", file=sys.stderr)
    net = network.net_options("user", args.net_backend, args.port)
    with tempfile.TemporaryDirectory(prefix="linux-guest-") as tmp:
        initrd = Path(tmp) / "initrd.gz"
        initrd.write_bytes(initramfs.archive(initramfs.build_init(), kernel.modules, program))
        warn = lambda line: print(f"linux-guest: {line}", file=sys.stderr)
        with network.attach(net, warn=warn) as attachment:
            command = build_command(load_platform("virt"), kernel.image, LaunchOptions(net=net), probe_host(),
                                    Path(tmp) / "unused-qmp.sock", network=attachment.qemu_args)
            argv = qemu_argv(command.argv, initrd, linux_append(net, program.name, args.args, args.verbose,
                                                              args.pauth, args.append),
                             args.qemu_arg)
            if args.verbose:
                print(f"linux-guest: {' '.join(argv)}", file=sys.stderr)
            qemu = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
            try:
                return qemu.wait()
            finally:
                if qemu.poll() is None:
                    qemu.terminate()
                    qemu.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-p", "--port", action="append", default=[], help="HOST[:GUEST] forward, as unibuild run -p")
    parser.add_argument("--net-backend", default="auto", help="auto, passt or slirp (as unibuild run)")
    parser.add_argument("--verbose", action="store_true", help="Linux's boot messages and the QEMU argv")
    parser.add_argument("--pauth", action="store_true", help="let Linux use -cpu max's pointer authentication")
    parser.add_argument("--append", action="append", default=[], help="one more word for Linux's command line")
    parser.add_argument("--qemu-arg", action="append", default=[],
                        help="one more QEMU argument (experiments: a later -cpu replaces the launcher's)")
    parser.add_argument("program", help="an aarch64 ELF program (static: nothing else is in the guest)")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # the finally blocks stop QEMU and passt
    try:
        return run(args)
    except UserError as e:
        print(f"linux-guest: {e}", file=sys.stderr)
        return 125
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
