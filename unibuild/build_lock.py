"""One builder at a time per build product, across processes.

Two `unibuild run`s started together (parallel CI jobs, `pytest -n`) would otherwise both run
the kernel's make in the same tree, or both unpack a target root into the same directory, and
each could see the other's half-written files. A builder takes an exclusive flock on a lock file
beside the product; the second waits, then finds the product up to date. flock is released by
the kernel when the holder dies, so a killed build never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def exclusive(lock_file: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Holds an exclusive flock on `lock_file` (created if missing); `waiting` is called once
    if another process holds it, before blocking."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)   # closing the only descriptor drops the lock
