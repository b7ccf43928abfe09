"""NETLINK_ROUTE with the default NIC, as its users see it: Debian's iproute2 (`ip -o addr`,
`ip route`, `ip link`, the local table) in one boot, Python's socket.if_nameindex(), and Go's
net.Interfaces/InterfaceAddrs (tests/boot/guest/goifaces). The expected lines are what Linux's
tools print for QEMU's user network (slirp: 10.0.2.0/24, router 10.0.2.2, a DHCP lease of a
day), the address the kernel says it was assigned and the link-local address its MAC makes."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from lib.guest import GUEST_SOURCES
from unibuild.paths import BUILD_DIR, PROJECT_ROOT

pytestmark = pytest.mark.boot

UNIBUILD = [sys.executable, "-m", "unibuild"]
NGINX_ROOT = BUILD_DIR / "target-root-nginx"     # Debian's nginx brings iproute2
PYTHON_ROOT = BUILD_DIR / "target-root-python3"
SLIRP = ["--accel", "tcg", "--timeout", "90", "--net", "user", "--net-backend", "slirp"]


def boot(root, *argv, stdin=""):
    r = subprocess.run([*UNIBUILD, "run", *SLIRP, "--target-root", str(root), *argv], input=stdin,
                       capture_output=True, text=True, timeout=150)
    assert "Traceback" not in r.stderr
    return r


def test_iproute2_lists_links_addresses_and_routes():
    subprocess.run([*UNIBUILD, "target-root", "create", str(NGINX_ROOT), "--package", "nginx"], check=True,
                   stdout=subprocess.DEVNULL)
    r = boot(NGINX_ROOT, "/bin/ip", "-o", "-batch", "-", stdin="addr\nroute\nlink\nroute show table local\n")
    assert r.returncode == 0, r.stderr
    ip = re.search(r"en1: assigned (10\.0\.2\.\d+)", r.stderr).group(1)
    lines = r.stdout.splitlines()
    forever = "valid_lft forever preferred_lft forever"
    assert lines[:2] == [f"1: lo    inet 127.0.0.1/8 scope host lo\\       {forever}",
                         f"1: lo    inet6 ::1/128 scope host \\       {forever}"], r.stdout
    assert re.fullmatch(rf"2: en1    inet {re.escape(ip)}/24 brd 10\.0\.2\.255 scope global dynamic en1\\ +"
                        r"valid_lft (\d+)sec preferred_lft \1sec", lines[2]), r.stdout
    assert re.fullmatch(r"2: en1    inet6 fe80::[0-9a-f:]+/64 scope link( tentative)? \\ +" + forever, lines[3]), r.stdout
    assert lines[4:6] == ["default via 10.0.2.2 dev en1 ",
                          f"10.0.2.0/24 dev en1 proto kernel scope link src {ip} "], r.stdout
    assert lines[6] == ("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN mode DEFAULT group default qlen 1000"
                        "\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00"), r.stdout
    assert re.fullmatch(r"2: en1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP mode DEFAULT group default "
                        r"qlen 1000\\    link/ether ([0-9a-f]{2}:){5}[0-9a-f]{2} brd ff:ff:ff:ff:ff:ff", lines[7]), r.stdout
    assert lines[8:] == [f"local {ip} dev en1 proto kernel scope host src {ip} ",
                         f"broadcast 10.0.2.255 dev en1 proto kernel scope link src {ip} ",
                         "local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 ",
                         "local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 ",
                         "broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1 "], r.stdout


def test_python_if_nameindex_sees_lo_and_the_nic():
    subprocess.run([*UNIBUILD, "target-root", "create", str(PYTHON_ROOT), "--package", "python3"], check=True,
                   stdout=subprocess.DEVNULL)
    r = boot(PYTHON_ROOT, "/usr/bin/python3", "-c",
             "import socket; print(socket.if_nameindex()); print(socket.if_nametoindex('en1'))")
    assert (r.returncode, r.stdout) == (0, "[(1, 'lo'), (2, 'en1')]\n2\n"), r.stderr


def eui64_link_local(mac: str) -> str:
    """The fe80::/64 address SLAAC derives from a MAC (RFC 4291 appendix A), as Go prints it."""
    b = [int(x, 16) for x in mac.split(":")]
    b[0] ^= 2
    words = [b[0] << 8 | b[1], b[2] << 8 | 0xff, 0xfe << 8 | b[3], b[4] << 8 | b[5]]
    return "fe80::" + ":".join(f"{w:x}" for w in words)


def test_go_net_interfaces_and_addresses(tmp_path):
    out = tmp_path / "goifaces"
    cache = PROJECT_ROOT / "build/cache/go"
    env = {**os.environ, "CGO_ENABLED": "0", "GOOS": "linux", "GOARCH": "arm64", "GOFLAGS": "-mod=mod",
           "GOPROXY": "off", "GOCACHE": str(cache / "build"), "GOPATH": str(cache / "path")}
    subprocess.run(["go", "build", "-trimpath", "-o", str(out), "."], cwd=GUEST_SOURCES / "goifaces", env=env,
                   check=True)
    r = subprocess.run([*UNIBUILD, "run", *SLIRP, str(out)], capture_output=True, text=True, timeout=150)
    assert r.returncode == 0, r.stdout + r.stderr
    ip = re.search(r"en1: assigned (10\.0\.2\.\d+)", r.stderr).group(1)
    mac = re.search(r'^2 en1 .* hw "([0-9a-f:]{17})"', r.stdout, re.M).group(1)
    ll = eui64_link_local(mac)
    assert r.stdout.splitlines() == [
        "1 lo mtu 65536 flags up|loopback hw \"\" addrs [127.0.0.1/8 ::1/128]",
        f"2 en1 mtu 1500 flags up|broadcast|multicast hw \"{mac}\" addrs [{ip}/24 {ll}/64]",
        f"all [127.0.0.1/8 {ip}/24 ::1/128 {ll}/64]",
        "lo index 1"], r.stdout
