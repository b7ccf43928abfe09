"""Helpers the network tests share: a free loopback port, a GET over loopback, and whether passt
can run here."""

from __future__ import annotations

import shutil
import socket
import subprocess
import urllib.request

import pytest


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A port nothing on 127.0.0.1 uses right now (the forward's host side)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_text(port: int, path: str) -> tuple[int, str]:
    """Status and decoded body of GET http://127.0.0.1:PORT/PATH."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as r:
        return r.status, r.read().decode()


def passt_can_run() -> bool:
    """passt sandboxes itself in a user namespace; some chroots and containers (the fresh-machine
    chroot) refuse them, and there passt cannot run at all."""
    return shutil.which("passt") is not None and \
        subprocess.run(["unshare", "--user", "true"], capture_output=True).returncode == 0


needs_real_passt = pytest.mark.skipif(not passt_can_run(),
                                      reason="passt cannot run here (not installed, or no user namespaces)")
