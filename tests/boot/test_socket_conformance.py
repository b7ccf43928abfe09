"""Socket calls errno for errno against Linux: tests/boot/guest/sockconf.c sweeps socket() and
socketpair() argument checks, bind (EADDRINUSE, SO_REUSEADDR/SO_REUSEPORT, rebinding, lengths,
families), AF_UNIX path, abstract and autobound names with their getsockname/getpeername
lengths, listen/accept/accept4 and blocking and non-blocking connect (ECONNREFUSED, SO_ERROR,
EISCONN), send/recv flags (MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL, MSG_TRUNC, MSG_NOSIGNAL),
shutdown and the poll bits it leaves, resets, UDP connect filtering and AF_UNSPEC disconnect,
socket options (types, buffer sizes, timeouts, linger, keepalive, TCP_*, IP_TOS, IPV6_V6ONLY,
unknown names and levels, short lengths, SO_PEERCRED), FIONREAD/SIOCOUTQ, and the ICMP port
unreachable a UDP socket gets back (ECONNREFUSED, IP_RECVERR, MSG_ERRQUEUE), AF_UNIX queue
sizes (SIOCINQ, SIOCOUTQ), SO_PASSCRED and SCM_CREDENTIALS, and SO_RCVLOWAT on TCP and AF_UNIX
(poll, select, blocking and non-blocking reads), and which TCP_INFO fields a connection fills
(section 16's oracle is the probe run natively: qemu-user cuts TCP_INFO to 4 bytes). Loopback and
AF_UNIX only. The oracle is the same program under qemu-aarch64-static in a fresh tmpfs
directory; ours runs in /tmp, one boot for all."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, native_oracle, oracle_in_tmpfs, replace_lines, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "sockconf.c"

# Where qemu-user (Debian's 7.2), not Linux, answers: each line as Linux's __sys_socket gives it.
# qemu strips the flag bits above SOCK_TYPE_MASK it does not know before the host sees them;
# Linux refuses any flag but SOCK_NONBLOCK and SOCK_CLOEXEC (EINVAL), and 99 is SOCK_RAW (3)
# with flags 0x60.
QEMU_USER = {
    "   AF_INET type 99 = -1 EPROTONOSUPPORT": "   AF_INET type 99 = -1 EINVAL",
    "   flags 0x40000000 = fd": "   flags 0x40000000 = -1 EINVAL",
    # qemu converts TCP_INFO as an int option (4 bytes back); Linux copies min(optlen, its size).
    "   full length 0 state 7": "   full length 1 state 7",
    # qemu does not know SIOCOUTQNSD (ENOSYS); Linux's tcp_ioctl answers it (EINVAL on a
    # listener) and UDP passes it on to no device (ENOTTY). Recorded natively on this host.
    "   SIOCOUTQNSD: -38": "   SIOCOUTQNSD: 0",
    "   SIOCOUTQNSD on UDP = -1 ENOSYS": "   SIOCOUTQNSD on UDP = -1 ENOTTY",
    "   SIOCOUTQNSD on listening = -1 ENOSYS": "   SIOCOUTQNSD on listening = -1 EINVAL",
    # AF_UNIX has no SIOCOUTQNSD: unix_ioctl's ENOIOCTLCMD becomes ENOTTY.
    "   SIOCOUTQNSD on AF_UNIX = -1 ENOSYS": "   SIOCOUTQNSD on AF_UNIX = -1 ENOTTY",
}

SECTIONS = [("1", "socket"), ("2", "bind"), ("3", "AF_UNIX names"), ("4", "listen, accept, connect"),
            ("5", "send and recv"), ("6", "UDP"), ("7", "socket options"), ("8", "socketpair"),
            ("9", "IPv6, seqpacket connections, timeouts"),
            ("10", "edges: wrong socket kinds, addresses, lengths"),
            ("11", "TIME_WAIT and SO_REUSEADDR, timeouts on accept, disconnect names"),
            ("12", "ICMP errors on UDP sockets"), ("13", "AF_UNIX SIOCINQ and SIOCOUTQ"),
            ("14", "SO_PASSCRED and SCM_CREDENTIALS"), ("15", "SO_RCVLOWAT"),
            ("16", "TCP_INFO of a connection that moved data"), ("17", "SO_PEERCRED across processes")]
# qemu-user converts TCP_INFO as an int option (4 bytes back), so these sections are Linux's
# as the probe built for this host and run natively shows them (the same generic TCP code).
NATIVE = ["16"]


def native(tmp) -> dict[str, str]:
    return sections(native_oracle(SOURCE, tmp, workdir=True))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[dict[str, str], subprocess.CompletedProcess]:
    tmp = tmp_path_factory.mktemp("sockconf")
    probe = tmp / "sockconf"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-o", str(probe), str(SOURCE)], check=True)
    linux = sections(replace_lines(oracle_in_tmpfs(probe), QEMU_USER))
    host = native(tmp)
    linux.update({key: host.get(key, "") for key in NATIVE})
    ours = run(probe, "/tmp")
    assert ours.returncode == 0, ours.stderr
    return linux, ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_socket_calls_answer_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert sections(ours.stdout).get(section) == linux[section], what


def test_sockconf_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""
