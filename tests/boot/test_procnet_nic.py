"""busybox's ifconfig, netstat -tln and route -n, and en1's /sys/class/net attributes, with the
default NIC (tests/boot/guest/procnet_tools.sh; then en1 down, up and with a smaller MTU): they
read /proc/net/{dev,if_inet6,tcp,tcp6,route} and ask SIOCGIFCONF and the SIOCGIF*/SIOCSIF*
requests. The expected lines are what these tools print on Linux for QEMU's user network (slirp:
10.0.2.0/24, router 10.0.2.2), the address the kernel says it was assigned and the link-local
address its MAC makes; counters vary, so only their form is checked. One boot."""

from __future__ import annotations

import re
import subprocess

import pytest

from lib.guest import GUEST_SOURCES, UNIBUILD
from unibuild.paths import BUILD_DIR

pytestmark = pytest.mark.boot

ROOT = BUILD_DIR / "target-root-busybox"
SLIRP = ["--accel", "tcg", "--timeout", "90", "--net", "user", "--net-backend", "slirp"]


def test_ifconfig_netstat_and_route_show_the_nic():
    subprocess.run([*UNIBUILD, "target-root", "create", str(ROOT), "--package", "busybox"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    r = subprocess.run([*UNIBUILD, "run", *SLIRP, "--target-root", str(ROOT), "--with", "/bin/busybox",
                        str(GUEST_SOURCES / "procnet_tools.sh")], capture_output=True, text=True, timeout=150)
    assert r.returncode == 0, r.stderr
    ip = re.search(r"en1: assigned (10\.0\.2\.\d+)", r.stderr).group(1)
    mac = re.search(r"HWaddr ((?:[0-9A-F]{2}:){5}[0-9A-F]{2})", r.stdout).group(1)
    b = [int(x, 16) for x in mac.split(":")]
    eui = f"fe80::{(b[0] ^ 2) << 8 | b[1]:x}:{b[2] << 8 | 0xff:x}:{0xfe00 | b[3]:x}:{b[4] << 8 | b[5]:x}"
    counters = (r" +RX packets:\d+ errors:0 dropped:0 overruns:0 frame:0\n +TX packets:\d+ errors:0 dropped:0 "
                r"overruns:0 carrier:0\n +collisions:0 txqueuelen:1000 \n +RX bytes:\d+ \([\d.]+ [KMG]?i?B\) +"
                r"TX bytes:\d+ \([\d.]+ [KMG]?i?B\)\n")
    expected = (rf"en1 +Link encap:Ethernet  HWaddr {mac}  \n"
                rf" +inet addr:{re.escape(ip)}  Bcast:10\.0\.2\.255  Mask:255\.255\.255\.0\n"
                rf" +inet6 addr: {eui}/64 Scope:Link\n"
                r" +UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1\n" + counters + r"\n"
                r"lo +Link encap:Local Loopback  \n"
                r" +inet addr:127\.0\.0\.1  Mask:255\.0\.0\.0\n"
                r" +inet6 addr: ::1/128 Scope:Host\n"
                r" +UP LOOPBACK RUNNING  MTU:65536  Metric:1\n" + counters + r"\n"
                r"Active Internet connections \(only servers\)\n"
                r"Proto Recv-Q Send-Q Local Address +Foreign Address +State +\n"
                r"tcp +0 +0 127\.0\.0\.1:8080 +0\.0\.0\.0:\* +LISTEN +\n"
                r"Kernel IP routing table\n"
                r"Destination +Gateway +Genmask +Flags Metric Ref +Use Iface\n"
                r"0\.0\.0\.0 +10\.0\.2\.2 +0\.0\.0\.0 +UG +0 +0 +0 en1\n"
                r"10\.0\.2\.0 +0\.0\.0\.0 +255\.255\.255\.0 +U +0 +0 +0 en1\n"
                rf"en1 address {mac.lower()}\nen1 mtu 1500\nen1 ifindex 2\nen1 flags 0x1003\nen1 operstate up\n"
                r"en1 carrier 1\nen1 type 1\nen1 tx_queue_len 1000\n"
                r" +BROADCAST MULTICAST  MTU:1500  Metric:1\n"          # down: not UP, not RUNNING
                r" +UP BROADCAST RUNNING MULTICAST  MTU:1400  Metric:1\n"
                r"1400\n")
    assert re.fullmatch(expected, r.stdout), r.stdout
    assert re.sub(r"en1: assigned \S+\n", "", r.stderr) == ""
