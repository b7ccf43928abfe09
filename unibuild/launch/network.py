"""The guest's network: port forwards, the user-mode backend (passt or QEMU's slirp), the NIC.

Every guest with a network gets one modern virtio-net NIC behind a user-mode backend, so no
root, tap device or bridge is needed. The host reaches the guest only through forwarded
ports, each bound to 127.0.0.1 unless the user names another address (`-p ADDR:HOST:GUEST`).

Why passt is the default: QEMU's slirp listens on a forwarded port with a backlog of 1, so
32 concurrent clients overflow it and back off for seconds; passt listens with a backlog of
128. slirp stays available (`--net-backend slirp`) for hosts without passt.

Both backends show the guest the same network: address 10.0.2.15/24, gateway 10.0.2.2, DNS
10.0.2.3 (slirp's defaults), or the static address the user gave.

Everything here is pure except `check_ports_free` (it binds sockets), `find_passt` (it
searches PATH) and `attach` (it runs passt, through launch/passt.py). Nothing here writes to
the terminal: a warning goes to the `warn` callback the caller (the CLI) hands in.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import passt
from ..errors import UserError

NETS = ("user", "none")
BACKENDS = ("auto", "passt", "slirp")
PROTOCOLS = ("tcp", "udp")

FORWARD_HOST = "127.0.0.1"   # forwarded ports listen here unless -p names an address
DEFAULT_ADDRESS = ipaddress.IPv4Interface("10.0.2.15/24")
DEFAULT_GATEWAY = ipaddress.IPv4Address("10.0.2.2")
NETDEV_ID = "n0"
PASST_PACKAGE = "passt"


@dataclass(frozen=True)
class PortForward:
    """address:host on the host (127.0.0.1 by default) reaches the guest's port `guest`."""

    host: int
    guest: int
    proto: str = "tcp"
    address: str = FORWARD_HOST

    def __str__(self) -> str:
        prefix = "" if self.address == FORWARD_HOST else f"{self.address}:"
        return f"{prefix}{self.host}:{self.guest}/{self.proto}"


# HOST[:GUEST][/PROTO] or ADDR:HOST:GUEST[/PROTO], as docker's -p: ADDR is an IPv4 address of
# the host (0.0.0.0: every one).
_PORT_SPEC = re.compile(r"^(?:(\d+\.\d+\.\d+\.\d+):(?=\d+:\d))?(\d+)(?::(\d+))?(?:/(\w+))?$")


def _port_number(text: str, spec: str) -> int:
    number = int(text)
    if not 1 <= number <= 65535:
        raise UserError(f"port {number} in -p {spec} is out of range; use 1..65535")
    return number


def parse_port(spec: str) -> PortForward:
    """`HOST[:GUEST][/udp|/tcp]` or `ADDR:HOST:GUEST[/...]`, as for `-p`: a bare HOST forwards to the same guest
    port, listening on 127.0.0.1 unless ADDR names another host address (0.0.0.0: all)."""
    match = _PORT_SPEC.match(spec.strip())
    if match is None:
        raise UserError(f"bad port forward '{spec}'; use HOST[:GUEST][/udp] or ADDR:HOST:GUEST, "
                        "e.g. -p 8080, -p 8080:80 or -p 0.0.0.0:8080:80")
    address = match.group(1) or FORWARD_HOST
    try:
        ipaddress.IPv4Address(address)
    except ValueError:
        raise UserError(f"address {address} in -p {spec} is not an IPv4 address") from None
    host = _port_number(match.group(2), spec)
    guest = _port_number(match.group(3), spec) if match.group(3) else host
    proto = (match.group(4) or "tcp").lower()
    if proto not in PROTOCOLS:
        raise UserError(f"unknown protocol '{match.group(4)}' in -p {spec}; use tcp or udp")
    return PortForward(host, guest, proto, address)


@dataclass(frozen=True)
class StaticIp:
    """A fixed guest address instead of DHCP; the kernel reads it from the image."""

    address: ipaddress.IPv4Interface
    gateway: ipaddress.IPv4Address

    def kernel_options(self) -> dict[str, str]:
        """The image manifest's kernel options `ip`, `netmask`, `gateway` (dotted quads)."""
        return {
            "ip": str(self.address.ip),
            "netmask": str(self.address.netmask),
            "gateway": str(self.gateway),
        }


def parse_static_ip(ip: str | None, gateway: str | None) -> StaticIp | None:
    """`--ip ADDR/PREFIX [--gateway ADDR]`; the gateway defaults to the subnet's .2 like slirp's."""
    if ip is None:
        if gateway is not None:
            raise UserError("--gateway needs --ip ADDR/PREFIX (without --ip the guest uses DHCP)")
        return None
    if "/" not in ip:
        raise UserError(f"--ip {ip} needs a prefix length, e.g. --ip {ip}/24")
    try:
        address = ipaddress.IPv4Interface(ip)
    except ValueError:
        raise UserError(f"--ip {ip} is not an IPv4 address with a prefix, e.g. 10.0.2.15/24") from None
    network = address.network
    if network.prefixlen > 30:
        raise UserError(f"--ip {ip}: the prefix must leave room for the guest and a gateway (/30 or wider)")
    if address.ip in (network.network_address, network.broadcast_address):
        raise UserError(f"--ip {ip} is the {'network' if address.ip == network.network_address else 'broadcast'} "
                        f"address of {network}; pick a host address")
    if gateway is None:
        gw = network.network_address + 2
        if gw == address.ip:
            raise UserError(f"--ip {ip} is the default gateway {gw}; give --gateway")
    else:
        try:
            gw = ipaddress.IPv4Address(gateway)
        except ValueError:
            raise UserError(f"--gateway {gateway} is not an IPv4 address") from None
        if gw not in network or gw in (network.network_address, network.broadcast_address):
            raise UserError(f"--gateway {gateway} is not a host address in {network}")
        if gw == address.ip:
            raise UserError(f"--gateway {gateway} is the guest's own address")
    return StaticIp(address, gw)


@dataclass(frozen=True)
class NetOptions:
    """What the user asked for: a NIC or none, which backend, which ports."""

    mode: str = "user"                      # "user": a NIC behind a user-mode backend; "none"
    backend: str = "auto"                   # "auto": passt when installed, else slirp
    ports: tuple[PortForward, ...] = ()
    static_ip: StaticIp | None = None       # the backend's view of the guest (the image has its own)
    pcap: Path | None = None                # capture the guest's frames to this file

    @property
    def address(self) -> ipaddress.IPv4Interface:
        return self.static_ip.address if self.static_ip else DEFAULT_ADDRESS

    @property
    def gateway(self) -> ipaddress.IPv4Address:
        return self.static_ip.gateway if self.static_ip else DEFAULT_GATEWAY

    @property
    def dns(self) -> ipaddress.IPv4Address:
        """slirp's DNS address (.3) in the guest's subnet; one that collides falls back to .4."""
        network = self.address.network
        for offset in (3, 4, 5):
            candidate = network.network_address + offset
            if candidate not in (self.address.ip, self.gateway):
                return candidate
        raise AssertionError("a /30 or wider network has a free host address")


def net_options(net: str = "user", backend: str = "auto", ports=(), static_ip: StaticIp | None = None,
                pcap: str | Path | None = None) -> NetOptions:
    """Checks a combination of network options and returns them resolved (ports parsed)."""
    if net not in NETS:
        raise UserError(f"unknown network '{net}'; choose one of {', '.join(NETS)}")
    if backend not in BACKENDS:
        raise UserError(f"unknown network backend '{backend}'; choose one of {', '.join(BACKENDS)}")
    forwards = tuple(p if isinstance(p, PortForward) else parse_port(str(p)) for p in ports)
    if net == "none":
        given = [what for what, value in (("-p", forwards), ("--ip", static_ip), ("--pcap", pcap)) if value]
        if given:
            verb = "needs" if len(given) == 1 else "need"
            raise UserError(f"{' and '.join(given)} {verb} a network; drop --net none")
    seen: dict[tuple[int, str], PortForward] = {}
    for forward in forwards:
        key = (forward.host, forward.proto)
        if key in seen:
            raise UserError(f"host port {forward.host}/{forward.proto} is forwarded twice "
                            f"(-p {seen[key]} and -p {forward})")
        seen[key] = forward
    return NetOptions(net, backend, forwards, static_ip, Path(pcap) if pcap else None)


def find_passt(env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    return shutil.which("passt", path=env.get("PATH", os.defpath))


def resolve_backend(requested: str, passt: str | None, forwards_ports: bool = True) -> str:
    """"passt" or "slirp". auto prefers passt where it matters, for forwarded ports (slirp's
    listen backlog of 1 is what fails; see the module comment); a guest that only reaches out
    gets slirp, which needs no helper process and no user namespace (passt needs one, and
    some containers and chroots refuse it)."""
    if requested == "auto":
        return "passt" if passt and forwards_ports else "slirp"
    if requested == "passt" and passt is None:
        raise UserError(f"--net-backend passt: passt is not on PATH; install the Debian package "
                        f"{PASST_PACKAGE}, or use --net-backend slirp")
    if requested not in ("passt", "slirp"):
        raise UserError(f"unknown network backend '{requested}'; choose one of {', '.join(BACKENDS)}")
    return requested


def check_ports_free(ports, address: str | None = None) -> None:
    """Each forwarded host port must be free now: a clear error before boot, not QEMU's or
    passt's later (passt only logs a failed bind and runs on without the forward).

    SO_REUSEADDR as the backends use it, so a port whose last connections linger in TIME_WAIT
    counts as free, while a listener (even one on 0.0.0.0) does not. `address` overrides
    each forward's own (for tests)."""
    if not ports:
        return
    import socket   # only with forwarded ports: a plain run's start-up need not load it
    for forward in ports:
        where = address or forward.address
        kind = socket.SOCK_STREAM if forward.proto == "tcp" else socket.SOCK_DGRAM
        with socket.socket(socket.AF_INET, kind) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((where, forward.host))
            except PermissionError:
                raise UserError(f"host port {forward.host} needs privileges to bind; "
                                f"pick a port of 1024 or more with -p PORT:{forward.guest}") from None
            except OSError as e:
                raise UserError(f"host port {forward.host}/{forward.proto} on {where} is already "
                                f"in use ({e.strerror}); pick another with -p PORT:{forward.guest}") from None


# --- slirp -------------------------------------------------------------------------------

def slirp_netdev(net: NetOptions) -> str:
    """`-netdev user,...`: the guest's network, and one hostfwd per forwarded port."""
    parts = [
        f"user,id={NETDEV_ID}",
        f"net={net.address.network}",
        f"host={net.gateway}",
        f"dns={net.dns}",
        f"dhcpstart={net.address.ip}",
        "ipv6=off",
    ]
    for f in net.ports:
        parts.append(f"hostfwd={f.proto}:{f.address}:{f.host}-{net.address.ip}:{f.guest}")
    return ",".join(parts)


# --- passt -------------------------------------------------------------------------------

def _passt_forwards(flag: str, ports) -> list[str]:
    # A -t/-u per protocol even when empty: by default passt forwards UDP ports matching
    # the TCP ones (without translation), which nobody asked for. passt takes one address
    # prefix per spec (`ADDR/P1:G1,P2:G2`; a second `ADDR/` inside one spec is refused), so
    # each listening address gets its own flag: passt allows the flag many times.
    if not ports:
        return [flag, "none"]
    by_address: dict[str, list[str]] = {}
    for f in ports:
        by_address.setdefault(f.address, []).append(f"{f.host}:{f.guest}")
    argv = []
    for address, specs in by_address.items():
        argv += [flag, f"{address}/{','.join(specs)}"]
    return argv


def passt_argv(binary: str, sock: Path, log: Path, net: NetOptions) -> list[str]:
    """passt in the foreground (-f), serving one QEMU (-1), handing the guest slirp's addresses."""
    tcp = [f for f in net.ports if f.proto == "tcp"]
    udp = [f for f in net.ports if f.proto == "udp"]
    argv = [
        binary, "-f", "-1",
        "-s", str(sock),
        "-l", str(log),         # not -d: it crashed passt here
        "-a", str(net.address.ip),
        "-n", str(net.address.network.prefixlen),
        "-g", str(net.gateway),
        # DNS queries to 10.0.2.3 (slirp's resolver address) go to the host's first resolver.
        "--dns-forward", str(net.dns),
    ]
    argv += _passt_forwards("-t", tcp) + _passt_forwards("-u", udp)
    return argv


def stream_netdev(sock: Path) -> str:
    """`-netdev stream`: QEMU connects to passt's socket once, at start-up (no retry)."""
    return f"stream,id={NETDEV_ID},server=off,addr.type=unix,addr.path={sock}"


# --- the NIC -----------------------------------------------------------------------------

def nic_args(netdev: str, pcap: Path | None) -> list[str]:
    """The virtio-net NIC on `netdev` (modern-only; romfile= empty: no efi-virtio.rom needed)."""
    argv = ["-netdev", netdev,
            "-device", f"virtio-net-pci,netdev={NETDEV_ID},disable-legacy=on,romfile="]
    if pcap is not None:
        argv += ["-object", f"filter-dump,id=dump0,netdev={NETDEV_ID},file={pcap}"]
    return argv


@dataclass(frozen=True)
class Attachment:
    """A network ready for QEMU: the backend chosen and the arguments that attach it."""

    backend: str | None          # "passt", "slirp", or None for no NIC
    qemu_args: list[str] = field(default_factory=list)


@contextlib.contextmanager
def attach(net: NetOptions | None, *, env: Mapping[str, str] | None = None,
           warn: Callable[[str], None] | None = None) -> Iterator[Attachment]:
    """The network for one QEMU run: checks the forwarded ports, starts passt if it is the
    backend (and stops it when the block ends, however it ends), yields QEMU's arguments.
    `warn` receives one line when we had to pick another backend than planned."""
    if net is None or net.mode == "none":
        # QEMU's default NIC would also want efi-virtio.rom, which we do not install.
        yield Attachment(None, ["-nic", "none"])
        return
    binary = find_passt(env)
    backend = resolve_backend(net.backend, binary, bool(net.ports))
    check_ports_free(net.ports)
    if backend == "slirp":
        yield Attachment("slirp", nic_args(slirp_netdev(net), net.pcap))
        return
    assert binary is not None
    with contextlib.ExitStack() as stack:
        try:
            # Its own directory in /tmp, not inside our private one: passt may run as nobody.
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="unibuild-passt-")))
            passt.prepare_dir(directory)
            sock, log = directory / "passt.sock", directory / "passt.log"
            stack.enter_context(passt.running(passt_argv(binary, sock, log, net), sock, log))
        except UserError as e:
            stack.close()
            no_namespace = isinstance(e, passt.PasstStartError) and e.no_namespace
            if net.backend != "auto":
                if no_namespace:
                    raise UserError(f"--net-backend passt: passt cannot isolate itself here: the host refuses "
                                    f"it a user namespace (a container or chroot without them: {e.why}); "
                                    "use --net-backend slirp") from None
                raise
            # Chosen by us, not by the user: forward with slirp rather than fail, and say so in
            # one line even in a quiet run, since forwarded ports now stall under load.
            if no_namespace:
                why = "it needs a user namespace, which this host refuses (a container or chroot)"
            else:
                why = e.why if isinstance(e, passt.PasstStartError) and e.why else str(e)
            if warn is not None:
                warn(f"passt could not start ({why}); forwarding with QEMU's slirp instead, "
                     "whose listen backlog of 1 stalls under heavy concurrent load")
            yield Attachment("slirp", nic_args(slirp_netdev(net), net.pcap))
            return
        yield Attachment("passt", nic_args(stream_netdev(sock), net.pcap))
