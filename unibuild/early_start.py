"""QEMU started before the image and kernel checks finish (issue 17: a warm `unibuild run`).

A warm run boots the image its cache holds and the kernel its stamp vouches for, and QEMU needs
35-50 ms of its own start-up before a guest can run. So pipeline.run starts QEMU (paused, -S)
right away with the files those checks would name if nothing changed, and runs the checks
meanwhile. The guest is resumed only if the checks end on exactly those files: the same paths,
with the same device, inode, size and mtime as before QEMU was started, so what QEMU opened is
what the checks vouched for. Otherwise (a changed input, a rebuilt kernel, a cache miss) that
QEMU is killed unused, with its network and control socket, before the boot starts afresh.

An early start that fails is not an error: whatever went wrong is met again, and reported as
always, by the ordinary boot, in the ordinary order (the image's errors first). Its warnings are
kept, and shown only if its QEMU is the one that runs.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .errors import UserError
from .host.probe import HostInfo
from .launch.qemu_cmdline import LaunchOptions
from .platform import Platform


def file_identity(path: Path) -> tuple[int, int, int, int] | None:
    """What tells one version of a file from another: a rewrite or a rename changes one of them."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class EarlyStart:
    """A paused QEMU for `image` and `kernel`, as they were when it started."""

    def __init__(self, stack: contextlib.ExitStack, qemu, image: Path, kernel: Path,
                 identities: tuple, warnings: list[str]):
        self._stack = stack
        self.qemu = qemu                 # a launch.qemu_start.Launched
        self.image, self.kernel = image, kernel
        self._identities = identities
        self.warnings = warnings         # the network's, to be shown if this QEMU runs

    def holds(self, image: Path, kernel: Path) -> bool:
        """Whether this QEMU boots exactly `image` and `kernel` as they are now."""
        return (Path(image), Path(kernel)) == (self.image, self.kernel) and \
            (file_identity(self.image), file_identity(self.kernel)) == self._identities

    def close(self) -> None:
        """Ends QEMU (unless it ran) and releases its network and control socket."""
        self._stack.close()


def start_early(platform: Platform, image: Path, kernel: Path, options: LaunchOptions,
                host: HostInfo) -> EarlyStart | None:
    """QEMU started paused for `image` and `kernel`, or None when either is missing or the start
    itself fails (the ordinary boot will say why)."""
    from .launch.qemu_start import launched
    identities = (file_identity(image), file_identity(kernel))
    if None in identities:
        return None
    warnings: list[str] = []
    stack = contextlib.ExitStack()
    try:
        qemu = stack.enter_context(launched(platform, kernel, replace(options, disk=image), host=host,
                                            warn=warnings.append))
    except UserError:
        stack.close()
        return None
    except BaseException:
        stack.close()
        raise
    return EarlyStart(stack, qemu, Path(image), Path(kernel), identities, warnings)


def replay(warnings: list[str], warn: Callable[[str], None] | None) -> None:
    for line in warnings:
        if warn is not None:
            warn(line)
