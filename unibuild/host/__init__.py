"""The host: what it offers (probe.py: architecture, KVM, QEMU) and the `doctor` report of it."""

from .probe import (KVM_DEVICE, QEMU_BINARY, QEMU_PACKAGE, TARGET_ARCH, HostInfo, KvmStatus, Qemu,
                    find_qemu, host_arch, kvm_status, probe_host)

__all__ = ["KVM_DEVICE", "QEMU_BINARY", "QEMU_PACKAGE", "TARGET_ARCH", "HostInfo", "KvmStatus", "Qemu",
           "find_qemu", "host_arch", "kvm_status", "probe_host"]
