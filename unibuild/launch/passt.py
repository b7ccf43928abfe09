"""The passt helper process: started before QEMU, gone after it, whatever way the run ends.

What passt needs from us (learned running it under QEMU 7.2):
- `-f` (stay in the foreground, so the pid we hold is passt) and `-1` (exit when its one
  client, QEMU, disconnects);
- started as root it drops to user `nobody`, so the directory of its socket must be writable
  by that user, or the bind fails while the log claims success (see prepare_dir for the log);
- QEMU's `-netdev stream` connects once at start-up and never retries, so QEMU may start only
  after the socket file exists.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from .child import die_with_parent
from ..errors import UserError

START_TIMEOUT = 5.0   # seconds for passt to create its socket
STOP_GRACE = 2.0      # seconds passt gets to exit on its own (QEMU gone) or after SIGTERM
POLL = 0.005


def prepare_dir(directory: Path) -> None:
    """Makes `directory` writable for both identities a root-started passt has: it opens its
    log as uid 0 but without CAP_DAC_OVERRIDE (so plain permissions apply: group root), then
    binds its socket as nobody (the owner). Nobody else may enter."""
    if os.geteuid() != 0:
        return   # passt keeps our own uid, which owns the directory already
    os.chown(directory, pwd.getpwnam("nobody").pw_uid, 0)
    os.chmod(directory, 0o770)


def _log_tail(log: Path, limit: int = 3) -> str:
    try:
        lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return "; ".join(lines[-limit:])


def _wait_for_socket(proc: subprocess.Popen, sock: Path, log: Path, timeout: float) -> None:
    """Returns once `sock` exists; a passt that exits or stalls first is a UserError."""
    deadline = time.monotonic() + timeout
    while not sock.exists():
        status = proc.poll()
        if status is not None:
            why = _log_tail(log) or "no message"
            raise UserError(f"passt exited (status {status}) before opening its socket: {why}")
        if time.monotonic() > deadline:
            why = _log_tail(log)
            raise UserError(f"passt did not create its socket within {timeout:g} s"
                            + (f": {why}" if why else ""))
        time.sleep(POLL)


def stop(proc: subprocess.Popen, grace: float) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds; returns only once the process is reaped.
    (With -1 passt leaves by itself when QEMU goes, but not when QEMU never connected.)"""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()


@contextlib.contextmanager
def running(argv: list[str], sock: Path, log: Path, *, timeout: float | None = None,
            grace: float | None = None) -> Iterator[subprocess.Popen]:
    """Runs passt (`argv` names `sock` and `log`) for the duration of the block.

    passt gets its own session, so a Ctrl-C at the terminal reaches only us; we end it on
    the way out, also when the block raises (KeyboardInterrupt included)."""
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True,
                                preexec_fn=die_with_parent)
    except FileNotFoundError:
        raise UserError(f"{argv[0]} not found; install the Debian package passt "
                        f"or use --net-backend slirp") from None
    try:
        _wait_for_socket(proc, sock, log, START_TIMEOUT if timeout is None else timeout)
        yield proc
    finally:
        stop(proc, STOP_GRACE if grace is None else grace)
