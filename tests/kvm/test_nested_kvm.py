"""Our kernel under real KVM: Debian's arm64 Linux (L1) booted under this machine's QEMU with
virtualization=on, running `qemu-system-aarch64 -accel kvm` with the command line unibuild's
launcher builds for `--accel kvm` (tests/kvm/l1_host.py, docs/kvm-testing.md).

Four L1 machines, one outer boot each running every inner program in turn: GICv2 and GICv3,
KVM in nVHE mode (Cortex-A72, as on a Raspberry Pi 4) and in VHE mode (max). Each inner exit
status comes back through `info registers` and is decoded by qemu_run's own decoder, so these
tests fail if the exit report does not survive Linux's KVM PSCI handler. One inner run is at
--smp 2: PSCI CPU_ON through KVM, the vGIC's SGIs between the vCPUs, a busy thread per vCPU.
"""

from __future__ import annotations

import io
import re
import subprocess

import pytest

import l1_host
from lib.guest import CC, GUEST_SOURCES, TARGET_ROOT, UNIBUILD, sections
from unibuild.kernel import build_platform_kernel
from unibuild.paths import PROJECT_ROOT

pytestmark = [pytest.mark.boot, pytest.mark.kvm]

CONFIGS = [("2", "nvhe"), ("3", "nvhe"), ("2", "vhe"), ("3", "vhe")]
WEB_REQUESTS = 3
WEB_PORT = 8080
SMP_MODE = "kvm"      # tests/boot/guest/smp.c: info, pingpong, signal, busy, exit 3 from CPU 1
# L1 reaches its init in 2-4 s and each inner run takes 1-13 s here; this only bounds a hang.
OUTER_TIMEOUT = 300


def _image(out, name: str, *program: str, kopts=()):
    image = out / f"{name}.img"
    kopt_args = [a for k in kopts for a in ("--kopt", k)]
    subprocess.run([*UNIBUILD, "build", "-o", str(image), "--target-root", str(TARGET_ROOT),
                    *kopt_args, *program], check=True, stdout=subprocess.DEVNULL)
    return image


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    """Everything the outer boots share: L1's base (cached in build/kvm-l1), the runner, our
    kernel and the inner images."""
    out = tmp_path_factory.mktemp("kvm")
    base = l1_host.build_base()
    runner = l1_host.build_runner(out)
    kernel = build_platform_kernel("virt", out=io.StringIO()).image
    for example in ("hello", "websrv"):
        subprocess.run(["make", "-s", "-C", str(PROJECT_ROOT / "examples" / example)], check=True)
    subprocess.run([*UNIBUILD, "target-root", "create", str(TARGET_ROOT)], check=True,
                   stdout=subprocess.DEVNULL)
    exit_as = out / "exit_as"
    subprocess.run([CC, "-O2", "-Wall", "-Werror", "-static", "-o", str(exit_as),
                    str(PROJECT_ROOT / "tests/kvm/exit_as.c")], check=True)
    smp = out / "smp"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-pthread", "-o", str(smp), str(GUEST_SOURCES / "smp.c")],
                   check=True)
    examples = PROJECT_ROOT / "build/examples"
    runs = [
        # verbose (here and for websrv): the boot diagnostics say which GIC and which interrupt
        # delivery each virtio device got under KVM.
        l1_host.InnerRun("hello", _image(out, "hello", str(examples / "hello/hello"), "under", "kvm"),
                         verbose=True),
        l1_host.InnerRun("exit7", _image(out, "exit7", str(exit_as), "7")),
        l1_host.InnerRun("segv", _image(out, "segv", str(exit_as), "segv")),
        l1_host.InnerRun("websrv", _image(out, "websrv", str(examples / "websrv/websrv-static"),
                                          str(WEB_PORT), str(WEB_REQUESTS), kopts=("profile",)),
                         http=(WEB_PORT, WEB_REQUESTS, "/"), verbose=True),
        # verbose: every CPU reports in. smp.c's kvm mode ends with exit(3) from CPU 1.
        l1_host.InnerRun("smp2", _image(out, "smp2", str(smp), SMP_MODE), smp=2, verbose=True),
    ]
    return base, runner, kernel, runs, out, smp


@pytest.fixture(scope="module", params=CONFIGS, ids=[f"gic{g}-{m}" for g, m in CONFIGS])
def l1(request, parts):
    base, runner, kernel, runs, out, _ = parts
    gic, mode = request.param
    return l1_host.boot_l1(base, kernel, runner, runs, gic, mode, out, timeout=OUTER_TIMEOUT)


def finished(l1, short: str):
    """The run's outcome, which must be a SHUTDOWN with a decoded report."""
    assert not l1.timed_out, f"L1 ({l1.config}) did not finish in {OUTER_TIMEOUT} s:\n{l1.console}"
    run = l1.run(short)
    assert run.outcome == "shutdown" and run.result is not None, run.describe()
    assert run.result.shutdown_reason == "guest-shutdown", run.describe()
    return run


def test_l1_has_a_usable_dev_kvm_and_runs_everything(l1):
    assert f"@@kvm l1-ready {len(l1.argvs)} runs, /dev/kvm usable" in l1.console, l1.console
    assert "@@kvm done" in l1.console, l1.console
    for argv in l1.argvs.values():
        # The inner QEMU got unibuild's KVM launch: KVM, the host's CPU and GIC.
        assert argv[argv.index("-accel") + 1] == "kvm"
        assert argv[argv.index("-cpu") + 1] == "host"
        assert "gic-version=host" in argv[argv.index("-machine") + 1]


def test_dynamic_hello_runs_and_exits_zero(l1):
    run = finished(l1, "hello")
    assert (run.result.status, run.result.kind) == (0, "program"), run.describe()
    assert run.streams.get("stdout") == "hello world!\nargs:\n  under\n  kvm\n", run.describe()


def test_kernel_sees_the_gic_the_outer_machine_has(l1):
    run = finished(l1, "hello")
    gic = [line for line in run.streams.get("kernel", "").splitlines() if line.startswith("gic: ")]
    assert gic and gic[0].startswith(f"gic: v{l1.gic} "), run.describe()


def test_exit_status_7_survives_kvm(l1):
    run = finished(l1, "exit7")
    assert (run.result.status, run.result.kind, run.result.error) == (7, "program", None), run.describe()


def test_program_killed_by_sigsegv_is_139(l1):
    run = finished(l1, "segv")
    assert run.result.status == 139, run.describe()
    assert "segfault at 0x0 pc " in run.streams.get("kernel", ""), run.describe()


def test_web_server_answers_requests_from_l1(l1):
    run = finished(l1, "websrv")
    assert run.result.status == 0, run.describe()
    answers = run.http.decode(errors="replace")
    assert answers.count("HTTP/1.1 200 OK\r\n") == WEB_REQUESTS, run.describe()
    assert answers.count("<h1>Hello from websrv</h1>") == WEB_REQUESTS, run.describe()
    assert f"websrv: served {WEB_REQUESTS} requests" in run.streams.get("stdout", ""), run.describe()
    assert re.search(r"^profile: \d+ interrupts", run.streams.get("kernel", ""), re.M), run.describe()


DELIVERY = re.compile(r"^(virtio-\w+): [0-9a-f]{2}:[0-9a-f]{2}\.[0-7] (intx|msi-x \((\w+)\), \d+ vectors)$", re.M)


def test_virtio_devices_get_msi_x_under_kvm(l1):
    """Under KVM both GICs offer MSIs (QEMU's GICv2m frame with v2, the in-kernel ITS with v3),
    so each virtio device must report MSI-X through that controller (the `--verbose` delivery
    line, docs/host-kernel-contract.md). A kernel that prints no delivery lines (before MSI-X
    support) has nothing to check here."""
    found = {}
    for short in ("hello", "websrv"):
        run = finished(l1, short)
        for device, delivery, controller in DELIVERY.findall(run.streams.get("kernel", "")):
            found[device] = (delivery, controller, run)
    if not found:
        pytest.skip("this kernel prints no virtio delivery lines")
    want = "v2m" if l1.gic == "2" else "its"
    for device, (delivery, controller, run) in found.items():
        assert controller == want, f"{device}: {delivery}, not msi-x ({want})\n{run.describe()}"
    assert set(found) == {"virtio-blk", "virtio-net"}, found


def test_smp2_brings_up_both_vcpus_and_busy_threads_use_both(l1):
    """--smp 2 under KVM: the second vCPU starts through KVM's PSCI CPU_ON, takes the vGIC's
    SGIs (futex wake-ups, a signal to a thread spinning on it), runs one of two busy threads,
    and the exit report comes back from the vCPU whose thread called exit (CPU 1)."""
    run = finished(l1, "smp2")
    argv = l1.argvs[next(n for n in l1.argvs if n.endswith("-smp2"))]
    assert argv[argv.index("-smp") + 1] == "2"
    kernel = run.streams.get("kernel", "")
    online = re.findall(r"^smp: cpu (\d+) \(mpidr (0x[0-9a-f]+)\) online", kernel, re.M)
    assert [int(n) for n, _ in online] == [0, 1], run.describe()
    assert "smp: 2 of 2 cpus online" in kernel, run.describe()
    assert (run.result.kind, run.result.error) == ("program", None), run.describe()
    busy = sections(run.streams.get("stdout", "")).get("4", "")
    cpus = [set(map(int, re.findall(r"\d+", l.split("cpus", 1)[1])))
            for l in busy.splitlines() if l.startswith("thread ")]
    assert len(cpus) == 2 and all(cpus) and set().union(*cpus) == {0, 1}, run.describe()


@pytest.fixture(scope="module")
def smp_linux(parts):
    """Linux's exit status and output for the smp2 run (qemu-aarch64-static on this host),
    which speak for --smp 2 only where this host has 2 CPUs."""
    linux = subprocess.run(["qemu-aarch64-static", str(parts[-1]), SMP_MODE], capture_output=True,
                           text=True, timeout=60)
    if "get_nprocs 2\n" not in linux.stdout:
        pytest.skip("the Linux oracle speaks for 2 CPUs only on a 2-CPU host")
    return linux.returncode, sections(linux.stdout)


def test_smp2_exit_status_from_cpu_1_matches_linux(l1, smp_linux):
    run = finished(l1, "smp2")
    assert run.result.status == smp_linux[0], run.describe()


@pytest.mark.parametrize("section", ["1", "2", "3", "5"], ids=["info", "pingpong", "signal", "exit"])
def test_smp2_under_kvm_matches_linux(l1, smp_linux, section):
    run = finished(l1, "smp2")
    assert sections(run.streams.get("stdout", "")).get(section) == smp_linux[1][section], run.describe()
