"""The QEMU command line a user can run by hand (`run --print-qemu`, `boot --print-qemu`).

It is the command `boot` would start, shell-quoted, with the parts that exist only for our
control of QEMU left out, and said so in the comment above it:
- `-qmp` (our control socket), `-S` (start paused until our event listener is attached) and
  `-no-shutdown` (pause at power-off so we can read the exit status from the registers): by
  hand QEMU runs at once and exits when the guest powers off; the guest's exit status is then
  in its console's last lines with `--verbose`, not in QEMU's own exit status;
- the multiplexed console (`console=mux`, which `run` demultiplexes into stdout and stderr):
  by hand the console is plain text on QEMU's stdout (`-serial stdio`, Ctrl-C ends QEMU);
- passt: a passt socket lives only as long as `run`, so the NIC is QEMU's own slirp with the
  same addresses and `-p` forwards.
"""

from __future__ import annotations

import shlex
from dataclasses import replace
from pathlib import Path

from ..host import probe as host_probe
from ..host.probe import HostInfo
from ..platform import Platform
from .firmware import CMDLINE_FILE
from .network import nic_args, slirp_netdev
from .qemu_cmdline import LaunchOptions, build_command, kernel_args

NOTE = """\
# The QEMU command unibuild would run, for running by hand. Left out: -qmp, -S and -no-shutdown
# (unibuild's control of QEMU: by hand QEMU exits when the guest powers off, and QEMU's exit
# status is not the guest's), the multiplexed console (by hand the console is plain text on
# stdout; Ctrl-C ends QEMU) and passt (the NIC uses QEMU's slirp, with the same -p forwards)."""

# The kernel's arguments in a firmware boot (firmware.py), as -append for -kernel.
_FW_CFG_CMDLINE = f"name={CMDLINE_FILE},string="

# Options that take one value, dropped together with it.
_DROP_WITH_VALUE = {"-qmp"}
_DROP = {"-S", "-no-shutdown"}


def plain_kernel_args(options: LaunchOptions) -> str:
    """The kernel's arguments for a boot unibuild does not watch: no multiplexed console."""
    return " ".join(w for w in kernel_args(options).split() if w != "console=mux")


def manual_argv(argv: list[str]) -> list[str]:
    """`argv` (from build_command) without our control parts, with a plain stdio console."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in _DROP_WITH_VALUE:
            i += 2
            continue
        if arg in _DROP:
            i += 1
            continue
        if arg == "-chardev" and argv[i + 1].startswith("stdio,id=console"):
            i += 2
            continue
        if arg == "-serial" and argv[i + 1] == "chardev:console":
            out += ["-serial", "stdio"]
            i += 2
            continue
        if arg == "-append":
            words = [w for w in argv[i + 1].split() if w != "console=mux"]
            if words:
                out += ["-append", " ".join(words)]
            i += 2
            continue
        if arg == "-fw_cfg" and argv[i + 1].startswith(_FW_CFG_CMDLINE):
            words = [w for w in argv[i + 1][len(_FW_CFG_CMDLINE):].split() if w != "console=mux"]
            if words:
                out += ["-fw_cfg", _FW_CFG_CMDLINE + " ".join(words)]
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def manual_command(platform: Platform, kernel: Path, options: LaunchOptions, *,
                   host: HostInfo | None = None, qemu_binary: str | None = None) -> str:
    """The note and the shell-quoted command line for booting `kernel` with `options`."""
    host = host_probe.probe_host() if host is None else host
    net = options.net
    network = nic_args(slirp_netdev(net), net.pcap) if net is not None and net.mode != "none" else None
    # Absolute paths: the line must work from any directory.
    options = replace(options, disk=options.disk.resolve() if options.disk is not None else None,
                      volumes=tuple(replace(v, path=Path(v.path).resolve()) for v in options.volumes))
    command = build_command(platform, Path(kernel).resolve(), options, host, Path("/unused/qmp.sock"),
                            qemu_binary=qemu_binary, network=network)
    return NOTE + "\n" + shlex.join(manual_argv(command.argv)) + "\n"
