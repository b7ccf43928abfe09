"""Helpers the network boot tests share: a free loopback port, and a GET over loopback."""

from __future__ import annotations

import socket
import urllib.request


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A port nothing on 127.0.0.1 uses right now (the forward's host side)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_text(port: int, path: str) -> tuple[int, str]:
    """Status and decoded body of GET http://127.0.0.1:PORT/PATH."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as r:
        return r.status, r.read().decode()
