"""Starting QEMU for one boot, paused (-S), apart from running the guest (qemu_run.py).

`launched` sets up what the QEMU process needs (the network, volume locks, a private directory
for its control socket) and starts it; Launched.run then drives the guest to its end. Kept
apart from qemu_run.py, whose import (the exit report's parsing, the console, the QMP session's
asyncio) is not needed to start QEMU: a caller that starts QEMU early (pipeline.run) imports it
while QEMU starts up.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from ..errors import UserError
from ..host import probe as host_probe
from ..host.probe import QEMU_PACKAGE, HostInfo
from ..platform import Platform
from .child import die_with_parent
from .network import attach
from .qemu_cmdline import LaunchOptions, QemuCommand, build_command

if TYPE_CHECKING:
    from .qemu_run import BootResult


def _spawn(command: QemuCommand) -> subprocess.Popen:
    """QEMU, started paused (-S) in its own session: our terminal's Ctrl-C must not reach it."""
    try:
        return subprocess.Popen(
            command.argv,
            # The serial line's input: the program's stdin with a multiplexed console (a
            # pipe, never our terminal), else nothing.
            stdin=subprocess.PIPE if command.console_mux else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
    except FileNotFoundError:
        raise UserError(
            f"{command.argv[0]} not found on PATH: install the Debian package {QEMU_PACKAGE}"
        ) from None


class Launched:
    """A QEMU process started paused (-S) for one boot, not yet driven: `run` resumes the guest
    and waits for its result. Starting QEMU apart from running it lets a caller overlap QEMU's
    own start-up (tens of ms) with work of its own (pipeline.run)."""

    def __init__(self, command: QemuCommand, proc: subprocess.Popen, started: float):
        self.command, self.proc, self.started = command, proc, started

    def run(self, *, echo: BinaryIO | TextIO | None = None, echo_err: BinaryIO | TextIO | None = None,
            stdin: int | None = None, quiet_kernel: bool = False) -> BootResult:
        """Runs the guest to completion; `echo` receives the console live (with a multiplexed
        console, `echo_err` gets the program's stderr and the kernel's messages). `stdin` is a
        file descriptor whose bytes become the program's stdin (None: it is empty);
        `quiet_kernel` keeps the kernel's lines out of `echo_err` (they are still in kernel_log)."""
        from .qemu_run import run_launched
        return run_launched(self, echo, echo_err, stdin, quiet_kernel)


@contextlib.contextmanager
def spawned(command: QemuCommand) -> Iterator[Launched]:
    """QEMU for `command`, started paused; it does not outlive the block."""
    started = time.monotonic()
    proc = _spawn(command)
    try:
        yield Launched(command, proc, started)
    finally:
        if proc.poll() is None:        # the run never took over: QEMU must not outlive us
            proc.kill()
            proc.wait()
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


@contextlib.contextmanager
def launched(
    platform: Platform,
    kernel: Path,
    options: LaunchOptions = LaunchOptions(),
    *,
    host: HostInfo | None = None,
    qemu_binary: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> Iterator[Launched]:
    """QEMU started (paused) to boot `kernel` on `platform`, with the network, volume locks and
    control socket it needs, all for as long as the block; QEMU is killed at its end unless
    Launched.run has run the guest. `warn` receives the network's one-line warnings."""
    kernel = Path(kernel)
    if not kernel.is_file():
        raise UserError(f"kernel image {kernel} not found; build it with `unibuild kernel`")
    host = host_probe.probe_host() if host is None else host
    binary = qemu_binary or platform.qemu_binary
    if shutil.which(binary) is None:
        raise UserError(f"{binary} not found on PATH: install the Debian package {QEMU_PACKAGE}")
    # Every option is checked before a network helper starts: a bad option is one line, not a
    # passt start-up and shutdown.
    build_command(platform, kernel, options, host, Path("/nonexistent/qmp.sock"), qemu_binary=binary)
    # A private directory: the QMP socket must not be reachable by other users or collide.
    # The network (passt, when it is the backend) lives exactly as long as this block.
    # Volumes are flocked and their headers read (tfs.volume, which loads construct) only when
    # there are any: a plain run's image is read-only and needs neither.
    disks = options.volumes
    if disks or (options.disk is not None and options.disk_writable):
        from ..tfs.volume import VolumeMount, locked as volume_locks
    if options.disk is not None and options.disk_writable:
        disks = (VolumeMount(Path(options.disk), "/"), *disks)
    locks = volume_locks(disks) if disks else contextlib.nullcontext()
    with locks, tempfile.TemporaryDirectory(prefix="unibuild-qmp-") as tmp, attach(options.net, warn=warn) as net:
        command = build_command(
            platform, kernel, options, host, Path(tmp) / "qmp.sock", qemu_binary=binary,
            network=net.qemu_args,
        )
        with spawned(command) as qemu:
            yield qemu
