"""passt and QEMU together, booting the tiny fixture guest (tests/fixtures/tiny_image.S): both are
gone after a run, and the real passt forwards a port while the guest runs."""

from __future__ import annotations

import socket
import subprocess
import threading
import time

import pytest

from lib.fake_passt import pid_alive
from lib.guest import UNIBUILD
from lib.netutil import free_port, needs_real_passt
from unibuild.launch import LaunchOptions, boot
from unibuild.launch.network import NetOptions, PortForward, check_ports_free, net_options
from unibuild.platform import load_platform


@pytest.mark.boot
def test_qemu_connects_to_passt_and_both_are_gone_after_a_timeout(fake_passt, tiny_image):
    r = boot(load_platform("virt"), tiny_image("HANG"),
             LaunchOptions(accel="tcg", timeout=1, net=net_options(ports=(str(free_port()),))))
    assert r.timed_out
    [pid] = fake_passt()
    assert not pid_alive(pid)


@pytest.mark.boot
@needs_real_passt
def test_real_passt_forwards_the_port_while_the_guest_runs_and_releases_it_after(tiny_image, tmp_path):
    port = free_port()
    accepted: list[bool] = []

    def probe():
        # passt listens on 127.0.0.1:port for the guest: the host-side handshake completes.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not accepted:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                accepted.append(True)
            except OSError:
                time.sleep(0.05)

    prober = threading.Thread(target=probe)
    prober.start()
    r = boot(load_platform("virt"), tiny_image("HANG"),
             LaunchOptions(accel="tcg", timeout=2, net=NetOptions(ports=(PortForward(port, 80),),
                                                                  pcap=tmp_path / "cap.pcap")))
    prober.join()
    assert r.timed_out and r.console.startswith("unibuild kernel fixture")
    assert accepted == [True]
    assert (tmp_path / "cap.pcap").read_bytes()[:4] == b"\xd4\xc3\xb2\xa1"   # pcap magic
    check_ports_free([PortForward(port, 80)])   # passt has gone and let go of the port


@pytest.mark.boot
def test_run_forwards_with_slirp_and_says_so_once_when_passt_cannot_have_a_namespace(fake_passt, monkeypatch,
                                                                                      programs, target_root):
    # As in a container without user namespaces (the fresh-machine chroot): the automatic
    # choice degrades to slirp with one line; asking for passt is one line and status 125.
    monkeypatch.setenv("FAKE_PASST_MODE", "no-userns")
    run = [*UNIBUILD, "run", "--accel", "tcg", "--timeout", "60", "-p", str(free_port()),
           "--target-root", str(target_root)]
    r = subprocess.run([*run, str(programs["hello"])], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.startswith("hello world!\n"), r.stderr
    ours = [line for line in r.stderr.splitlines() if line.startswith("unibuild: ")]
    assert len(ours) == 1 and "needs a user namespace" in ours[0] and "slirp" in ours[0], r.stderr
    assert "Traceback" not in r.stderr
    r = subprocess.run([*run, "--net-backend", "passt", str(programs["hello"])], capture_output=True, text=True,
                       timeout=120)
    assert (r.returncode, r.stdout) == (125, ""), r.stderr
    assert r.stderr.startswith("unibuild: --net-backend passt: ") and r.stderr.count("\n") == 1, r.stderr
    # Passt was tried once by the first run (its early start: the cached image, unibuild/early_start.py)
    # and twice by the second: its early start failed, and the ordinary boot met the error again to
    # report it in order; no run retried it more.
    assert len(fake_passt()) == 3
