"""bench/linux_guest (the Linux reference guest of bench/web.py): the pure parts that decide
what the comparison compares — the QEMU argv taken from the launcher, and the module load order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from unibuild.host.probe import HostInfo, KvmStatus
from unibuild.launch.network import net_options, nic_args, slirp_netdev
from unibuild.launch.qemu_cmdline import LaunchOptions, build_command
from unibuild.paths import PROJECT_ROOT
from unibuild.platform import load_platform

sys.path.insert(0, str(PROJECT_ROOT / "bench" / "linux_guest"))
import debian_kernel  # noqa: E402
import run as linux_guest_run  # noqa: E402

X86 = HostInfo("x86_64", KvmStatus(False, "host is x86_64"))


def test_linux_gets_the_launchers_machine_and_nic_without_its_run_controls():
    net = net_options("user", "slirp", ["8081:8080"])
    nic = nic_args(slirp_netdev(net), None)
    launcher = build_command(load_platform("virt"), Path("/k/Image"), LaunchOptions(net=net), X86,
                             Path("/q/qmp.sock"), network=nic).argv
    append = linux_guest_run.linux_append(net, "websrv-static", ["8080"], False, False, [])
    argv = linux_guest_run.qemu_argv(launcher, Path("/t/initrd.gz"), append, [])

    for dropped in ("-S", "-no-shutdown", "-qmp", "unix:/q/qmp.sock,server=on,wait=off"):
        assert dropped not in argv
    kept = [w for w in launcher if w not in ("-S", "-no-shutdown", "-qmp") and not w.startswith("unix:/q/")]
    assert argv[:len(kept)] == kept          # the same machine, -cpu, -m, -smp, accelerator, NIC
    assert all(word in argv for word in nic)
    assert argv[len(kept):] == ["-initrd", "/t/initrd.gz", "-append", append]
    assert append.endswith(" -- /websrv-static 8080")
    assert "netaddr=10.0.2.15/24" in append.split() and "netgw=10.0.2.2" in append.split()


def _module(directory: Path, name: str, depends: str) -> None:
    """A relocatable aarch64 object with a .modinfo section, as modpost writes one."""
    source = directory / f"{name}.c"
    source.write_text(f'__attribute__((section(".modinfo"), used)) static const char info[] = '
                      f'"license=GPL\\0depends={depends}\\0name={name}";\n')
    subprocess.run(["aarch64-linux-gnu-gcc", "-c", "-o", str(directory / f"{name}.ko"), str(source)], check=True)


def test_modules_load_after_their_dependencies(tmp_path):
    kernel = tmp_path / "lib/modules/6.1.0-test-arm64/kernel/drivers"
    (kernel / "net").mkdir(parents=True)
    (kernel / "virtio").mkdir(parents=True)
    _module(kernel / "virtio", "virtio_pci_modern_dev", "")
    _module(kernel / "virtio", "virtio_pci", "virtio_pci_modern_dev")
    _module(kernel / "net", "failover", "")
    _module(kernel / "net", "net_failover", "failover")
    _module(kernel / "net", "virtio_net", "net_failover")

    order = [ko.stem for ko in debian_kernel.module_load_order(tmp_path, ("virtio_pci", "virtio_net"))]
    assert order == ["virtio_pci_modern_dev", "virtio_pci", "failover", "net_failover", "virtio_net"]

    with pytest.raises(RuntimeError, match="virtio_blk"):
        debian_kernel.module_load_order(tmp_path, ("virtio_blk",))
