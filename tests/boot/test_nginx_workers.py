"""Debian's nginx with its stock /etc/nginx/nginx.conf: a master process and `worker_processes
auto` workers (fork, setgid/setuid to www-data, a socketpair channel with O_ASYNC per worker),
`daemon off` given on the command line as container images do. The package's postinst is not
run by `target-root create`, so the image gets what it would have made: the default site
enabled and its index page."""

from __future__ import annotations

import re
from pathlib import Path
import subprocess
import sys
import time

import pytest
from lib.netutil import free_port, get_text as get

from unibuild.paths import BUILD_DIR

pytestmark = pytest.mark.boot

UNIBUILD = [sys.executable, "-m", "unibuild"]
ROOT = BUILD_DIR / "target-root-nginx"


def test_stock_nginx_master_and_workers_serve_ab_c32_without_failures():
    subprocess.run([*UNIBUILD, "target-root", "create", str(ROOT), "--package", "nginx"], check=True,
                   stdout=subprocess.DEVNULL)
    page = (ROOT / "usr/share/nginx/html/index.html").read_text()
    port = free_port()
    proc = subprocess.Popen([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "120", "--target-root", str(ROOT),
                             "-f", f"{ROOT}/etc/nginx/sites-available/default:/etc/nginx/sites-enabled/default",
                             "-f", f"{ROOT}/usr/share/nginx/html/index.html:/var/www/html/index.nginx-debian.html",
                             "-p", f"{port}:80", "/usr/sbin/nginx", "-g", "daemon off;"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = get(port, "/")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"nginx did not come up (exit {proc.poll()})")
                time.sleep(0.5)
        assert (status, body) == (200, page)
        ab = subprocess.run(["ab", "-q", "-s", "30", "-n", "2000", "-c", "32", f"http://127.0.0.1:{port}/"],
                            capture_output=True, text=True, timeout=120)
        assert ab.returncode == 0, ab.stderr
        assert re.search(r"^Complete requests:\s+2000$", ab.stdout, re.M), ab.stdout
        assert re.search(r"^Failed requests:\s+0$", ab.stdout, re.M), ab.stdout
        assert not re.search(r"^Non-2xx responses:", ab.stdout, re.M), ab.stdout
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert "[emerg]" not in err and "[alert]" not in err, err


BUSYBOX_ROOT = BUILD_DIR / "target-root-nginx-busybox"
KILL_WORKER = Path(__file__).parent / "guest" / "nginx_kill_worker.sh"


def test_a_worker_killed_with_sigkill_is_restarted_by_the_master():
    subprocess.run([*UNIBUILD, "target-root", "create", str(BUSYBOX_ROOT), "--package", "nginx", "--package", "busybox"],
                   check=True, stdout=subprocess.DEVNULL)
    root, port = BUSYBOX_ROOT, free_port()
    proc = subprocess.Popen([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "120", "--target-root", str(root),
                             "--with", "/usr/sbin/nginx", "-f", f"{KILL_WORKER}:/kill_worker.sh",
                             "-f", f"{root}/etc/nginx/sites-available/default:/etc/nginx/sites-enabled/default",
                             "-f", f"{root}/usr/share/nginx/html/index.html:/var/www/html/index.nginx-debian.html",
                             "-p", f"{port}:80", "/bin/busybox", "sh", "/kill_worker.sh"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        log = []
        for line in proc.stderr:           # the script prints nginx's log once the worker is back
            log.append(line)
            if "start worker process" in line and any("exited on signal 9" in seen for seen in log):
                break
        text = "".join(log)
        killed = re.search(r"\[alert\] \d+#\d+: worker process (\d+) exited on signal 9", text)
        assert killed, text
        restarted = re.findall(r"start worker process (\d+)", text)
        assert len(restarted) == 2 and restarted[1] != killed.group(1), text
        assert get(port, "/")[0] == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
