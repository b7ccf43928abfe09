"""The machine an export describes, from the launch options: resolved as for a local boot, except
that an export runs on another host, an arm64 one with KVM unless `--accel tcg` says otherwise."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..launch.manual import plain_kernel_args
from ..launch.qemu_cmdline import LaunchOptions, apply_profile, parse_memory, resolve_smp
from ..platform import Platform
from ..errors import UserError


@dataclass(frozen=True)
class Machine:
    kvm: bool                 # KVM on the target host (else TCG)
    gic: str                  # "2", "3", or "host" (KVM: the host's vGIC)
    cpu: str                  # "host" under KVM, else a QEMU model name ("max", "cortex-a72")
    memory_mib: int
    smp: int
    cmdline: str              # the kernel's arguments
    ports: tuple              # the forwards of -p (network.Forward)
    net: bool                 # a NIC at all


def machine_for(platform: Platform, options: LaunchOptions) -> Machine:
    options, _ = apply_profile(options, platform)
    if options.el2:
        raise UserError("--el2 cannot be exported (it is a TCG test setting)")
    if options.virtio_transport == "mmio":   # auto describes every device on PCI, as a firmware boot has it
        raise UserError("exports describe virtio-pci devices; --virtio-transport mmio cannot be exported")
    kvm = options.accel != "tcg"
    cpu = options.cpu or ("host" if kvm else "max")
    if kvm and cpu not in ("host", "max"):
        raise UserError(f"--cpu {cpu}: under KVM only host (or max) runs; add --accel tcg for a named model")
    gic = options.gic if options.gic != "auto" else ("host" if kvm else "3")
    smp = resolve_smp(options.smp, platform)
    if gic == "2" and smp > 8:
        raise UserError(f"--smp {smp} with a GICv2: at most 8 CPUs")
    net = options.net is not None and options.net.mode != "none"
    return Machine(kvm=kvm, gic=gic, cpu="host" if kvm else cpu,
                   memory_mib=parse_memory(options.memory if options.memory is not None else platform.memory),
                   smp=smp, cmdline=plain_kernel_args(replace(options, disk=options.disk)),
                   ports=tuple(options.net.ports) if net else (), net=net)
