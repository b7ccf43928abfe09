"""Launch option resolution and the QEMU command line (pure; QEMU is not started here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from unibuild.errors import UserError
from unibuild.host import probe
from unibuild.host.probe import HostInfo, KvmStatus, kvm_status
from unibuild.launch.qemu_cmdline import (
    LaunchOptions,
    build_command,
    parse_memory,
    resolve_accel,
    resolve_cpu,
    resolve_gic,
)
from unibuild.platform import load_platform
from unibuild.launch.qemu_run import ExitReport, parse_exit_report, result_from_report

X86 = HostInfo("x86_64", KvmStatus(False, "host is x86_64, KVM needs an aarch64 host"))
ARM_KVM = HostInfo("aarch64", KvmStatus(True, "/dev/kvm usable"))
ARM_NO_KVM = HostInfo("aarch64", KvmStatus(False, "/dev/kvm does not exist"))
SOCK = Path("/tmp/unibuild-test/qmp.sock")


@pytest.fixture(scope="module")
def virt():
    return load_platform("virt")


def option_value(argv: list[str], flag: str) -> str:
    assert argv.count(flag) == 1, f"{flag} should appear exactly once in {argv}"
    return argv[argv.index(flag) + 1]


# --- accelerator -------------------------------------------------------------------------

def test_auto_accel_is_tcg_on_an_x86_host():
    assert resolve_accel("auto", X86) == "tcg"


def test_auto_accel_is_kvm_on_an_aarch64_host_with_usable_kvm():
    assert resolve_accel("auto", ARM_KVM) == "kvm"


def test_auto_accel_falls_back_to_tcg_on_an_aarch64_host_without_kvm():
    assert resolve_accel("auto", ARM_NO_KVM) == "tcg"


def test_kvm_requested_on_an_x86_host_is_an_error_saying_why():
    with pytest.raises(UserError, match="--accel kvm is not possible here: host is x86_64"):
        resolve_accel("kvm", X86)


def test_tcg_can_be_forced_on_a_kvm_host():
    assert resolve_accel("tcg", ARM_KVM) == "tcg"


def test_kvm_is_unusable_on_a_non_aarch64_host_whatever_devices_exist(tmp_path):
    device = tmp_path / "kvm"
    device.touch()
    status = kvm_status("x86_64", str(device))
    assert not status.usable and "x86_64" in status.reason


def test_kvm_is_unusable_without_the_device_node(tmp_path):
    status = kvm_status("aarch64", str(tmp_path / "kvm"))
    assert not status.usable and "does not exist" in status.reason


def test_kvm_is_unusable_without_permission_on_the_device(tmp_path, monkeypatch):
    device = tmp_path / "kvm"
    device.touch()
    # root may open anything, so stand in for an unprivileged user's access() answer
    monkeypatch.setattr(probe.os, "access", lambda path, mode: False)
    status = kvm_status("aarch64", str(device))
    assert not status.usable and "permission" in status.reason


def test_kvm_is_usable_on_aarch64_with_an_accessible_device(tmp_path):
    device = tmp_path / "kvm"
    device.touch()
    assert kvm_status("aarch64", str(device)).usable


# --- GIC ----------------------------------------------------------------------------------

def test_auto_gic_is_the_hosts_under_kvm_and_v3_under_tcg(virt):
    assert resolve_gic("auto", "kvm", 1, virt) == "host"
    assert resolve_gic("auto", "tcg", 1, virt) == "3"


def test_gic_version_2_can_be_chosen(virt):
    assert resolve_gic("2", "tcg", 4, virt) == "2"


def test_unknown_gic_version_is_an_error_listing_the_choices(virt):
    with pytest.raises(UserError, match="unknown GIC version '5'; choose one of auto, 2, 3"):
        resolve_gic("5", "tcg", 1, virt)


def test_gicv2_with_more_than_eight_cpus_is_an_error(virt):
    with pytest.raises(UserError, match="GICv2 supports at most 8 CPUs"):
        resolve_gic("2", "tcg", 9, virt)


# --- CPU ----------------------------------------------------------------------------------

def test_default_cpu_is_max_under_tcg_and_host_under_kvm(virt):
    assert resolve_cpu(None, "tcg", virt) == "max"
    assert resolve_cpu(None, "kvm", virt) == "host"


def test_cortex_a72_can_be_selected(virt):
    assert resolve_cpu("cortex-a72", "tcg", virt) == "cortex-a72"


def test_unknown_cpu_model_is_an_error_listing_the_known_ones(virt):
    with pytest.raises(UserError, match="unknown CPU model 'cortex-a99'.*cortex-a72"):
        resolve_cpu("cortex-a99", "tcg", virt)


def test_host_cpu_under_tcg_is_an_error(virt):
    with pytest.raises(UserError, match="--cpu host needs KVM"):
        resolve_cpu("host", "tcg", virt)


# --- memory -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, mib",
    [("1024", 1024), ("512M", 512), ("1G", 1024), ("2GiB", 2048), ("256MB", 256), ("3g", 3072)],
)
def test_memory_sizes_are_read_like_qemu_reads_m(text, mib):
    assert parse_memory(text) == mib


@pytest.mark.parametrize("text", ["lots", "1T", "-5", "1.5G", ""])
def test_unreadable_memory_size_is_an_error(text):
    with pytest.raises(UserError, match="bad memory size"):
        parse_memory(text)


def test_tiny_memory_size_is_an_error():
    with pytest.raises(UserError, match="too small; the guest needs at least 8 MiB"):
        parse_memory("7")
    assert parse_memory("8M") == 8


# --- the command line ---------------------------------------------------------------------

def test_default_tcg_command_line(virt):
    cmd = build_command(virt, Path("/k/Image"), LaunchOptions(), X86, SOCK)
    argv = cmd.argv
    assert argv[0] == "qemu-system-aarch64"
    assert option_value(argv, "-machine") == "virt,gic-version=3,acpi=off"
    assert option_value(argv, "-accel") == "tcg,thread=multi"   # MTTCG: a host thread per vCPU
    assert option_value(argv, "-cpu") == "max"
    assert option_value(argv, "-m") == "1024M"
    assert option_value(argv, "-smp") == "1"
    assert option_value(argv, "-kernel") == "/k/Image"
    assert option_value(argv, "-nic") == "none"
    assert option_value(argv, "-display") == "none"
    assert option_value(argv, "-qmp") == f"unix:{SOCK},server=on,wait=off"
    assert option_value(argv, "-serial") == "chardev:console"
    assert "signal=off" in option_value(argv, "-chardev")
    for flag in ("-S", "-no-shutdown", "-no-reboot"):
        assert flag in argv
    assert option_value(argv, "-append") == "pci=off"   # no device on PCI: the kernel skips the bridge


def test_kvm_command_line_passes_the_host_gic_and_cpu_through(virt):
    cmd = build_command(virt, Path("/k/Image"), LaunchOptions(), ARM_KVM, SOCK)
    assert option_value(cmd.argv, "-machine") == "virt,gic-version=host,acpi=off"
    assert option_value(cmd.argv, "-accel") == "kvm"
    assert option_value(cmd.argv, "-cpu") == "host"


def test_el2_turns_on_the_virtualization_extensions(virt):
    cmd = build_command(virt, Path("/k/Image"), LaunchOptions(el2=True, gic="2"), X86, SOCK)
    assert option_value(cmd.argv, "-machine") == "virt,gic-version=2,virtualization=on,acpi=off"


def test_el2_under_kvm_is_an_error(virt):
    with pytest.raises(UserError, match="--el2 needs TCG"):
        build_command(virt, Path("/k/Image"), LaunchOptions(el2=True), ARM_KVM, SOCK)


def test_verbose_and_appended_arguments_reach_the_kernel_command_line(virt):
    options = LaunchOptions(append=("exit=3", "foo=bar"), verbose=True)
    cmd = build_command(virt, Path("/k/Image"), options, X86, SOCK)
    assert option_value(cmd.argv, "-append") == "exit=3 foo=bar verbose pci=off"


def test_memory_smp_and_cpu_options_reach_qemu(virt):
    options = LaunchOptions(memory="2G", smp=4, cpu="cortex-a72")
    cmd = build_command(virt, Path("/k/Image"), options, X86, SOCK)
    assert option_value(cmd.argv, "-m") == "2048M"
    assert option_value(cmd.argv, "-smp") == "4"
    assert option_value(cmd.argv, "-cpu") == "cortex-a72"
    assert (cmd.memory_mib, cmd.smp, cmd.cpu) == (2048, 4, "cortex-a72")


def test_zero_cpus_is_an_error(virt):
    with pytest.raises(UserError, match="--smp must be at least 1"):
        build_command(virt, Path("/k/Image"), LaunchOptions(smp=0), X86, SOCK)


def test_non_positive_timeout_is_an_error(virt):
    with pytest.raises(UserError, match="--timeout must be a positive"):
        build_command(virt, Path("/k/Image"), LaunchOptions(timeout=0), X86, SOCK)


# --- reading the exit report (text captured from QEMU 7.2 `info registers`) ----------------

ONE_CPU = """
CPU#0
 PC=000000004008006c X00=0000000084000008 X01=00000000554e4942
X02=000000000000002a X03=0000000000000001 X04=0000000040080000
X29=0000000000000000 X30=0000000000000000  SP=0000000000000000
PSTATE=400003c5 -Z-- EL1h  SVCR=00000000 --  BTYPE=0    FPU disabled
"""

TWO_CPUS = """
CPU#0
 PC=0000000040080070 X00=0000000000000000 X01=0000000011111111
X02=0000000040080078 X03=0000000000000000 X04=0000000040080000
CPU#1
 PC=000000004008008c X00=0000000084000008 X01=00000000554e4942
X02=0000000000000007 X03=0000000000000000 X04=0000000000000000
"""


def test_exit_report_is_read_from_x1_x2_x3():
    assert parse_exit_report(ONE_CPU) == ExitReport(cpu=0, status=42, kind=1)


def test_exit_report_comes_from_the_cpu_holding_the_magic_not_cpu0():
    assert parse_exit_report(TWO_CPUS) == ExitReport(cpu=1, status=7, kind=0)


def test_registers_without_the_magic_give_no_report():
    assert parse_exit_report(ONE_CPU.replace("554e4942", "00000000")) is None


def test_program_exit_status_becomes_ours_without_a_message():
    r = result_from_report(ExitReport(0, 3, 0), "", "guest-shutdown")
    assert (r.status, r.kind, r.error) == (3, "program", None)


def test_kernel_error_keeps_its_status_and_says_see_console():
    r = result_from_report(ExitReport(0, 70, 1), "", "guest-shutdown")
    assert (r.status, r.kind) == (70, "kernel-error")
    assert r.error == "kernel error (see console)"


def test_kernel_error_with_status_zero_still_fails():
    assert result_from_report(ExitReport(0, 0, 1), "", "guest-shutdown").status != 0


def test_missing_report_is_status_125():
    r = result_from_report(None, "", "guest-shutdown")
    assert r.status == 125 and "without reporting" in r.error


def test_a_boot_that_ran_no_program_keeps_its_status_unless_a_program_was_expected():
    r = result_from_report(ExitReport(0, 3, 2), "", "guest-shutdown")
    assert (r.status, r.kind, r.error) == (3, "boot", None)   # exit=3, or the smoke test's 0
    r = result_from_report(ExitReport(0, 0, 2), "", "guest-shutdown", expects_program=True)
    assert (r.status, r.kind) == (125, None)
    assert "\n" not in r.error and "without starting the program" in r.error


def test_the_kernel_is_told_to_expect_a_program_only_when_an_image_should_run_one(virt):
    def append(**options):
        cmd = build_command(virt, Path("/k/Image"), LaunchOptions(gic="3", **options), X86, SOCK)
        return option_value(cmd.argv, "-append").split(), cmd.expects_program

    # (the disk on virtio-mmio, no NIC: nothing on PCI, hence pci=off)
    assert append(disk=Path("/i.tfs")) == (["quiet", "program", "console=mux", "pci=off"], True)
    assert append(disk=Path("/i.tfs"), verbose=True) == (["verbose", "program", "console=mux", "pci=off"], True)
    # The test hooks that replace the program, and the smoke test without an image, expect none.
    assert append(disk=Path("/i.tfs"), append=("exit=0",))[1] is False
    assert append(disk=Path("/i.tfs"), append=("blktest",))[1] is False
    assert append(append=("verbose",)) == (["verbose", "pci=off"], False)


def test_unknown_kind_is_status_125():
    r = result_from_report(ExitReport(0, 0, 9), "", "guest-shutdown")
    assert r.status == 125 and "unknown exit kind 9" in r.error


def test_machine_options_are_appended_to_the_machine_property_list(virt):
    cmd = build_command(virt, Path("/k/Image"), LaunchOptions(gic="3", machine_options=("its=off",)), X86, SOCK)
    assert option_value(cmd.argv, "-machine") == "virt,gic-version=3,its=off,acpi=off"


def test_a_machine_option_smuggling_a_comma_is_an_error(virt):
    with pytest.raises(UserError, match="one KEY=VALUE without commas"):
        build_command(virt, Path("/k/Image"), LaunchOptions(machine_options=("its=off,x=y",)), X86, SOCK)


def test_gdb_opens_the_gdbstub_on_loopback_and_gdb_wait_keeps_the_guest_paused(virt):
    cmd = build_command(virt, Path("/k/Image"), LaunchOptions(gdb_port=4321, gdb_wait=True), X86, SOCK)
    assert option_value(cmd.argv, "-gdb") == "tcp:127.0.0.1:4321"
    assert "-S" in cmd.argv and cmd.gdb_wait
    plain = build_command(virt, Path("/k/Image"), LaunchOptions(), X86, SOCK)
    assert "-gdb" not in plain.argv and not plain.gdb_wait


@pytest.mark.parametrize("options, words", [
    (LaunchOptions(gdb_wait=True), ("--gdb-wait", "add --gdb")),
    (LaunchOptions(gdb_port=70000), ("--gdb", "70000")),
])
def test_gdb_options_that_cannot_work_are_one_line(virt, options, words):
    with pytest.raises(UserError) as e:
        build_command(virt, Path("/k/Image"), options, X86, SOCK)
    assert all(w in str(e.value) for w in words)
