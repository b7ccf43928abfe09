"""The host side of networking: -p parsing, static IP, backend choice, the NIC's QEMU arguments,
the port-in-use check, and passt's lifetime with a fake passt (with QEMU and the real passt:
tests/boot/test_network_boot.py)."""

from __future__ import annotations

import json
import shutil
import socket
import tempfile
import stat
import subprocess
from pathlib import Path

import pytest

from lib.fake_passt import pid_alive
from lib.netutil import free_port, needs_real_passt
from unibuild.errors import UserError
from unibuild.host import HostInfo, KvmStatus
from unibuild.launch import LaunchOptions, build_command, network, passt
from unibuild.launch.network import (
    PortForward,
    attach,
    check_ports_free,
    net_options,
    parse_port,
    parse_static_ip,
    passt_argv,
    resolve_backend,
    slirp_netdev,
)
from unibuild.platform import load_platform

X86 = HostInfo("x86_64", KvmStatus(False, "host is x86_64"))


# --- -p HOST[:GUEST][/udp] -----------------------------------------------------------------

@pytest.mark.parametrize("spec, expected", [
    ("8080", PortForward(8080, 8080, "tcp")),
    ("8080:80", PortForward(8080, 80, "tcp")),
    ("5353:53/udp", PortForward(5353, 53, "udp")),
    ("53/UDP", PortForward(53, 53, "udp")),
    ("443/tcp", PortForward(443, 443, "tcp")),
    ("0.0.0.0:8080:80", PortForward(8080, 80, "tcp", "0.0.0.0")),
    ("192.168.1.5:5353:53/udp", PortForward(5353, 53, "udp", "192.168.1.5")),
])
def test_port_specs_parse_to_host_guest_and_protocol(spec, expected):
    assert parse_port(spec) == expected


@pytest.mark.parametrize("spec, message", [
    ("0", "out of range"),
    ("8080:70000", "out of range"),
    ("http", "bad port forward"),
    ("8080:", "bad port forward"),
    ("1.2.3.4:80", "bad port forward"),
    ("999.1.1.1:80:80", "not an IPv4 address"),
    ("8080/sctp", "unknown protocol 'sctp'"),
])
def test_bad_port_specs_are_one_line_errors(spec, message):
    with pytest.raises(UserError, match=message) as e:
        parse_port(spec)
    assert "\n" not in str(e.value)


def test_the_same_host_port_may_not_be_forwarded_twice_per_protocol():
    with pytest.raises(UserError, match="host port 8080/tcp is forwarded twice"):
        net_options(ports=("8080", "8080:80"))
    both = net_options(ports=("8080", "8080/udp"))
    assert [f.proto for f in both.ports] == ["tcp", "udp"]


def test_net_none_refuses_ports_and_a_static_address():
    with pytest.raises(UserError, match="-p needs a network; drop --net none"):
        net_options("none", ports=("8080",))
    static = parse_static_ip("10.0.2.20/24", None)
    with pytest.raises(UserError, match="--ip needs a network"):
        net_options("none", static_ip=static)
    with pytest.raises(UserError, match="-p and --ip need a network"):
        net_options("none", ports=("8080",), static_ip=static)


# --- static address ----------------------------------------------------------------------

def test_static_ip_becomes_dotted_kernel_options_with_the_subnets_dot_2_as_gateway():
    static = parse_static_ip("192.168.7.9/24", None)
    assert static.kernel_options() == {"ip": "192.168.7.9", "netmask": "255.255.255.0",
                                       "gateway": "192.168.7.2"}
    assert parse_static_ip("10.1.0.5/16", "10.1.200.1").kernel_options() == {
        "ip": "10.1.0.5", "netmask": "255.255.0.0", "gateway": "10.1.200.1"}
    assert parse_static_ip(None, None) is None


@pytest.mark.parametrize("ip, gateway, message", [
    ("10.0.2.15", None, "needs a prefix length"),
    ("10.0.2.300/24", None, "not an IPv4 address"),
    ("10.0.2.15/24", "10.0.3.1", "not a host address in 10.0.2.0/24"),
    ("10.0.2.15/24", "10.0.2.15", "the guest's own address"),
    ("10.0.2.0/24", None, "network address"),
    ("10.0.2.2/24", None, "give --gateway"),
    (None, "10.0.2.2", "--gateway needs --ip"),
])
def test_bad_static_addresses_are_refused(ip, gateway, message):
    with pytest.raises(UserError, match=message):
        parse_static_ip(ip, gateway)


# --- backend choice and QEMU arguments ---------------------------------------------------

def test_auto_backend_is_passt_when_installed_else_slirp():
    assert resolve_backend("auto", "/usr/bin/passt") == "passt"
    assert resolve_backend("auto", "/usr/bin/passt", forwards_ports=False) == "slirp"
    assert resolve_backend("auto", None) == "slirp"
    assert resolve_backend("slirp", "/usr/bin/passt") == "slirp"


def test_asking_for_passt_without_it_says_what_to_install():
    with pytest.raises(UserError, match="install the Debian package passt, or use --net-backend slirp"):
        resolve_backend("passt", None)


def test_slirp_forwards_bind_loopback_and_target_the_guest_address():
    net = net_options(ports=("8080:80", "5353:53/udp"))
    netdev = slirp_netdev(net)
    assert netdev.startswith("user,id=n0,net=10.0.2.0/24,host=10.0.2.2,dns=10.0.2.3,")
    assert "hostfwd=tcp:127.0.0.1:8080-10.0.2.15:80" in netdev
    assert "hostfwd=udp:127.0.0.1:5353-10.0.2.15:53" in netdev


def test_slirp_follows_a_static_address():
    net = net_options(ports=("8080",), static_ip=parse_static_ip("192.168.5.9/24", "192.168.5.1"))
    netdev = slirp_netdev(net)
    assert "net=192.168.5.0/24,host=192.168.5.1,dns=192.168.5.3,dhcpstart=192.168.5.9" in netdev
    assert "hostfwd=tcp:127.0.0.1:8080-192.168.5.9:8080" in netdev


def test_passt_runs_in_the_foreground_for_one_client_with_slirps_addresses():
    argv = passt_argv("passt", Path("/d/s.sock"), Path("/d/log"), net_options(ports=("8080:80",)))
    assert argv[:3] == ["passt", "-f", "-1"]
    pairs = dict(zip(argv[3::2], argv[4::2]))
    assert pairs["-s"] == "/d/s.sock" and pairs["-l"] == "/d/log"
    assert (pairs["-a"], pairs["-n"], pairs["-g"]) == ("10.0.2.15", "24", "10.0.2.2")
    # Forwards name 127.0.0.1 (a bare port would bind every interface), and UDP is
    # switched off explicitly (passt would otherwise mirror the TCP ports).
    assert (pairs["-t"], pairs["-u"]) == ("127.0.0.1/8080:80", "none")
    assert "-d" not in argv


def test_passt_forwards_several_ports_with_one_address_prefix_per_spec():
    # passt refuses `127.0.0.1/80:80,127.0.0.1/8443:443` ("Invalid port specifier"): one
    # address prefix per spec, and one spec (a -t or -u of its own) per address.
    argv = passt_argv("passt", Path("s"), Path("l"),
                      net_options(ports=("80", "8443:443", "0.0.0.0:9000:90", "53/udp")))
    flags = list(zip(argv[3::2], argv[4::2]))
    assert [v for f, v in flags if f == "-t"] == ["127.0.0.1/80:80,8443:443", "0.0.0.0/9000:90"]
    assert [v for f, v in flags if f == "-u"] == ["127.0.0.1/53:53"]


@needs_real_passt
def test_passt_itself_accepts_two_forwards_and_two_addresses():
    """The real passt parses what we give it: it opens its socket (a bad spec makes it exit)."""
    from unibuild.launch import passt as passt_process
    from lib.netutil import free_port
    a, b, c = free_port(), free_port(), free_port()
    net = net_options(ports=(f"{a}:8080", f"{b}:8080", f"127.0.0.2:{c}:8081"))
    # In /tmp as the launcher does: a root-started passt runs as nobody, who must reach it.
    with tempfile.TemporaryDirectory(prefix="unibuild-test-passt-") as tmp:
        directory = Path(tmp)
        passt_process.prepare_dir(directory)
        sock, log = directory / "passt.sock", directory / "passt.log"
        with passt_process.running(passt_argv(shutil.which("passt"), sock, log, net), sock, log):
            assert sock.exists()


def test_the_nic_is_modern_virtio_net_without_an_option_rom_and_can_capture():
    args = network.nic_args("user,id=n0", Path("/tmp/cap.pcap"))
    assert args[args.index("-device") + 1] == "virtio-net-pci,netdev=n0,disable-legacy=on,romfile="
    assert args[args.index("-object") + 1] == "filter-dump,id=dump0,netdev=n0,file=/tmp/cap.pcap"


def test_build_command_has_no_nic_by_default_and_the_attachments_args_otherwise():
    virt = load_platform("virt")
    sock = Path("/tmp/x/qmp.sock")
    plain = build_command(virt, Path("Image"), LaunchOptions(accel="tcg"), X86, sock).argv
    assert plain[plain.index("-nic") + 1] == "none"
    nic = network.nic_args(network.stream_netdev(Path("/p/passt.sock")), None)
    argv = build_command(virt, Path("Image"), LaunchOptions(accel="tcg"), X86, sock, network=nic).argv
    assert "-nic" not in argv
    assert argv[argv.index("-netdev") + 1] == "stream,id=n0,server=off,addr.type=unix,addr.path=/p/passt.sock"


# --- ports in use ------------------------------------------------------------------------

def test_a_port_with_a_listener_is_in_use_even_on_the_wildcard_address():
    for address in ("127.0.0.1", "0.0.0.0"):
        with socket.socket() as listener:
            listener.bind((address, 0))
            listener.listen()
            port = listener.getsockname()[1]
            with pytest.raises(UserError, match=f"host port {port}/tcp on 127.0.0.1 is already in use"):
                check_ports_free([PortForward(port, 80)])


def test_a_udp_port_in_use_is_reported_and_a_free_port_passes():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        with pytest.raises(UserError, match=f"host port {port}/udp"):
            check_ports_free([PortForward(port, 53, "udp")])
    check_ports_free([PortForward(free_port(), 80), PortForward(free_port(socket.SOCK_DGRAM), 53, "udp")])


def test_boot_with_a_busy_port_fails_before_qemu_starts(run_cli, tmp_path):
    kernel = tmp_path / "Image"
    kernel.write_bytes(b"\0" * 64)   # never booted: the port check comes first
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        r = run_cli("boot", "--kernel", str(kernel), "--accel", "tcg", "-p", f"{port}:80", timeout=30)
    assert r.returncode == 125
    assert r.stderr == (f"unibuild: host port {port}/tcp on 127.0.0.1 is already in use "
                        f"(Address already in use); pick another with -p PORT:80\n")
    assert r.stdout == ""


def test_cli_option_errors_are_one_line(run_cli):
    r = run_cli("boot", "--kernel", "/nonexistent", "--net", "none", "-p", "8080")
    assert (r.returncode, r.stderr) == (125, "unibuild: -p needs a network; drop --net none\n")
    r = run_cli("boot", "--kernel", "/nonexistent", "-p", "99999")
    assert r.stderr == "unibuild: port 99999 in -p 99999 is out of range; use 1..65535\n"


def test_run_config_file_keys_for_the_network(run_cli, tmp_path):
    config = tmp_path / "net.json"
    config.write_text(json.dumps({"ports": "8080"}))
    r = run_cli("run", "-c", str(config), "prog")
    assert r.stderr.startswith("unibuild: config key ports must be a list")
    # Config values go through the same checks as the options they stand for.
    config.write_text(json.dumps({"net": "none", "ports": ["8080"]}))
    r = run_cli("run", "-c", str(config), "prog")
    assert r.stderr == "unibuild: -p needs a network; drop --net none\n"
    config.write_text(json.dumps({"ip": "10.0.2.15", "gateway": "10.0.2.2"}))
    r = run_cli("run", "-c", str(config), "prog")
    assert r.stderr == "unibuild: --ip 10.0.2.15 needs a prefix length, e.g. --ip 10.0.2.15/24\n"


def test_build_writes_the_static_address_as_kernel_options(run_cli, tmp_path):
    program = tmp_path / "prog"
    program.write_text("not an ELF, placed by hand\n")
    image = tmp_path / "img.tfs"
    r = run_cli("build", "-o", str(image), "--ip", "10.0.2.20/24", f"{program}:/prog")
    assert r.returncode == 0, r.stderr
    dump = json.loads(run_cli("dump", "--json", str(image)).stdout)
    assert {k: dump["boot"]["kernel"][k] for k in ("ip", "netmask", "gateway")} == {
        "ip": "10.0.2.20", "netmask": "255.255.255.0", "gateway": "10.0.2.2"}


# --- passt's lifetime, with a fake passt -------------------------------------------------

def test_passt_is_up_with_its_socket_inside_the_block_and_gone_after(fake_passt):
    with attach(net_options(ports=(str(free_port()),))) as net:
        assert net.backend == "passt"
        [pid] = fake_passt()
        assert pid_alive(pid)
        netdev = net.qemu_args[net.qemu_args.index("-netdev") + 1]
        sock = Path(netdev.rsplit("addr.path=", 1)[1])
        assert stat.S_ISSOCK(sock.stat().st_mode)
    assert not pid_alive(pid)
    assert not sock.parent.exists()


def test_passt_is_stopped_when_the_run_is_interrupted(fake_passt):
    with pytest.raises(KeyboardInterrupt):
        with attach(net_options(backend="passt")):
            raise KeyboardInterrupt
    [pid] = fake_passt()
    assert not pid_alive(pid)


def test_a_passt_ignoring_sigterm_is_killed(fake_passt, monkeypatch):
    monkeypatch.setenv("FAKE_PASST_MODE", "ignore-term")
    with attach(net_options(backend="passt")):
        pass
    [pid] = fake_passt()
    assert not pid_alive(pid)


def test_passt_failing_to_start_is_one_line_with_its_log(fake_passt, monkeypatch):
    monkeypatch.setenv("FAKE_PASST_MODE", "fail")
    with pytest.raises(UserError, match=r"passt exited \(status 1\) before opening its socket: "
                                        r"Failed to bind UNIX domain socket"):
        with attach(net_options(backend="passt")):
            pytest.fail("QEMU must not start without passt's socket")


def test_auto_backend_falls_back_to_slirp_with_a_warning_when_passt_cannot_start(fake_passt, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_PASST_MODE", "fail")
    warnings: list[str] = []
    with attach(net_options(ports=[str(free_port())]), warn=warnings.append) as net:
        assert net.backend == "slirp" and any("hostfwd=" in a for a in net.qemu_args)
    assert capsys.readouterr().err == ""   # library code never writes to the terminal itself
    [warning] = warnings
    assert "\n" not in warning and "passt could not start" in warning and "slirp" in warning


def test_passt_refused_a_user_namespace_falls_back_to_slirp_when_chosen_automatically(fake_passt, monkeypatch):
    monkeypatch.setenv("FAKE_PASST_MODE", "no-userns")
    warnings: list[str] = []
    with attach(net_options(ports=[str(free_port())]), warn=warnings.append) as net:
        assert net.backend == "slirp" and any("hostfwd=" in a for a in net.qemu_args)
    [warning] = warnings
    assert "\n" not in warning and "needs a user namespace" in warning and "slirp" in warning
    assert "ERROR" not in warning and "version" not in warning   # passt's log prefix and banner


def test_passt_refused_a_user_namespace_is_one_line_when_asked_for(fake_passt, monkeypatch):
    monkeypatch.setenv("FAKE_PASST_MODE", "no-userns")
    with pytest.raises(UserError) as raised:
        with attach(net_options(backend="passt", ports=[str(free_port())]), warn=pytest.fail):
            pytest.fail("QEMU must not start without passt's socket")
    message = str(raised.value)
    assert "\n" not in message and message.count("Couldn't create user namespace") == 1, message
    assert message.startswith("--net-backend passt: ") and message.endswith("use --net-backend slirp")


def test_passt_that_never_makes_its_socket_times_out_and_is_stopped(fake_passt, monkeypatch):
    monkeypatch.setenv("FAKE_PASST_MODE", "hang")
    monkeypatch.setattr(passt, "START_TIMEOUT", 0.3)
    with pytest.raises(UserError, match="passt did not create its socket within 0.3 s"):
        with attach(net_options(backend="passt")):
            pytest.fail("QEMU must not start without passt's socket")
    [pid] = fake_passt()
    assert not pid_alive(pid)


def test_slirp_and_no_network_start_no_helper(fake_passt):
    with attach(net_options(backend="slirp", ports=("8080",))) as net:
        assert net.backend == "slirp" and "-netdev" in net.qemu_args
    with attach(net_options("none")) as net:
        assert (net.backend, net.qemu_args) == (None, ["-nic", "none"])
    with attach(None) as net:
        assert net.backend is None
    assert fake_passt() == []


# --- doctor ------------------------------------------------------------------------------

def test_doctor_shows_which_backend_guests_get(fake_bin):
    from unibuild.host.doctor import run_checks

    def row():
        return {c.name: c for c in run_checks(env=fake_bin.env, arch="x86_64")}["network backend"]

    assert row().value == "slirp (QEMU's built-in; passt not installed)"
    assert "install the Debian package passt" in row().advice and not row().required
    path = fake_bin.add("passt")
    assert row().value == f"passt at {path} (default for -p forwards; slirp otherwise)"


# --- examples/websrv, checked where it runs today: under qemu-aarch64-static ---------------

@pytest.fixture(scope="module")
def websrv(tmp_path_factory):
    """The cross-compiled static websrv serving on a free port under qemu-aarch64-static."""
    if shutil.which("qemu-aarch64-static") is None:
        pytest.fail("qemu-aarch64-static missing: install qemu-user-static (make test does)")
    out = tmp_path_factory.mktemp("websrv")
    root = Path(__file__).resolve().parents[2]
    subprocess.run(["make", "-s", "-C", str(root / "examples" / "websrv"), f"OUT={out}",
                    f"{out}/websrv-static"], check=True)
    port = free_port()
    proc = subprocess.Popen(["qemu-aarch64-static", str(out / "websrv-static"), str(port)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == f"websrv: listening on port {port} (tcp http, udp echo)\n"
        yield port
    finally:
        proc.kill()
        proc.wait()


def http_exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data


def test_websrv_serves_keep_alive_and_pipelined_requests_in_order(websrv):
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", websrv, timeout=10)
    for path, status, length in (("/", 200, None), ("/bytes/100000", 200, 100000), ("/nope", 404, None)):
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        assert r.status == status and r.getheader("Connection") == "keep-alive"
        assert length is None or body == b"x" * length
    conn.close()
    data = http_exchange(websrv, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
                                 b"HEAD /bytes/5 HTTP/1.1\r\n\r\n"
                                 b"GET /bytes/3 HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert data.count(b"HTTP/1.1 200 OK\r\n") == 3
    assert data.endswith(b"Content-Length: 3\r\nConnection: close\r\n\r\nxxx")


def test_websrv_closes_http_1_0_and_refuses_other_methods(websrv):
    assert b"Connection: close" in http_exchange(websrv, b"GET / HTTP/1.0\r\n\r\n")
    assert http_exchange(websrv, b"POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi").startswith(
        b"HTTP/1.1 405 Method Not Allowed")


def test_websrv_echoes_udp(websrv):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(10)
        s.sendto(b"ping", ("127.0.0.1", websrv))
        assert s.recvfrom(100)[0] == b"ping"
