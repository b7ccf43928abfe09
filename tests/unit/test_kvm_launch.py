"""KVM-aware launch on a faked host: which accelerator, CPU model and GIC a guest gets under KVM,
the launch profiles (pi4, cloud), the vGIC probe (KVM_CREATE_DEVICE, the device tree), and what
`unibuild doctor` says on an aarch64 host. No test needs a real aarch64 host or /dev/kvm: the
host is a HostInfo, an ioctl function and a directory."""

from __future__ import annotations

import errno
import json
import os
import struct
from pathlib import Path

import pytest

from unibuild.errors import UserError
from unibuild.host import probe
from unibuild.host.doctor import run_checks
from unibuild.host.probe import HostInfo, KvmStatus, VgicSupport, kvm_status
from unibuild.launch.qemu_cmdline import LaunchOptions, build_command, resolve_gic
from unibuild.platform import load_launch_profiles, load_platform

SOCK = Path("/tmp/unibuild-test/qmp.sock")
KVM_OK = KvmStatus(True, "/dev/kvm usable")
PI4 = HostInfo("aarch64", KVM_OK, VgicSupport(True, False, probe.KVM_SOURCE))           # GIC-400: GICv2 only
CLOUD = HostInfo("aarch64", KVM_OK, VgicSupport(False, True, probe.KVM_SOURCE))         # GICv3, no legacy mode
UNKNOWN_GIC = HostInfo("aarch64", KVM_OK, VgicSupport(None, None, "neither KVM nor a device tree could tell"))
NO_KVM = HostInfo("aarch64", KvmStatus(False, "no permission to open /dev/kvm (join the kvm group)",
                                       probe.KVM_GROUP_FIX))
X86 = HostInfo("x86_64", KvmStatus(False, "host is x86_64, KVM needs an aarch64 host"))


@pytest.fixture(scope="module")
def virt():
    return load_platform("virt")


def command(virt, host, **options):
    return build_command(virt, Path("/k/Image"), LaunchOptions(**options), host, SOCK)


def value(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


# --- accelerator and CPU model ---------------------------------------------------------------

@pytest.mark.parametrize("host, accel", [(PI4, "kvm"), (CLOUD, "kvm"), (NO_KVM, "tcg"), (X86, "tcg")])
def test_auto_accel_picks_kvm_exactly_where_dev_kvm_is_usable(virt, host, accel):
    cmd = command(virt, host)
    assert (cmd.accel, value(cmd.argv, "-accel")) == (accel, "tcg,thread=multi" if accel == "tcg" else accel)
    assert cmd.cpu == ("host" if accel == "kvm" else "max")


@pytest.mark.parametrize("cpu", ["host", "max"])
def test_host_and_max_run_under_kvm(virt, cpu):
    assert value(command(virt, PI4, cpu=cpu).argv, "-cpu") == cpu


@pytest.mark.parametrize("cpu", ["cortex-a72", "cortex-a57", "neoverse-n1"])
def test_a_named_cpu_model_under_kvm_is_one_line_saying_what_to_use(virt, cpu):
    with pytest.raises(UserError) as e:
        command(virt, PI4, cpu=cpu)
    message = str(e.value)
    assert f"--cpu {cpu} cannot run under KVM" in message
    assert "host or max" in message and "--cpu host" in message and "--accel tcg" in message


def test_a_named_cpu_model_still_runs_under_tcg_on_a_kvm_host(virt):
    assert value(command(virt, PI4, accel="tcg", cpu="cortex-a72").argv, "-cpu") == "cortex-a72"


# --- GIC against the host's vGIC ---------------------------------------------------------------

@pytest.mark.parametrize("host, gic, other", [(PI4, "3", "2"), (CLOUD, "2", "3")])
def test_an_explicit_gic_the_host_cannot_emulate_fails_before_qemu(virt, host, gic, other):
    with pytest.raises(UserError) as e:
        command(virt, host, gic=gic)
    message = str(e.value)
    assert f"--gic {gic}: this host's KVM cannot give a guest a GICv{gic}" in message
    assert f"use --gic {other} or --gic auto" in message


@pytest.mark.parametrize("host, gic", [(PI4, "2"), (CLOUD, "3"), (UNKNOWN_GIC, "2"), (UNKNOWN_GIC, "3")])
def test_an_explicit_gic_the_host_has_or_may_have_is_passed_on(virt, host, gic):
    assert f"gic-version={gic}" in value(command(virt, host, gic=gic).argv, "-machine")


def test_auto_gic_under_kvm_is_the_hosts_own(virt):
    assert "gic-version=host" in value(command(virt, CLOUD).argv, "-machine")


def test_the_vgic_is_not_consulted_under_tcg(virt):
    assert resolve_gic("2", "tcg", 1, virt, CLOUD) == "2"


# --- launch profiles ---------------------------------------------------------------------------

def test_pi4_profile_on_a_pi4(virt):
    cmd = command(virt, PI4, profile="pi4")
    assert (cmd.accel, cmd.cpu, cmd.gic, cmd.smp, cmd.memory_mib) == ("kvm", "host", "2", 4, 2048)
    assert value(cmd.argv, "-machine") == "virt,gic-version=2,acpi=off"


def test_cloud_profile_on_a_gicv3_host(virt):
    cmd = command(virt, CLOUD, profile="cloud")
    assert (cmd.accel, cmd.cpu, cmd.gic, cmd.smp) == ("kvm", "host", "3", 4)


def test_the_command_line_wins_over_the_profile(virt):
    cmd = command(virt, PI4, profile="pi4", memory="3G", smp=2)
    assert (cmd.memory_mib, cmd.smp, cmd.gic) == (3072, 2, "2")


def test_pi4_profile_on_a_gicv3_host_names_the_profile(virt):
    with pytest.raises(UserError, match=r"profile pi4 \(--gic 2\): this host's KVM cannot give a guest a GICv2"):
        command(virt, CLOUD, profile="pi4")


@pytest.mark.parametrize("host, why", [(X86, "host is x86_64"), (NO_KVM, "usermod -aG kvm")])
def test_a_kvm_profile_without_kvm_says_why_and_what_to_do(virt, host, why):
    with pytest.raises(UserError) as e:
        command(virt, host, profile="pi4")
    assert "profile pi4 (--accel kvm) is not possible here" in str(e.value) and why in str(e.value)


def test_a_kvm_profile_forced_onto_tcg_names_the_profile_setting_that_needs_kvm(virt):
    with pytest.raises(UserError, match=r"profile pi4 \(--cpu host\) needs KVM"):
        command(virt, PI4, profile="pi4", accel="tcg")


def test_an_unknown_profile_lists_the_known_ones(virt):
    with pytest.raises(UserError, match="unknown launch profile 'pi5' for platform virt; known: cloud, pi4"):
        command(virt, PI4, profile="pi5")


def test_profile_files_are_checked_key_by_key(tmp_path):
    (tmp_path / "bad.toml").write_text('accel = "kvm"\nsmp = "four"\n')
    with pytest.raises(UserError, match=r"bad.toml: smp must be a int, not 'four'"):
        load_launch_profiles(tmp_path)
    (tmp_path / "bad.toml").write_text('colour = "red"\n')
    with pytest.raises(UserError, match="bad.toml: unknown key colour"):
        load_launch_profiles(tmp_path)


# --- /dev/kvm: who may use it -------------------------------------------------------------------

@pytest.mark.parametrize("arch, bits", [("armv7l", 32), ("aarch64", 32)])
def test_a_32_bit_os_is_told_to_install_a_64_bit_one(arch, bits, tmp_path):
    status = kvm_status(arch, str(tmp_path / "kvm"), userland_bits=bits)
    assert not status.usable and "32-bit OS" in status.reason and "(64-bit) or Debian arm64" in status.fix


def test_dev_kvm_without_permission_gets_the_kvm_group_fix(tmp_path, monkeypatch):
    device = tmp_path / "kvm"
    device.touch()
    monkeypatch.setattr(probe.os, "access", lambda path, mode: False)   # root may open anything
    status = kvm_status("aarch64", str(device), userland_bits=64)
    assert not status.usable and "sudo usermod -aG kvm $USER" in status.fix


# --- the vGIC probe -------------------------------------------------------------------------------

class FakeKvm:
    """Answers KVM_CREATE_VM with a real (scratch) fd and KVM_CREATE_DEVICE as a host whose KVM
    can create the device types in `creatable`; records every device request."""

    def __init__(self, tmp_path: Path, creatable: set[int], vm_error: int | None = None):
        self.vm_file = tmp_path / "vm"
        self.vm_file.touch()
        self.creatable, self.vm_error = creatable, vm_error
        self.requests: list[tuple[int, int, int]] = []

    def __call__(self, fd, request, arg):
        if request == probe.KVM_CREATE_VM:
            if self.vm_error:
                raise OSError(self.vm_error, os.strerror(self.vm_error))
            return os.open(self.vm_file, os.O_RDONLY)
        assert request == probe.KVM_CREATE_DEVICE
        device_type, _fd, flags = struct.unpack("=III", bytes(arg))
        self.requests.append((device_type, _fd, flags))
        if device_type not in self.creatable:
            raise OSError(errno.ENODEV, "No such device")
        return 0


def test_kvm_is_asked_with_create_device_test_for_both_gic_versions(tmp_path):
    device = tmp_path / "kvm"
    device.touch()
    fake = FakeKvm(tmp_path, {probe.KVM_DEV_TYPE_ARM_VGIC_V3})
    assert probe.vgic_from_kvm(str(device), fake) == VgicSupport(False, True, probe.KVM_SOURCE)
    assert sorted(fake.requests) == [(5, 0, 1), (7, 0, 1)]   # ARM_VGIC_V2, ARM_VGIC_V3; TEST only


def make_device_tree(root: Path, compatible: bytes) -> Path:
    node = root / "soc" / "interrupt-controller@40041000"
    node.mkdir(parents=True)
    (node / "compatible").write_bytes(compatible)
    (root / "soc" / "compatible").write_bytes(b"simple-bus\0")
    return root


def test_the_device_tree_answers_when_kvm_cannot_be_asked(tmp_path):
    pi = make_device_tree(tmp_path / "pi", b"arm,gic-400\0arm,cortex-a15-gic\0")
    fake = FakeKvm(tmp_path, set(), vm_error=errno.EINVAL)
    assert probe.probe_vgic(str(tmp_path / "kvm"), ioctl=fake, device_tree=pi) == VgicSupport(True, False, probe.DT_SOURCE)
    v3 = make_device_tree(tmp_path / "v3", b"arm,gic-v3\0")
    assert probe.vgic_from_device_tree(v3) == VgicSupport(None, True, probe.DT_SOURCE)


def test_a_host_that_cannot_tell_leaves_the_choice_to_qemu(tmp_path):
    found = probe.probe_vgic(str(tmp_path / "no-kvm"), device_tree=tmp_path / "no-tree")
    assert found.v2 is None and found.v3 is None and "unknown" in found.describe()


# --- doctor on an aarch64 host ---------------------------------------------------------------------

def test_doctor_on_a_pi_shows_kvm_and_the_hosts_gic(fake_bin, tmp_path):
    device = tmp_path / "kvm"
    device.touch()
    rows = {c.name: c for c in run_checks(env=fake_bin.env, arch="aarch64", kvm_device=str(device),
                                          userland_bits=64, vgic_probe=lambda: PI4.vgic)}
    assert rows["kvm"].ok and "usable" in rows["kvm"].value
    assert rows["host GIC"].ok and "GICv2" in rows["host GIC"].value and "--profile pi4" in rows["host GIC"].value


def test_doctor_gives_the_kvm_group_fix_when_dev_kvm_is_not_writable(fake_bin, tmp_path, monkeypatch):
    device = tmp_path / "kvm"
    device.touch()
    monkeypatch.setattr(probe.os, "access", lambda path, mode: False)
    rows = {c.name: c for c in run_checks(env=fake_bin.env, arch="aarch64", kvm_device=str(device),
                                          userland_bits=64)}
    assert not rows["kvm"].ok and "usermod -aG kvm" in rows["kvm"].advice
    assert not rows["host GIC"].ok and "not probed" in rows["host GIC"].value


def test_doctor_on_x86_has_no_gic_row(fake_bin):
    assert "host GIC" not in {c.name for c in run_checks(env=fake_bin.env, arch="x86_64")}


# --- through the command line ---------------------------------------------------------------------

def fake_host(host: HostInfo) -> str:
    """A prelude for run_cli that makes the CLI see `host`."""
    return ("import unibuild.host.probe as h\n"
            f"h.probe_host = lambda: h.HostInfo({host.arch!r}, h.KvmStatus({host.kvm.usable!r}, "
            f"{host.kvm.reason!r}, {host.kvm.fix!r}), h.VgicSupport({host.vgic.v2!r}, {host.vgic.v3!r}, "
            f"{host.vgic.source!r}))")


def one_line(r) -> str:
    assert r.returncode != 0 and "Traceback" not in r.stderr
    [line] = r.stderr.splitlines()
    assert line.startswith("unibuild: ")
    return line


@pytest.mark.parametrize("argv, fragment", [
    (("--profile", "pi4"), "profile pi4 (--gic 2): this host's KVM cannot give a guest a GICv2"),
    (("--accel", "kvm", "--gic", "2"), "--gic 2: this host's KVM cannot give a guest a GICv2"),
    (("--accel", "kvm", "--cpu", "cortex-a72"), "--cpu cortex-a72 cannot run under KVM"),
])
def test_boot_refuses_a_kvm_mismatch_in_one_line_before_qemu_starts(run_cli, tiny_image, argv, fragment):
    r = run_cli("boot", "--kernel", str(tiny_image("STATUS=0")), *argv, prelude=fake_host(CLOUD))
    assert fragment in one_line(r)


def test_run_takes_the_profile_from_the_config_file_and_checks_it_first(run_cli, tmp_path):
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"profile": "pi4"}))
    # The launch options are checked before the program is even looked at.
    line = one_line(run_cli("run", "-c", str(config), "no-such-program", prelude=fake_host(X86)))
    assert "profile pi4 (--accel kvm) is not possible here: host is x86_64" in line
