"""A cpio archive in the "newc" format, the one Linux unpacks as an initramfs
(Documentation/driver-api/early-userspace/buffer-format.rst).

Each entry is a 110-byte ASCII header (magic 070701, then thirteen 8-digit hex fields), the
NUL-terminated name padded to 4 bytes, then the data padded to 4 bytes; a symlink's data is its
target. The archive ends with the entry TRAILER!!!. Linux accepts several archives one after
another, so a cached base archive and a per-run one are simply concatenated.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import BinaryIO


def _pad(n: int) -> bytes:
    return b"\0" * (-n % 4)


class NewcWriter:
    """Writes entries in the order given; parents must come before their children."""

    def __init__(self, out: BinaryIO):
        self._out = out
        self._ino = 1
        self._dirs: set[str] = set()

    def _entry(self, name: str, mode: int, data: bytes = b"") -> None:
        encoded = name.encode() + b"\0"
        fields = [self._ino, mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, 0, len(data),
                  0, 0, 0, 0, len(encoded), 0]
        self._ino += 1
        header = b"070701" + b"".join(b"%08x" % f for f in fields)
        self._out.write(header + encoded + _pad(len(header) + len(encoded)))
        self._out.write(data + _pad(len(data)))

    def directory(self, name: str, mode: int = 0o755) -> None:
        """`name` and each missing parent (names are relative: "usr/bin")."""
        parts = name.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            path = "/".join(parts[:i])
            if path and path not in self._dirs:
                self._dirs.add(path)
                self._entry(path, stat.S_IFDIR | mode)

    def file(self, name: str, data: bytes, mode: int = 0o644) -> None:
        name = name.strip("/")
        self.directory(name.rpartition("/")[0])
        self._entry(name, stat.S_IFREG | mode, data)

    def host_file(self, name: str, source: Path) -> None:
        """A host file's bytes, executable if the host file is."""
        mode = 0o755 if source.stat().st_mode & stat.S_IXUSR else 0o644
        self.file(name, source.read_bytes(), mode)

    def symlink(self, name: str, target: str) -> None:
        name = name.strip("/")
        self.directory(name.rpartition("/")[0])
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def close(self) -> None:
        self._entry("TRAILER!!!", 0)
