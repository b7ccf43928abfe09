"""The launcher against real QEMU (TCG) booting tiny fixture images (tests/fixtures/tiny_image.S).

The fixture does exactly what the contract asks of the kernel, so these tests pin the host side
of docs/host-kernel-contract.md before the real kernel exists. Each boot takes well under a second.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time

import pytest

from unibuild.errors import UserError
from unibuild.platform import load_platform
from unibuild.launch import LaunchOptions, boot

BANNER = "unibuild kernel fixture\n"


def processes_mentioning(text: str) -> list[int]:
    """PIDs whose command line contains `text` (from /proc: procps is not on a minimal system)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if text.encode() in f.read():
                        pids.append(int(entry))
            except OSError:
                pass  # exited while we looked
    return pids


@pytest.fixture(scope="module")
def virt():
    return load_platform("virt")


def test_reported_status_becomes_the_exit_status(virt, tiny_image):
    r = boot(virt, tiny_image("STATUS=42"), LaunchOptions(accel="tcg", timeout=30))
    assert (r.status, r.kind, r.error, r.timed_out) == (42, "program", None, False)
    assert r.shutdown_reason == "guest-shutdown"


def test_console_output_is_captured_and_echoed_byte_for_byte(virt, tiny_image):
    sink = io.BytesIO()
    r = boot(virt, tiny_image("STATUS=0"), LaunchOptions(accel="tcg", timeout=30), echo=sink)
    assert r.console == BANNER
    assert sink.getvalue() == BANNER.encode()
    assert [line for _, line in r.line_times] == [BANNER.strip()]


def test_kernel_error_kind_gives_its_status_and_a_see_console_message(virt, tiny_image):
    r = boot(virt, tiny_image("STATUS=70", "KIND=1"), LaunchOptions(accel="tcg", timeout=30))
    assert (r.status, r.kind) == (70, "kernel-error")
    assert r.error == "kernel error (see console)"


def test_power_off_without_magic_is_status_125(virt, tiny_image):
    r = boot(virt, tiny_image("NO_MAGIC"), LaunchOptions(accel="tcg", timeout=30))
    assert r.status == 125 and r.kind is None
    assert "without reporting an exit status" in r.error


def test_a_hanging_guest_is_stopped_after_the_timeout_with_status_124(virt, tiny_image):
    start = time.monotonic()
    r = boot(virt, tiny_image("HANG"), LaunchOptions(accel="tcg", timeout=1))
    elapsed = time.monotonic() - start
    assert (r.status, r.timed_out) == (124, True)
    assert r.error == "timed out after 1 s"
    assert r.console == BANNER  # output before the timeout is kept
    assert 1 <= elapsed < 10


def test_guest_entered_at_el2_reports_through_smc(virt, tiny_image):
    # With virtualization=on QEMU's PSCI conduit is smc; an hvc would not reach PSCI.
    r = boot(virt, tiny_image("STATUS=9", "CONDUIT_SMC"), LaunchOptions(accel="tcg", el2=True, timeout=30))
    assert r.status == 9


def test_status_is_read_from_whichever_cpu_powered_off(virt, tiny_image):
    image = tiny_image("STATUS=7", "SECONDARY_REPORTS")
    r = boot(virt, image, LaunchOptions(accel="tcg", smp=2, timeout=30))
    assert (r.status, r.kind) == (7, "program")


def test_gicv2_and_cortex_a72_boot(virt, tiny_image):
    r = boot(virt, tiny_image("STATUS=5"), LaunchOptions(accel="tcg", gic="2", cpu="cortex-a72", timeout=30))
    assert r.status == 5


def test_qemu_refusing_to_start_is_one_line_with_its_own_reason(virt, tiny_image):
    # virt under QEMU 7.2 models at most 512 CPUs; QEMU itself says so and exits.
    with pytest.raises(UserError) as e:
        boot(virt, tiny_image("STATUS=0"), LaunchOptions(accel="tcg", smp=600, timeout=30))
    message = str(e.value)
    assert message.startswith("QEMU failed to start: ") and "512" in message
    assert "\n" not in message


def test_missing_kernel_image_is_an_error(virt, tmp_path):
    with pytest.raises(UserError, match="kernel image .*nope.* not found"):
        boot(virt, tmp_path / "nope", LaunchOptions(timeout=5))


def test_ctrl_c_stops_the_guest_and_exits_130(tiny_image, tmp_path):
    # Like a terminal's Ctrl-C: SIGINT to the whole foreground process group of `unibuild boot`.
    image = tiny_image("HANG")
    code = "from unibuild.cli import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "boot", "--kernel", str(image), "--accel", "tcg", "--timeout", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        # Wait for the guest's banner so QEMU is up and resumed before we interrupt.
        first = proc.stdout.readline()
        assert first == BANNER
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert err.strip() == "unibuild: interrupted; guest stopped"
    assert "Traceback" not in err
    # QEMU was in its own session, so it did not see the SIGINT; we stopped it via QMP.
    assert not processes_mentioning(str(image))


def test_boot_command_exits_with_the_guests_status(tiny_image, run_cli):
    r = run_cli("boot", "--kernel", str(tiny_image("STATUS=3")), "--accel", "tcg", "--timeout", "30")
    assert r.returncode == 3
    assert r.stdout == BANNER
    assert r.stderr == ""


def test_boot_command_reports_a_kernel_error_in_one_line(tiny_image, run_cli):
    r = run_cli("boot", "--kernel", str(tiny_image("STATUS=70", "KIND=1")), "--timeout", "30")
    assert r.returncode == 70
    assert r.stderr == "unibuild: kernel error (see console)\n"


def test_boot_command_timeout_exits_124(tiny_image, run_cli):
    r = run_cli("boot", "--kernel", str(tiny_image("HANG")), "--timeout", "1")
    assert r.returncode == 124
    assert r.stderr == "unibuild: timed out after 1 s\n"


def test_a_multi_line_qemu_error_is_shown_whole_on_one_line():
    # QEMU's own two-line complaint (the reason, then what it accepts): both parts are kept.
    from unibuild.launch.qemu_run import qemu_error_line
    stderr = subprocess.run(["qemu-system-aarch64", "-M", "virt,gic-version=9", "-display", "none"],
                            capture_output=True, text=True, timeout=30).stderr
    assert len([l for l in stderr.splitlines() if l.strip()]) >= 2, stderr
    message = qemu_error_line(stderr)
    assert "\n" not in message and not message.startswith("qemu-system")
    assert "Invalid gic-version value" in message and "Valid values are" in message
