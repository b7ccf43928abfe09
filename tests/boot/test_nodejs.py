"""Debian's nodejs (18, on Debian's libuv 1.44) in the unikernel, one boot: fs, os.cpus() (from
/proc/stat), child_process.execFileSync of a second node, a worker_threads worker, and an http
server that answers one request from the host through `-p` and then closes, which ends node and
the guest with status 0. Debian's libuv 1.44 predates libuv's io_uring use (1.45), so node's
file I/O is its thread pool's blocking calls here, as on Linux."""

from __future__ import annotations

import subprocess
import time
import urllib.request

import pytest
from lib.approot import UNIBUILD, app_root
from lib.netutil import free_port

pytestmark = pytest.mark.boot

SCRIPT = r"""
const fs = require('fs'), cp = require('child_process'), os = require('os');
const { Worker } = require('worker_threads');
const http = require('http');
fs.writeFileSync('/tmp/x.txt', 'hello fs\n');
fs.appendFileSync('/tmp/x.txt', 'more\n');
console.log('fs:', JSON.stringify(fs.readFileSync('/tmp/x.txt', 'utf8')), fs.statSync('/tmp/x.txt').size);
console.log('cpus:', os.cpus().length);
console.log('execFileSync:', JSON.stringify(cp.execFileSync('/usr/bin/node', ['-e', 'console.log(6*7)']).toString()));
const w = new Worker('require("worker_threads").parentPort.postMessage(21 * 2);', { eval: true });
w.on('message', (m) => {
  console.log('worker:', m);
  const server = http.createServer((req, res) => {
    res.end('hello from node ' + req.url + '\n');
    server.close();
  });
  server.listen(8080, () => console.log('listening'));
});
"""


def test_debian_node_fs_child_worker_http(tmp_path):
    root = app_root("nodejs", "nodejs")
    script = tmp_path / "app.js"
    script.write_text(SCRIPT)
    port = free_port()
    proc = subprocess.Popen([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "200", "--smp", "2",
                             "--target-root", str(root), "-p", f"{port}:8080", "-f", f"{script}:/app.js",
                             "/usr/bin/node", "/app.js"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 150
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/abc", timeout=60) as r:
                    body = r.read().decode()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"node did not serve (exit {proc.poll()})")
                time.sleep(0.5)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert body == "hello from node /abc\n"
    assert proc.returncode == 0, err
    assert out == ('fs: "hello fs\\nmore\\n" 14\ncpus: 2\nexecFileSync: "42\\n"\nworker: 42\nlistening\n')
