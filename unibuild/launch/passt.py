"""The passt helper process: started before QEMU, gone after it, whatever way the run ends.

What passt needs from us (learned running it under QEMU 7.2):
- `-f` (stay in the foreground, so the pid we hold is passt) and `-1` (exit when its one
  client, QEMU, disconnects);
- started as root it drops to user `nobody`, so the directory of its socket must be writable
  by that user, or the bind fails while the log claims success (see prepare_dir for the log);
- QEMU's `-netdev stream` connects once at start-up and never retries, so QEMU may start only
  after the socket file exists;
- it isolates itself in a new user namespace (and others) before serving: where they are refused
  (a container without user namespaces, the fresh-machine chroot) it exits at once, saying
  "Couldn't create user namespace" in its log, or only `unshare: ...` on its stderr.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
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
    try:
        nobody = pwd.getpwnam("nobody").pw_uid
        os.chown(directory, nobody, 0)
    except (KeyError, OSError) as e:
        # No user nobody, or one this user namespace does not map (root in a rootless
        # container): passt, which becomes nobody, cannot run here either.
        why = "no user nobody" if isinstance(e, KeyError) else f"cannot give its directory to user nobody: {e.strerror}"
        raise PasstStartError(f"passt cannot start: {why}; use --net-backend slirp", why) from None
    os.chmod(directory, 0o770)


class PasstStartError(UserError):
    """passt ended or stalled before serving; `no_namespace` when the host refused it the
    namespaces it isolates itself in, which no option of ours can fix (only another backend)."""

    def __init__(self, message: str, why: str):
        super().__init__(message)
        self.why = why
        self.no_namespace = bool(_NAMESPACE_FAILURE.search(why))


# passt's words for a refused isolation: isolate_user's "Couldn't create user namespace: ...",
# isolate_prefork's perror("unshare"), and the namespace joins of its other modes.
_NAMESPACE_FAILURE = re.compile(r"user namespace|\bunshare\b|\bsetns\b", re.IGNORECASE)
# A log line's "0.1847: ERROR:   " prefix and the version banner, which say nothing about why.
_LOG_PREFIX = re.compile(r"^\d+\.\d+:\s+(?:\w+:\s+)?")
_BANNER = re.compile(r"^passt .*version")


def _messages(*files: Path, limit: int = 3) -> str:
    """The last `limit` distinct lines passt wrote to its log and stderr, without timestamps
    and banner; passt copies a line to both, so each is kept once."""
    lines: list[str] = []
    for path in files:
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            line = _LOG_PREFIX.sub("", line.strip()).strip()
            if line and not _BANNER.match(line) and line not in lines:
                lines.append(line)
    return "; ".join(lines[-limit:])


def _wait_for_socket(proc: subprocess.Popen, sock: Path, log: Path, stderr: Path, timeout: float) -> None:
    """Returns once `sock` exists; a passt that exits or stalls first is a PasstStartError."""
    deadline = time.monotonic() + timeout
    while not sock.exists():
        status = proc.poll()
        if status is not None:
            why = _messages(log, stderr) or "no message"
            raise PasstStartError(f"passt exited (status {status}) before opening its socket: {why}", why)
        if time.monotonic() > deadline:
            why = _messages(log, stderr)
            raise PasstStartError(f"passt did not create its socket within {timeout:g} s"
                                  + (f": {why}" if why else ""), why)
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
    # Its stderr into a file beside the log, never a pipe: a pipe nobody reads would block a
    # long-running passt, and some start-up failures are written only there.
    stderr = log.with_suffix(".stderr")
    try:
        with open(stderr, "wb") as err:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=err, start_new_session=True, preexec_fn=die_with_parent)
    except FileNotFoundError:
        raise UserError(f"{argv[0]} not found; install the Debian package passt "
                        f"or use --net-backend slirp") from None
    try:
        _wait_for_socket(proc, sock, log, stderr, START_TIMEOUT if timeout is None else timeout)
        yield proc
    finally:
        stop(proc, STOP_GRACE if grace is None else grace)
