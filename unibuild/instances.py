"""Background runs (`unibuild run -d`), kept as instances that any shell of the same user sees:
`ps`, `logs`, `stop`, `rm` (docker's, kraft's and ops's verbs).

Each instance is a directory under the user's runtime directory ($XDG_RUNTIME_DIR, else
/run/user/UID, else /tmp/unibuild-UID; mode 0700): `instance.json` (name, program, the
command line, the supervisor's pid and start time), `log` (the run's stdout and stderr, as
docker logs shows them together) and, once it has ended, `status` (its exit status).

The supervisor is `python -m unibuild.instances DIR ARGS...`: in its own session, with stdin
from /dev/null and its output into the log, it runs the same `unibuild run` command line in
the foreground and writes the status when that ends, however it ends. `stop` sends it SIGTERM,
which `run` answers by stopping the guest through QMP (status 130, as for Ctrl-C).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError

STOP_GRACE = 10.0     # seconds an instance gets to stop its guest before SIGKILL
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_supervised = False


def supervised() -> bool:
    """True inside an instance's supervisor: `run -d` there means "run in the foreground"."""
    return _supervised


def state_dir() -> Path:
    """Where instances live: the user's runtime directory, which other shells of the user see."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    candidates = [Path(runtime)] if runtime else []
    candidates.append(Path(f"/run/user/{os.getuid()}"))
    for base in candidates:
        if base.is_dir() and os.access(base, os.W_OK | os.X_OK):
            directory = base / "unibuild" / "instances"
            break
    else:
        directory = Path(f"/tmp/unibuild-{os.getuid()}") / "instances"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    top = directory.parent
    if top.stat().st_uid != os.getuid():   # a /tmp fallback someone else made first
        raise UserError(f"{top} belongs to another user; set XDG_RUNTIME_DIR to a directory of yours")
    return directory


@dataclass(frozen=True)
class Instance:
    name: str
    directory: Path
    program: str
    argv: list[str]
    pid: int
    started: float
    status: int | None      # None while it runs

    @property
    def running(self) -> bool:
        return self.status is None and _alive(self.pid)

    @property
    def state(self) -> str:
        if self.status is not None:
            return f"exited ({self.status})"
        return "running" if _alive(self.pid) else "gone (no status: killed)"

    @property
    def log(self) -> Path:
        return self.directory / "log"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (our own child not reaped yet) has finished.
    with contextlib.suppress(OSError, IndexError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return True


def _load(directory: Path) -> Instance | None:
    try:
        record = json.loads((directory / "instance.json").read_text())
    except (OSError, ValueError):
        return None
    try:
        status = int((directory / "status").read_text())
    except (OSError, ValueError):
        status = None
    return Instance(record["name"], directory, record["program"], record["argv"], record["pid"],
                    record["started"], status)


def list_instances(include_stopped: bool = False) -> list[Instance]:
    found = [i for d in sorted(state_dir().iterdir()) if (i := _load(d)) is not None]
    return [i for i in found if include_stopped or i.running]


def get(name: str) -> Instance:
    instance = _load(state_dir() / name) if _NAME.match(name) else None
    if instance is None:
        raise UserError(f"no instance named {name!r}; `unibuild ps -a` lists them")
    return instance


def _default_name(program: str, base: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]", "-", Path(program).name).strip("-.") or "instance"
    n = 1
    while (base / f"{stem}-{n}").exists():
        n += 1
    return f"{stem}-{n}"


def start(argv: list[str], program: str, name: str | None) -> str:
    """Starts `unibuild ARGV` (a `run -d` command line) as an instance; returns its name."""
    base = state_dir()
    if name is None:
        name = _default_name(program, base)
    elif not _NAME.match(name):
        raise UserError(f"instance name {name!r}: use letters, digits, '_', '.', '-' (at most 64)")
    directory = base / name
    try:
        directory.mkdir(mode=0o700)
    except FileExistsError:
        raise UserError(f"an instance named {name!r} exists; `unibuild rm {name}` removes it "
                        "once it is stopped") from None
    with open(directory / "log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "unibuild.instances", str(directory), *argv],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, close_fds=True)
    record = {"name": name, "program": program, "argv": argv, "pid": proc.pid, "started": time.time()}
    tmp = directory / "instance.json.tmp"
    tmp.write_text(json.dumps(record))
    tmp.replace(directory / "instance.json")
    return name


def stop(name: str, grace: float = STOP_GRACE) -> Instance:
    """SIGTERM to the supervisor (the guest is stopped through QMP), SIGKILL after `grace` s."""
    instance = get(name)
    if not instance.running:
        return instance
    with contextlib.suppress(ProcessLookupError):
        os.killpg(instance.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _alive(instance.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(instance.pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(instance.pid, signal.SIGKILL)
    return get(name)


def remove(name: str, force: bool = False) -> None:
    instance = get(name)
    if instance.running:
        if not force:
            raise UserError(f"instance {name} is running; `unibuild stop {name}` first (or rm -f)")
        stop(name)
    for entry in instance.directory.iterdir():
        entry.unlink()
    instance.directory.rmdir()


def follow(instance: Instance, out, poll: float = 0.2) -> None:
    """Copies the log to `out` as it grows, until the instance has ended and all of it is out."""
    with open(instance.log, "rb") as log:
        while True:
            chunk = log.read(65536)
            if chunk:
                out.write(chunk)
                out.flush()
                continue
            if not get(instance.name).running:
                rest = log.read()
                if rest:
                    out.write(rest)
                    out.flush()
                return
            time.sleep(poll)


def _supervise(directory: Path, argv: list[str]) -> None:
    """The instance's own process: the run in the foreground, then its status on disk."""
    global _supervised
    _supervised = True
    # SIGTERM (stop) before the guest's own handler is installed ends the run like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    from .cli import main
    status = 125
    try:
        main(argv, prog_name="unibuild")
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 125)
    finally:
        tmp = directory / "status.tmp"
        tmp.write_text(f"{status}\n")
        tmp.replace(directory / "status")
    sys.exit(status)


if __name__ == "__main__":
    # Run as a script this module is __main__; the flag run_cmds looks at is the package's.
    from unibuild import instances as _package_module
    _package_module._supervise(Path(sys.argv[1]), sys.argv[2:])
