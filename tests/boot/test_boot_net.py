"""Network boot tests: virtio-net + lwIP in the real kernel, on QEMU's user-mode network (slirp).

slirp is the oracle: its DHCP server leases 10.0.2.15, its router advertises fec0::/64, and its
host forward carries a TCP connection from this test into the guest. The kernel's `nettest=echo`
serves TCP echo on port 7 with lwIP's raw API for one connection, so one boot exercises receive
and transmit, ARP, DHCP, IPv6 link-local and SLAAC autoconfiguration, and TCP.
"""

import contextlib
import ctypes
import multiprocessing
import os
import shutil
import subprocess
import sys
import re
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest
from lib.netutil import free_port

from unibuild.platform import load_platform
from unibuild.host import probe_host
from unibuild.launch import LaunchOptions, build_command, run_qemu

from lib.guest import run

pytestmark = pytest.mark.boot


class ConsoleWatch:
    """A console sink that lets the test wait for a line while QEMU runs in another thread."""

    def __init__(self):
        self.text = ""
        self.changed = threading.Condition()

    def write(self, chunk: bytes) -> None:
        with self.changed:
            self.text += chunk.decode("utf-8", "replace").replace("\r", "")
            self.changed.notify_all()

    def flush(self) -> None:
        pass

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        with self.changed:
            deadline = time.monotonic() + timeout
            while not (m := re.search(pattern, self.text, re.M)):
                left = deadline - time.monotonic()
                assert left > 0, f"no console line matching {pattern!r} in {timeout} s:\n{self.text}"
                self.changed.wait(left)
            return m


def boot_with_netdev(kernel_image, append, netdev, disk=None):
    """Starts QEMU in a thread with a modern virtio-net NIC on the given QEMU netdev."""
    options = LaunchOptions(accel="tcg", gic="3", timeout=60, append=append, disk=disk)
    watch, result = ConsoleWatch(), {}

    def run():
        with tempfile.TemporaryDirectory(prefix="unibuild-qmp-") as tmp:
            command = build_command(load_platform("virt"), kernel_image, options, probe_host(),
                                    Path(tmp) / "qmp.sock", network=[
                                        "-netdev", netdev,
                                        "-device", "virtio-net-pci,netdev=n0,disable-legacy=on,romfile="])
            result["boot"] = run_qemu(command, echo=watch)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return watch, thread, result


def echo_roundtrip(host: str, port: int, payload: bytes, timeout: float) -> bytes:
    """Sends and receives at once (the echo would stall a send-then-read client); until the
    guest listens, slirp's host forward resets the connection, so that is retried."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=10) as s:
                def send():
                    with contextlib.suppress(OSError):
                        s.sendall(payload)
                        s.shutdown(socket.SHUT_WR)
                sender = threading.Thread(target=send)
                sender.start()
                got = bytearray()
                while chunk := s.recv(65536):
                    got += chunk
                sender.join()
                if got or not payload:
                    return bytes(got)
        except (ConnectionResetError, ConnectionRefusedError, BrokenPipeError):
            pass
        assert time.monotonic() < deadline, "guest echo server never answered"
        time.sleep(0.2)


def test_dhcp_lease_ipv6_link_local_and_tcp_echo_through_virtio_net(kernel_image):
    port = free_port()
    watch, thread, result = boot_with_netdev(kernel_image, ("nettest=echo",),
                                             f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:7")
    watch.wait_for(r"^en1: assigned 10\.0\.2\.15$", 30)
    # Link-local from the MAC (52:54:00:12:34:56, EUI-64), once duplicate detection passed.
    watch.wait_for(r"^en1: assigned fe80::5054:ff:fe12:3456$", 30)
    # SLAAC: slirp's router advertises fec0::/64.
    watch.wait_for(r"^en1: assigned fec0::5054:ff:fe12:3456$", 30)
    watch.wait_for(r"^nettest: echo listening on port 7$", 30)
    payload = os.urandom(256 * 1024)
    start = time.monotonic()
    assert echo_roundtrip("127.0.0.1", port, payload, 30) == payload
    elapsed = time.monotonic() - start
    thread.join(60)
    boot = result["boot"]
    assert boot.status == 0 and boot.kind == "boot", boot.console
    assert f"nettest: echoed {len(payload)} bytes" in boot.console
    assert re.search(r"^virtio-net: 00:0\d\.0 mac 52:54:00:12:34:56, \d+ rx buffers", boot.console, re.M)
    print(f"echo of {len(payload)} bytes in {elapsed * 1000:.0f} ms")


def test_static_address_from_the_manifest_replaces_dhcp(programs, target_root):
    """--ip puts ip/netmask/gateway into the image's kernel options; the kernel uses them."""
    r = run(programs["hello-static"], options=("--ip", "10.0.2.20/24", "--net-backend", "slirp"))
    assert r.returncode == 0, r.stderr
    # The kernel's line goes to stderr (multiplexed console); stdout is the program's alone.
    assert "en1: assigned 10.0.2.20" in r.stderr.splitlines()
    assert "10.0.2.15" not in r.stdout + r.stderr
    assert r.stdout == "hello world!\nargs:\n"


def tap_possible() -> bool:
    """A private network namespace with a tap in it: root, /dev/net/tun, iproute2, unshare."""
    if os.geteuid() != 0 or not os.path.exists("/dev/net/tun") or not shutil.which("ip") \
            or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-n", "ip", "tuntap", "add", "tap0", "mode", "tap"],
                           capture_output=True)
    return probe.returncode == 0


def _tap_echo_in_own_netns(queue, kernel_image, image):
    """Child process: a private network namespace (nothing outside it is reachable), a tap with
    the host end at 10.0.3.1, the guest at 10.0.3.2 from the image's --ip, echo over TCP."""
    try:
        if ctypes.CDLL(None, use_errno=True).unshare(0x40000000) != 0:   # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")
        for cmd in ("ip link set lo up", "ip tuntap add tap0 mode tap",
                    "ip addr add 10.0.3.1/24 dev tap0", "ip link set tap0 up"):
            subprocess.run(cmd.split(), check=True, capture_output=True)
        watch, thread, result = boot_with_netdev(
            kernel_image, ("verbose", "nettest=echo"),
            "tap,id=n0,ifname=tap0,script=no,downscript=no,vnet_hdr=on", disk=image)
        watch.wait_for(r"^nettest: echo listening on port 7$", 30)
        payload = os.urandom(1 << 20)
        ok = echo_roundtrip("10.0.3.2", 7, payload, 30) == payload
        thread.join(60)
        queue.put((ok, result["boot"].console if "boot" in result else watch.text))
    except BaseException as e:   # report every failure to the parent instead of hanging it
        queue.put((False, f"{type(e).__name__}: {e}"))


@pytest.mark.skipif(not tap_possible(), reason="needs root, /dev/net/tun, iproute2 and unshare")
def test_checksum_offloads_over_a_tap_with_vnet_headers(kernel_image, programs, tmp_path):
    """slirp offers no checksum offload; a tap with vnet headers does. The host kernel then
    checks every checksum the device completed for us, and sends us partial ones to finish."""
    image = tmp_path / "net.img"
    subprocess.run([sys.executable, "-m", "unibuild", "build", "-o", str(image), "--no-extras",
                    "--ip", "10.0.3.2/24", "--gateway", "10.0.3.1", str(programs["hello-static"])],
                   check=True, capture_output=True)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_tap_echo_in_own_netns, args=(queue, kernel_image, image))
    child.start()
    ok, console = queue.get(timeout=120)
    child.join(10)
    assert ok, console
    assert "tx csum offload, rx csum partial" in console
    assert "en1: assigned 10.0.3.2" in console
    assert "nettest: echoed 1048576 bytes" in console
