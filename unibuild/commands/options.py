"""Every option more than one command takes, declared once, with the type that checks it.

A command stacks the decorators it needs; the config file (unibuild/config.py) converts its
values through the same click parameters, so a bad value reads the same from either source.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..launch.network import BACKENDS, NETS, StaticIp, net_options, parse_static_ip
from ..launch.qemu_cmdline import ACCELS, GICS, LaunchOptions
from ..launch.virtio_transport import TRANSPORTS


class KeyValue(click.ParamType):
    """`KEY=VALUE` (an environment entry): converted to a (key, value) pair. A bare `KEY` takes
    the host's value, as docker's `-e KEY` does (and, as there, is left out when unset: value None)."""

    name = "KEY=VALUE"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        key, sep, rest = str(value).partition("=")
        if not key:
            self.fail(f"environment entry {value!r} is not KEY=VALUE or KEY", param, ctx)
        if not sep:
            return key, os.environ.get(key)
        return key, rest


def _stack(options):
    def decorate(f):
        for option in reversed(options):
            f = option(f)
        return f
    return decorate


# --- what is built ----------------------------------------------------------------------------

platform_option = click.option(
    "--platform", default="virt", show_default=True,
    help="Platform to build for and boot (a directory of platforms/ with a platform.toml).")

cross_compile_option = click.option(
    "--cross-compile", metavar="PREFIX", default=None,
    help="Target toolchain prefix, e.g. aarch64-linux-gnu- (default: $CROSS_COMPILE, "
    "else none on aarch64 hosts and aarch64-linux-gnu- elsewhere).")

# --debug always means the same thing: the kernel built with `make DEBUG=1`.
debug_option = click.option("--debug", is_flag=True, help="Build the kernel with DEBUG=1.")

target_root_option = click.option(
    "--target-root", type=click.Path(path_type=Path), default=None, metavar="DIR",
    help="arm64 root to resolve a dynamic PROGRAM's libraries in "
    "(default $NANOS_TARGET_ROOT, else build/target-root).")

env_option = click.option(
    "-e", "--env", "env", type=KeyValue(), multiple=True, metavar="KEY[=VALUE]",
    help="Guest environment variable (repeatable; a bare KEY takes the host's value); "
    "LD_LIBRARY_PATH also changes the library search.")


def env_from(pairs) -> dict[str, str]:
    """The -e pairs as a dict; a later KEY wins; a bare KEY the host does not have is left out."""
    env = {}
    for key, value in pairs:
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


# What goes into an image besides the program (run and build).
image_content_options = _stack([
    target_root_option,
    env_option,
    click.option("--with", "with_programs", multiple=True, metavar="PATH",
                 help="Another program PROGRAM may exec (repeatable): a path in the target root or an "
                 "aarch64 host file (SRC[:DST]), with its libraries (and packages' files) like PROGRAM; "
                 "a busybox brings its applet links, a #! script its interpreter."),
    click.option("-f", "--file", "files", multiple=True, metavar="SRC[:DST]",
                 help="Host file to place at image path DST (default /BASENAME)."),
    click.option("--dir", "dirs", multiple=True, metavar="SRC[:DST]",
                 help="Host directory whose contents go to DST (default /BASENAME; use SRC:/ for the root)."),
    click.option("--no-extras", is_flag=True,
                 help="Leave out what the ELF files do not name: NSS modules, libgcc_s, /etc files, "
                 "the program's package files."),
    click.option("--keep-mtime", is_flag=True,
                 help="Each file's mtime as the host or target root has it, instead of 0 (which keeps "
                 "two builds byte-identical); the image cache then also keys on those mtimes."),
    click.option("-w", "--workdir", default=None, metavar="DIR",
                 help="The program's working directory inside the image (made if missing, like docker run -w)."),
    click.option("--kopt", multiple=True, metavar="KEY[=VALUE]",
                 help="Kernel option (integer or string value; a bare KEY means 1), e.g. profile "
                 "(syscall time summary at exit) or memstats."),
])

# A fixed guest address instead of DHCP: kernel options in the image, and the backend's view.
static_ip_options = _stack([
    click.option("--ip", default=None, metavar="ADDR/PREFIX",
                 help="Static guest address instead of DHCP, e.g. 10.0.2.15/24."),
    click.option("--gateway", default=None, metavar="ADDR",
                 help="Gateway for --ip (default: the subnet's .2, like QEMU's)."),
])


def static_ip_from(kwargs: dict) -> StaticIp | None:
    """Pops --ip/--gateway out of a command's kwargs."""
    return parse_static_ip(kwargs.pop("ip"), kwargs.pop("gateway"))


# --- how it boots -----------------------------------------------------------------------------

launch_options = _stack([
    click.option("--profile", default=None, metavar="NAME",
                 help="Launch profile of the platform (platforms/<platform>/profiles/NAME.toml), e.g. "
                 "pi4 or cloud: KVM settings for that host; explicit options still win."),
    click.option("--accel", type=click.Choice(ACCELS), default="auto", show_default=True,
                 help="kvm only works on aarch64 hosts with a usable /dev/kvm; auto picks it when it does."),
    click.option("--gic", type=click.Choice(GICS), default="auto", show_default=True,
                 help="Interrupt controller version (auto: the host's under KVM, 3 under TCG)."),
    click.option("--cpu", default=None, metavar="MODEL",
                 help="CPU model (default: max under TCG, host under KVM; e.g. cortex-a72)."),
    click.option("-m", "--memory", default=None, metavar="SIZE",
                 help="Guest RAM: MiB, or a size like 512M or 2G (default from the platform)."),
    click.option("--smp", type=int, default=None, metavar="N", help="Number of CPUs."),
    click.option("--timeout", type=float, default=None, metavar="SECONDS",
                 help="Stop the guest and exit 124 after this long."),
    click.option("--append", multiple=True, hidden=True, metavar="ARGS",
                 help="Extra kernel arguments (for tests, e.g. exit=3)."),
    click.option("--machine-opt", "machine_options", multiple=True, hidden=True, metavar="KEY=VALUE",
                 help="Extra -machine property (for tests, e.g. its=off)."),
    click.option("--virtio-transport", type=click.Choice(TRANSPORTS), default="auto", hidden=True,
                 help="Give the guest its disk and NIC over virtio-pci or virtio-mmio (for tests; "
                      "auto: disks on mmio, the NIC on pci)."),
    click.option("--verbose", is_flag=True, help="Ask the kernel for boot diagnostics."),
    click.option("--el2", is_flag=True,
                 help="Enter the kernel at EL2 (machine virtualization=on; TCG only; for tests)."),
    click.option("-p", "--port", "ports", multiple=True, metavar="HOST[:GUEST][/udp]",
                 help="Forward 127.0.0.1:HOST on the host to the guest's port GUEST (default HOST); repeatable."),
    click.option("--net", type=click.Choice(NETS), default="user", show_default=True,
                 help="user: a virtio-net NIC behind a user-mode backend; none: no NIC."),
    click.option("--net-backend", type=click.Choice(BACKENDS), default="auto", show_default=True,
                 help="auto: passt when installed (copes with many concurrent clients), else QEMU's slirp."),
    click.option("--pcap", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
                 help="Capture the guest's network frames to FILE (pcap)."),
    click.option("-v", "--volume", "volumes", multiple=True, metavar="VOLUME:/PATH[:ro]",
                 help="Mount a volume (a NAME from `unibuild volume create`, or a FILE) at PATH, "
                 "writable and persistent unless :ro; repeatable."),
])


print_qemu_option = click.option(
    "--print-qemu", is_flag=True,
    help="Print the QEMU command line for running this boot by hand (shell-quoted) instead of booting.")


def launch_options_from(kwargs: dict, static_ip: StaticIp | None = None) -> LaunchOptions:
    """Pops the launch options out of a command's kwargs."""
    net = net_options(kwargs.pop("net"), kwargs.pop("net_backend"), kwargs.pop("ports"),
                      static_ip=static_ip, pcap=kwargs.pop("pcap"))
    return LaunchOptions(
        profile=kwargs.pop("profile"),
        accel=kwargs.pop("accel"),
        gic=kwargs.pop("gic"),
        cpu=kwargs.pop("cpu"),
        memory=kwargs.pop("memory"),
        smp=kwargs.pop("smp"),
        timeout=kwargs.pop("timeout"),
        append=tuple(kwargs.pop("append")),
        machine_options=tuple(kwargs.pop("machine_options")),
        virtio_transport=kwargs.pop("virtio_transport"),
        verbose=kwargs.pop("verbose"),
        el2=kwargs.pop("el2"),
        net=net,
        volumes=_volumes(kwargs.pop("volumes")),
    )


def _volumes(specs) -> tuple:
    """-v specs; tfs.volume (it loads construct, ~20 ms) only when there are any."""
    if not specs:
        return ()
    from ..tfs.volume import parse_mount
    return tuple(parse_mount(v) for v in specs)


def warn(line: str) -> None:
    """How a command shows a library's one-line warning: like an error line, but it goes on."""
    click.echo(f"unibuild: {line}", err=True)
