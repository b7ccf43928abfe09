"""`unibuild boot`: build the kernel if needed and boot it under QEMU (no program image yet).

The launch options are a reusable decorator so later commands that boot (e.g. `run`) accept
exactly the same ones.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..kernel import build_platform_kernel
from ..network import BACKENDS, NETS, StaticIp, net_options, parse_static_ip
from ..platform import load_platform
from ..qemu_cmdline import ACCELS, GICS, LaunchOptions
from ..qemu_run import boot
from .base import Command, cross_compile_option, debug_option, platform_option

_LAUNCH_OPTIONS = [
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
]

# A fixed guest address instead of DHCP: kernel options in the image, and the backend's view.
_STATIC_IP_OPTIONS = [
    click.option("--ip", default=None, metavar="ADDR/PREFIX",
                 help="Static guest address instead of DHCP, e.g. 10.0.2.15/24."),
    click.option("--gateway", default=None, metavar="ADDR",
                 help="Gateway for --ip (default: the subnet's .2, like QEMU's)."),
]


def launch_options(f):
    """Adds the QEMU launch options to a command; pass them on with `options_from(kwargs)`."""
    for option in reversed(_LAUNCH_OPTIONS):
        f = option(f)
    return f


def static_ip_options(f):
    """Adds --ip/--gateway; read them with `static_ip_from(kwargs)`."""
    for option in reversed(_STATIC_IP_OPTIONS):
        f = option(f)
    return f


def static_ip_from(kwargs: dict) -> StaticIp | None:
    """Pops --ip/--gateway out of a command's kwargs."""
    return parse_static_ip(kwargs.pop("ip"), kwargs.pop("gateway"))


def options_from(kwargs: dict, static_ip: StaticIp | None = None) -> LaunchOptions:
    """Pops the launch options out of a command's kwargs."""
    net = net_options(kwargs.pop("net"), kwargs.pop("net_backend"), kwargs.pop("ports"),
                      static_ip=static_ip, pcap=kwargs.pop("pcap"))
    return LaunchOptions(
        accel=kwargs.pop("accel"),
        gic=kwargs.pop("gic"),
        cpu=kwargs.pop("cpu"),
        memory=kwargs.pop("memory"),
        smp=kwargs.pop("smp"),
        timeout=kwargs.pop("timeout"),
        append=tuple(kwargs.pop("append")),
        machine_options=tuple(kwargs.pop("machine_options")),
        verbose=kwargs.pop("verbose"),
        el2=kwargs.pop("el2"),
        net=net,
    )


@click.command("boot", cls=Command)
@click.option("--kernel", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Boot this Image instead of building the platform's kernel.")
@platform_option
@cross_compile_option
@debug_option
@launch_options
def boot_command(kernel, platform, cross_compile, debug, **kwargs):
    """Boot the kernel under QEMU and exit with the status the guest reports."""
    options = options_from(kwargs)
    profile = load_platform(platform)
    if kernel is None:
        # make's progress goes to stderr so stdout carries only the guest's console.
        kernel = build_platform_kernel(
            platform, cross_compile=cross_compile, debug=debug, out=sys.stderr
        ).image
    result = boot(profile, kernel, options, echo=sys.stdout)
    if result.error:
        click.echo(f"unibuild: {result.error}", err=True)
    click.get_current_context().exit(result.status)
