"""The QEMU command line: launch options resolved against the platform profile and the host.

Everything here is pure (the host is passed in as a HostInfo from unibuild/host/), so every choice — accelerator,
GIC version, CPU model, memory size — is testable without starting QEMU.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UserError
from ..host.probe import HostInfo
from ..platform import LaunchProfile, Platform
from .network import NetOptions
from .firmware import MACHINE_OPTIONS, firmware_args

DIRECT_BOOT_MACHINE_OPTIONS = ("acpi=off",)
from .virtio_transport import device_transports, disks_in_probe_order, over_transport, transport_args

if TYPE_CHECKING:
    from ..tfs.volume import VolumeMount   # a type only: tfs.volume loads construct

ACCELS = ("auto", "kvm", "tcg")
GICS = ("auto", "2", "3")
# The only CPU models QEMU runs under KVM on arm64: the host's own CPU (max is the same there).
# A named model, even the host's own (cortex-a72 on a Pi 4), is refused by QEMU.
KVM_CPUS = ("host", "max")


@dataclass(frozen=True)
class LaunchOptions:
    """What the user asked for; None/auto means "let the platform and host decide"."""

    accel: str = "auto"
    gic: str = "auto"
    cpu: str | None = None
    memory: str | None = None
    smp: int | None = None
    timeout: float | None = None
    append: tuple[str, ...] = ()
    machine_options: tuple[str, ...] = ()   # extra KEY=VALUE for -machine (tests: its=off)
    verbose: bool = False
    el2: bool = False
    disk: Path | None = None   # a TFS image attached read-only as a virtio-blk disk
    disk_writable: bool = False   # a writable image (TFS 2.0): attached read-write, its changes persist
    net: NetOptions | None = None   # None: no NIC (the CLI attaches one unless --net none)
    profile: str | None = None   # a launch profile of the platform (platforms/<name>/profiles/)
    volumes: tuple[VolumeMount, ...] = ()   # writable TFS disks after the image: vdb, vdc, ...
    virtio_transport: str = "auto"  # pci, mmio, or auto: disks on mmio, the NIC on pci (virtio_transport.py)
    firmware: bool = False          # boot `disk` (a GPT disk) through UEFI firmware, no -kernel (firmware.py)
    disk_format: str = "raw"        # or "qcow2"
    gdb_port: int | None = None   # QEMU's gdbstub on 127.0.0.1:PORT (run --gdb)
    gdb_wait: bool = False   # the guest stays paused until gdb continues it (run --gdb-wait)
    # The program's standard descriptors (0, 1, 2) that are terminals, as the host's are (run's
    # stdio); the others are pipes in the guest, as under docker without -t. None: all terminals.
    terminals: tuple[int, ...] | None = None


def apply_profile(options: LaunchOptions, platform: Platform) -> tuple[LaunchOptions, LaunchProfile | None]:
    """The options with the named profile's settings filled in where the user left the default."""
    if options.profile is None:
        return options, None
    profile = platform.profile(options.profile)
    defaults = LaunchOptions()
    filled = {key: value for key, value in profile.settings
              if getattr(options, key) == getattr(defaults, key)}
    return replace(options, **filled), profile


def _origin(option: str, value, profile: LaunchProfile | None) -> str:
    """How a message names where a setting came from: the flag, or the profile that set it."""
    if profile is not None and profile.get(option) == value:
        return f"profile {profile.name} (--{option} {value})"
    return f"--{option} {value}"


def resolve_accel(requested: str, host: HostInfo, profile: LaunchProfile | None = None) -> str:
    if requested not in ACCELS:
        raise UserError(f"unknown accelerator '{requested}'; choose one of {', '.join(ACCELS)}")
    if requested == "auto":
        # An aarch64 host with a usable /dev/kvm runs the guest at native speed.
        return "kvm" if host.kvm.usable else "tcg"
    if requested == "kvm" and not host.kvm.usable:
        fix = f"{host.kvm.fix}, or use --accel tcg" if host.kvm.fix else "use --accel tcg"
        raise UserError(f"{_origin('accel', requested, profile)} is not possible here: {host.kvm.reason}; {fix}")
    return requested


def resolve_gic(requested: str, accel: str, smp: int, platform: Platform, host: HostInfo | None = None,
                profile: LaunchProfile | None = None) -> str:
    """The value for -machine gic-version: under KVM the host's own GIC, else v3 (any CPU count).
    An explicit version under KVM must be one the host's KVM can emulate (its vGIC), so a
    mismatch is our one line before QEMU starts, not QEMU's start-up error."""
    if requested not in GICS:
        raise UserError(f"unknown GIC version '{requested}'; choose one of {', '.join(GICS)}")
    if requested == "auto":
        return "host" if accel == "kvm" else "3"
    if requested == "2" and smp > platform.gicv2_max_cpus:
        raise UserError(
            f"GICv2 supports at most {platform.gicv2_max_cpus} CPUs but --smp is {smp}; use --gic 3"
        )
    if accel == "kvm" and host is not None and host.vgic.supports(requested) is False:
        others = [v for v in ("2", "3") if host.vgic.supports(v)]
        use = f"--gic {others[0]} or --gic auto" if others else "--gic auto"
        raise UserError(f"{_origin('gic', requested, profile)}: this host's KVM cannot give a guest a "
                        f"GICv{requested}, only {host.vgic.describe()}; use {use}")
    return requested


def resolve_cpu(requested: str | None, accel: str, platform: Platform,
                profile: LaunchProfile | None = None) -> str:
    if requested is None:
        # "host" passes the real CPU through under KVM; TCG can emulate everything ("max").
        return "host" if accel == "kvm" else "max"
    if requested not in platform.cpus:
        raise UserError(
            f"unknown CPU model '{requested}' for platform {platform.name}; "
            f"choose one of {', '.join(platform.cpus)}"
        )
    if requested == "host" and accel != "kvm":
        raise UserError(f"{_origin('cpu', requested, profile)} needs KVM; under TCG use max or a named "
                        "model such as cortex-a72")
    if accel == "kvm" and requested not in KVM_CPUS:
        raise UserError(f"{_origin('cpu', requested, profile)} cannot run under KVM: KVM runs the "
                        f"host's own CPU, so QEMU takes only {' or '.join(KVM_CPUS)} there; use "
                        f"--cpu host, or --accel tcg to emulate a {requested}")
    return requested


MIN_MEMORY_MIB = 8
_MEMORY = re.compile(r"^\s*(\d+)\s*([MmGg]?)(?:i?[Bb])?\s*$")


def parse_memory(text: str) -> int:
    """Guest RAM in MiB from "1024", "1024M", "1G", "2GiB" (a bare number is MiB, like QEMU's -m)."""
    match = _MEMORY.match(text)
    if match is None:
        raise UserError(f"bad memory size '{text}'; use a number of MiB or a size like 512M or 2G")
    mib = int(match.group(1)) * (1024 if match.group(2).lower() == "g" else 1)
    # The dynamic hello with a NIC uses 4.4 MiB (kernel, GIC ITS tables, 256 receive buffers, the
    # program) and boots in 6; below that QEMU or the early page tables run out of room.
    if mib < MIN_MEMORY_MIB:
        raise UserError(f"memory size '{text}' is too small; the guest needs at least {MIN_MEMORY_MIB} MiB")
    return mib


def resolve_smp(requested: int | None, platform: Platform) -> int:
    smp = platform.smp if requested is None else requested
    if smp < 1:
        raise UserError(f"--smp must be at least 1, not {smp}")
    return smp


def volume_disk_name(index: int) -> str:
    """The kernel's name for the index-th volume: the image is vda, volumes follow it."""
    return "vd" + chr(ord("b") + index)


# Kernel arguments that make the kernel do something else than run the image's program: the
# exit=N boot (the program is skipped) and blktest (the disk is read raw, nothing is mounted).
_INSTEAD_OF_PROGRAM = ("exit=", "blktest")


def expects_program(options: LaunchOptions) -> bool:
    """An image is attached to run its program: the kernel gets `program`, so booting without
    one is its error, and a guest that powers off without having started one is ours
    (qemu_run.result_from_report)."""
    return options.disk is not None and not any(a.startswith(_INSTEAD_OF_PROGRAM) for a in options.append)


def any_pci_device(argv: list[str]) -> bool:
    """QEMU's arguments put a device on PCI: a -device named *-pci, or a -nic (QEMU's default
    model on virt is virtio-net-pci) other than none."""
    return any(prev == "-device" and arg.split(",")[0].endswith("-pci") or
               prev == "-nic" and arg != "none" for prev, arg in zip(argv, argv[1:]))


def kernel_args(options: LaunchOptions) -> str:
    args = list(options.append)
    if options.verbose:
        args.append("verbose")
    elif options.disk is not None:
        args.append("quiet")   # a program runs: its output only, diagnostics on error
    if expects_program(options):
        args.append("program")
    for i, vol in enumerate(options.volumes):
        args.append(f"mount={volume_disk_name(i)}:{vol.mount}{':ro' if vol.read_only else ''}")
    if options.disk is not None:
        # One serial line, three streams: program stdout/stderr and kernel messages go to
        # their own places on the host (unibuild/launch/console_mux.py).
        args.append("console=mux")
        if options.terminals is not None and set(options.terminals) != {0, 1, 2}:
            args.append("notty=" + ",".join(str(fd) for fd in (0, 1, 2) if fd not in options.terminals))
    return " ".join(args)


@dataclass(frozen=True)
class QemuCommand:
    """A resolved launch: the argv plus the choices behind it (for messages and tests)."""

    argv: list[str]
    accel: str
    gic: str
    cpu: str
    memory_mib: int
    smp: int
    qmp_socket: Path
    timeout: float | None = None
    console_mux: bool = False   # the kernel multiplexes stdout/stderr/kernel on the console
    # A firmware boot: what comes before the kernel's first stream switch is the firmware's
    # (its banner, screen clears, boot-option lines), shown only with --verbose.
    firmware_prelude: str = ""  # "", "hide" or "show"
    gdb_wait: bool = False   # leave the guest paused (-S) for gdb's `continue`: no QMP cont
    expects_program: bool = False   # the guest must run a program (kernel argument `program`)


def build_command(
    platform: Platform,
    kernel: Path,
    options: LaunchOptions,
    host: HostInfo,
    qmp_socket: Path,
    qemu_binary: str | None = None,
    network: list[str] | None = None,
) -> QemuCommand:
    """The full QEMU argv for booting `kernel` on `platform` with `options` on `host`;
    `network` is the NIC's arguments from network.attach() (default: no NIC)."""
    options, profile = apply_profile(options, platform)
    accel = resolve_accel(options.accel, host, profile)
    smp = resolve_smp(options.smp, platform)
    gic = resolve_gic(options.gic, accel, smp, platform, host, profile)
    cpu = resolve_cpu(options.cpu, accel, platform, profile)
    memory = parse_memory(options.memory if options.memory is not None else platform.memory)
    if options.el2 and accel == "kvm":
        # QEMU 7.2 cannot give a KVM guest virtualization extensions (no nested virt).
        raise UserError("--el2 needs TCG (KVM here cannot start the guest at EL2); add --accel tcg")
    if options.timeout is not None and options.timeout <= 0:
        raise UserError(f"--timeout must be a positive number of seconds, not {options.timeout:g}")
    if options.gdb_port is not None and not 0 < options.gdb_port < 65536:
        raise UserError(f"--gdb takes a TCP port (1-65535), not {options.gdb_port}")
    if options.gdb_wait and options.gdb_port is None:
        raise UserError("--gdb-wait waits for a debugger on the --gdb port; add --gdb")

    disk_transport, nic_transport = device_transports(options.virtio_transport, accel, options.firmware)
    machine = f"{platform.machine},gic-version={gic}"
    if options.el2:
        machine += ",virtualization=on"
    # A firmware boot's own machine options yield to the caller's (tests turn ACPI back on). A
    # -kernel boot reads the device tree only, so QEMU need not build ACPI tables it would
    # never read (about 2 ms of its start-up CPU, bench/speed.md).
    given = {opt.split("=", 1)[0] for opt in options.machine_options}
    wanted = MACHINE_OPTIONS if options.firmware else DIRECT_BOOT_MACHINE_OPTIONS
    implied = [opt for opt in wanted if opt.split("=", 1)[0] not in given]
    for opt in (*options.machine_options, *implied):
        if "," in opt or "=" not in opt:
            raise UserError(f"machine option '{opt}' must be one KEY=VALUE without commas")
        machine += f",{opt}"
    argv = [
        qemu_binary or platform.qemu_binary,
        "-machine", machine,
        # MTTCG, asked for rather than left to QEMU's default: each vCPU its own host thread,
        # so --smp N runs N CPUs in parallel on the host's cores.
        "-accel", "tcg,thread=multi" if accel == "tcg" else accel,
        "-cpu", cpu,
        "-m", f"{memory}M",
        "-smp", str(smp),
        *(["-kernel", str(kernel)] if not options.firmware else []),
        *over_transport(network or ["-nic", "none"], nic_transport),
        *transport_args(nic_transport, disk_transport if options.disk or options.volumes else "pci"),
        "-display", "none",
        # Powering off pauses the VM instead of exiting, so we can still read the registers
        # holding the exit status; a reset is a shutdown too (a rebooting unikernel would loop).
        "-no-shutdown",
        "-no-reboot",
        # Start paused: we resume with QMP `cont` once our event listener is attached.
        "-S",
        # The console goes to QEMU's stdout, which is our pipe (never our terminal), and
        # signal=off keeps QEMU from treating console bytes as signals.
        "-chardev", "stdio,id=console,signal=off",
        "-serial", "chardev:console",
        "-qmp", f"unix:{qmp_socket},server=on,wait=off",
    ]
    disks: list[list[str]] = []   # each disk's -device, in the guest's order (vda first)
    if options.disk is not None:
        # Modern-only virtio (1.x): the kernel speaks no legacy transport.
        mode = "cache=writeback" if options.disk_writable else "readonly=on"   # cache=: see the volumes below
        argv += ["-drive", f"file={options.disk},if=none,format={options.disk_format},id=disk0,{mode}"]
        disks.append(["-device", "virtio-blk-pci,drive=disk0,disable-legacy=on"])
    if len(options.volumes) > 16:
        raise UserError(f"{len(options.volumes)} volumes; the kernel mounts at most 16")
    for i, vol in enumerate(options.volumes):
        # cache=writeback: QEMU completes a write once the host has it (page cache) and offers
        # the guest VIRTIO_BLK_F_FLUSH, which it turns into fdatasync() on the file: what the
        # guest's fsync flushed survives a host crash, the rest may not (as on a real disk with
        # a write cache). cache=unsafe would ignore the flush; directsync would make every
        # write synchronous.
        ro = ",readonly=on" if vol.read_only else ""
        argv += ["-drive", f"file={vol.path},if=none,format=raw,id=vol{i},cache=writeback{ro}"]
        disks.append(["-device", f"virtio-blk-pci,drive=vol{i},disable-legacy=on"])
    argv += disks_in_probe_order(disks, disk_transport)
    if options.gdb_port is not None:
        argv += ["-gdb", f"tcp:127.0.0.1:{options.gdb_port}"]   # loopback only, as every port we open
    append = kernel_args(options)
    if not options.firmware and not any_pci_device(argv):
        # Nothing of ours is on PCI: the kernel neither sets up the bridge nor scans it.
        append = " ".join(filter(None, (append, "pci=off")))
    if options.firmware:
        argv += firmware_args(append)
    elif append:
        argv += ["-append", append]
    return QemuCommand(argv, accel, gic, cpu, memory, smp, qmp_socket, options.timeout,
                       console_mux="console=mux" in append.split(),
                       firmware_prelude=("show" if options.verbose else "hide") if options.firmware else "",
                       gdb_wait=options.gdb_wait, expects_program="program" in append.split())
