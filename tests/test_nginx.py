"""Debian's own nginx (arm64 package, unmodified) in the unikernel: the target root gets the
package with `target-root create --package nginx`, unibuild puts the package's files in the
image, and nginx serves through `-p`. Exercises the writable tree (pid file, temp paths),
AF_UNIX socketpair, signals set-up and epoll in one real server."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from netutil import free_port, get_text as get

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


def test_debian_nginx_serves_requests(tmp_path):
    subprocess.run([*UNIBUILD, "target-root", "create", str(ROOT), "--package", "nginx"], check=True,
                   stdout=subprocess.DEVNULL)
    conf = tmp_path / "mini.conf"
    conf.write_text(CONF)
    port = free_port()
    proc = subprocess.Popen([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "240", "--target-root", str(ROOT),
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
