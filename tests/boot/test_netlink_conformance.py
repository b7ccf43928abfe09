"""AF_NETLINK / NETLINK_ROUTE against Linux: tests/boot/guest/netlinkconf.c prints socket and
bind rules, port ids, link/address/route dumps (attributes decoded), single requests, acks and
errors (NLMSG_ERROR, NLMSG_DONE's status, extended-ack text under NETLINK_GET_STRICT_CHK),
datagram semantics, readiness, SOL_NETLINK options, unicast and multicast between user sockets,
and glibc's getifaddrs/if_nameindex over them. The oracle is the probe built for this host and
run natively in a fresh network namespace (`unshare --net`: lo only, brought up by the probe
there), against the guest with --net none (lo only). One boot."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, native_oracle, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "netlinkconf.c"
SECTIONS = [("1", "socket"), ("2", "bind, names, port ids"), ("3", "RTM_GETLINK dumps"),
            ("4", "RTM_GETLINK for one link, acks and errors"), ("5", "RTM_GETADDR dumps"),
            ("6", "RTM_GETROUTE dumps"), ("7", "datagram semantics, readiness"), ("8", "SOL_NETLINK options"),
            ("9", "between user sockets"), ("10", "glibc over netlink"), ("11", "lo's packet counters")]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    if not shutil.which("unshare"):
        pytest.skip("no unshare(1) for the oracle's network namespace")
    tmp = tmp_path_factory.mktemp("netlinkconf")
    probe = tmp / "netlinkconf"
    subprocess.run([CC, "-O2", "-Wall", "-static", f"-I{GUEST_SOURCES}", "-o", str(probe), str(SOURCE)], check=True,
                   capture_output=True)
    linux = sections(native_oracle(SOURCE, tmp, wrap=("unshare", "--net", "env", "NLPROBE_NETNS=1")))
    ours = run(probe)
    assert ours.returncode == 0, ours.stderr
    return linux, ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_netlink_answers_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert sections(ours.stdout).get(section) == linux[section], what


def test_netlink_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""
