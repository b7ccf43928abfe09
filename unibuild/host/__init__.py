"""The host: what it offers (probe.py: architecture, KVM, the vGIC, QEMU) and the `doctor`
report of it."""

from .probe import (KVM_DEVICE, QEMU_BINARY, QEMU_PACKAGE, TARGET_ARCH, VGIC_UNKNOWN, HostInfo, KvmStatus,
                    Qemu, VgicSupport, find_qemu, host_arch, kvm_status, probe_host, probe_vgic)

__all__ = ["KVM_DEVICE", "QEMU_BINARY", "QEMU_PACKAGE", "TARGET_ARCH", "VGIC_UNKNOWN", "HostInfo", "KvmStatus",
           "Qemu", "VgicSupport", "find_qemu", "host_arch", "kvm_status", "probe_host", "probe_vgic"]
