"""Debian's redis-server (arm64 package, unmodified) in the unikernel, talked to from the host
through `-p` in Redis's own protocol: SET/GET, BGSAVE (a fork whose child writes the RDB file
while the parent serves, and reports its copy-on-write from /proc/self/smaps), INFO, and
SHUTDOWN, which must end the guest with status 0. Then daemonized in the guest with an
append-only file, driven by redis-cli over loopback (tests/boot/guest/redis.sh). Redis refuses to start on arm64 unless
/proc/self/smaps shows a page written before a fork as Shared_Dirty in the child
(tests/boot/test_smaps.py checks that against Linux)."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
from lib.approot import UNIBUILD, app_root
from lib.guest import GUEST_SOURCES
from lib.netutil import free_port

pytestmark = pytest.mark.boot


class Resp:
    """A Redis client: commands as RESP arrays of bulk strings, replies parsed."""

    def __init__(self, port: int, proc: subprocess.Popen, deadline: float = 120):
        end = time.monotonic() + deadline
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
                self.file = self.sock.makefile("rb")
                if self.command("PING") == b"PONG":
                    return
            except OSError:         # refused or reset: the server is not listening yet
                pass
            if proc.poll() is not None or time.monotonic() > end:
                raise AssertionError(f"redis-server did not come up (exit {proc.poll()})")
            time.sleep(0.5)

    def reply(self):
        line = self.file.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b"$":
            return None if int(rest) < 0 else self.file.read(int(rest) + 2)[:-2]
        if kind == b"*":
            return [self.reply() for _ in range(int(rest))]
        if kind == b":":
            return int(rest)
        return rest if kind == b"+" else line

    def command(self, *words: str):
        self.sock.sendall(f"*{len(words)}\r\n".encode() +
                          b"".join(f"${len(w)}\r\n{w}\r\n".encode() for w in words))
        return self.reply()


def info(client: Resp, section: str) -> dict[str, str]:
    text = client.command("INFO", section).decode()
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def test_debian_redis_set_get_bgsave_shutdown():
    root = app_root("redis", "redis-server", "redis-tools", "busybox")
    port = free_port()
    proc = subprocess.Popen([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "200", "--target-root", str(root),
                             "-p", f"{port}:6379", "/usr/bin/redis-server", "--port", "6379", "--dir", "/tmp",
                             "--save", "", "--protected-mode", "no"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        client = Resp(port, proc)
        assert client.command("SET", "greeting", "hello") == b"OK"
        assert client.command("GET", "greeting") == b"hello"
        assert client.command("RPUSH", "list", "a", "b", "c") == 3
        assert client.command("LRANGE", "list", "0", "-1") == [b"a", b"b", b"c"]
        assert client.command("BGSAVE") == b"Background saving started"
        for _ in range(240):
            persistence = info(client, "persistence")
            if persistence["rdb_bgsave_in_progress"] == "0":
                break
            time.sleep(0.5)
        assert (persistence["rdb_last_bgsave_status"], persistence["rdb_saves"]) == ("ok", "1")
        assert info(client, "keyspace")["db0"].startswith("keys=2,")
        client.sock.sendall(b"*1\r\n$8\r\nSHUTDOWN\r\n")
        assert client.file.read() == b""     # no reply: the server closes and exits
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0, err
    assert "DB saved on disk" in out and "Redis is now ready to exit, bye bye" in out
    assert "Background saving terminated with success" in out


def test_debian_redis_daemon_and_cli_in_the_guest():
    root = app_root("redis", "redis-server", "redis-tools", "busybox")
    result = subprocess.run([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "120", "--net", "none",
                             "--target-root", str(root), "--with", "/bin/busybox", "--with", "/usr/bin/redis-server",
                             "--with", "/usr/bin/redis-cli", str(GUEST_SOURCES / "redis.sh")],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("OK\nv\n41\n42\nBackground append only file rewriting started\n"
                             "aof_last_bgrewrite_status:ok\naof_rewrites:1\n"
                             "appendonly.aof.N.base.rdb\nappendonly.aof.N.incr.aof\nappendonly.aof.manifest\n1\n")
