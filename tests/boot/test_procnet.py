"""Interfaces and sockets as Linux shows them: tests/boot/guest/procnetconf.c prints the SIOCGIF*
requests on AF_INET, AF_INET6 and AF_UNIX sockets (SIOCGIFCONF's length rules, every getter on
lo, the errors, the setters' permission and range checks as root and unprivileged) and
/proc/net/{dev,tcp,tcp6,udp,udp6,unix}: headers, line widths and the line of each socket it made
(found by inode; ports and paths as names), /proc/net/route and if_inet6, and lo's /sys/class/net attributes. The oracle is the probe built for this host and run
natively in a fresh network namespace (`unshare --net`: lo only, brought up by the probe), against
the guest with --net none (lo only). One boot."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, native_oracle, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "procnetconf.c"
SECTIONS = [("1", "requests on AF_INET"), ("2", "requests on AF_INET6"), ("3", "requests on AF_UNIX"),
            ("4", "/proc/net/dev"), ("5", "/proc/net/tcp, tcp6"), ("6", "/proc/net/udp, udp6"),
            ("7", "/proc/net/unix"), ("8", "/proc/net/route, if_inet6"),
            ("9", "/sys/class/net/lo")]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    if not shutil.which("unshare"):
        pytest.skip("no unshare(1) for the oracle's network namespace")
    tmp = tmp_path_factory.mktemp("procnetconf")
    probe = tmp / "procnetconf"
    subprocess.run([CC, "-O2", "-Wall", "-static", f"-I{GUEST_SOURCES}", "-o", str(probe), str(SOURCE)], check=True,
                   capture_output=True)
    linux = sections(native_oracle(SOURCE, tmp, workdir=True, wrap=("unshare", "--net", "env", "PROCNET_NETNS=1")))
    ours = run(probe)
    assert ours.returncode == 0, ours.stderr
    return linux, ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_interfaces_and_sockets_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert sections(ours.stdout).get(section) == linux[section], what


def test_procnet_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""
