"""Debian's own nginx (arm64 package, unmodified) in the unikernel: the target root gets the
package with `target-root create --package nginx`, unibuild puts the package's files in the
image, and nginx serves through `-p`. Exercises the writable tree (pid file, temp paths),
AF_UNIX socketpair, signals set-up and epoll in one real server."""

from __future__ import annotations

import struct
import subprocess
import sys
import time
from pathlib import Path
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from lib.netutil import free_port, get_text as get

from unibuild.paths import BUILD_DIR

pytestmark = pytest.mark.boot

UNIBUILD = [sys.executable, "-m", "unibuild"]
ROOT = BUILD_DIR / "target-root-nginx"
CONF = """daemon off;
master_process off;
error_log stderr notice;
events { worker_connections 256; }
http {
    access_log off;
    server {
        listen 80;
        location / { return 200 "hello from nginx $uri\\n"; }
    }
}
"""


def tcp_payloads_from_port(pcap: Path, port: int) -> list[bytes]:
    """The TCP payloads an IPv4 pcap (QEMU's filter-dump) holds from source port `port`."""
    data, out, off = pcap.read_bytes(), [], 24
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        frame, off = data[off + 16:off + 16 + incl], off + 16 + incl
        if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
            continue
        ihl = (frame[14] & 15) * 4
        tcp = frame[14 + ihl:]
        total = struct.unpack(">H", frame[16:18])[0]
        payload = tcp[(tcp[12] >> 4) * 4:total - ihl]
        if struct.unpack(">H", tcp[:2])[0] == port and payload:
            out.append(bytes(payload))
    return out


def test_debian_nginx_serves_requests(tmp_path):
    subprocess.run([*UNIBUILD, "target-root", "create", str(ROOT), "--package", "nginx"], check=True,
                   stdout=subprocess.DEVNULL)
    conf = tmp_path / "mini.conf"
    conf.write_text(CONF)
    port = free_port()
    pcap = tmp_path / "nginx.pcap"
    proc = subprocess.Popen([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "240", "--target-root", str(ROOT),
                             "--pcap", str(pcap),
                             "-f", f"{conf}:/etc/nginx/mini.conf", "-p", f"{port}:80",
                             "/usr/sbin/nginx", "-c", "/etc/nginx/mini.conf"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, body = get(port, "/first")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"nginx did not come up (exit {proc.poll()}): {proc.stderr.read()}")
                time.sleep(0.5)
        assert (status, body) == (200, "hello from nginx /first\n")
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda i: get(port, f"/r{i}"), range(100)))
        assert answers == [(200, f"hello from nginx /r{i}\n") for i in range(100)]
    finally:
        proc.kill()
        proc.wait()
    # nginx writes a response with one writev (headers, body): one segment on the wire, as Linux
    # sends it. Two segments would make a keep-alive client wait on Nagle and delayed ACKs.
    first = tcp_payloads_from_port(pcap, 80)[0]
    assert first.startswith(b"HTTP/1.1 200") and first.endswith(b"hello from nginx /first\n")
