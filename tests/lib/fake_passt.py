"""A stand-in for passt (a script that records its pid and serves, fails, fails as in a container
without user namespaces, hangs or ignores SIGTERM as $FAKE_PASST_MODE says), and the check that a
process has gone."""

from __future__ import annotations

import stat
import sys
import textwrap
from pathlib import Path


FAKE_PASST = """\
    #!{python}
    # Stands in for passt: records its pid, then behaves as $FAKE_PASST_MODE says.
    import os, signal, socket, sys, time
    args = sys.argv[1:]
    sock, log = args[args.index("-s") + 1], args[args.index("-l") + 1]
    mode = os.environ.get("FAKE_PASST_MODE", "serve")
    with open(os.environ["FAKE_PASST_PIDS"], "a") as f:
        f.write(f"{{os.getpid()}}\\n")
    if mode == "fail":
        open(log, "w").write("Failed to bind UNIX domain socket: Address in use\\n")
        sys.exit(1)
    if mode == "no-userns":      # as Debian's passt does where unshare(CLONE_NEWUSER) is refused
        open(log, "w").write("passt 0.0~git20230309: /usr/bin/passt.avx2 (42)\\n"
                             "0.0312: ERROR:   Couldn't create user namespace: Operation not permitted\\n")
        sys.stderr.write("Couldn't create user namespace: Operation not permitted\\n")
        sys.exit(1)
    if mode == "hang":
        time.sleep(60)
    if mode == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    s = socket.socket(socket.AF_UNIX)
    s.bind(sock)
    s.listen(1)
    client, _ = s.accept()          # like -1: serve one client, exit when it leaves
    while client.recv(65536):
        pass
"""


def install_fake_passt(bindir: Path, pids: Path) -> Path:
    """Writes the fake as BINDIR/passt; it appends its pid to PIDS (needs $FAKE_PASST_PIDS=PIDS)."""
    bindir.mkdir(parents=True, exist_ok=True)
    script = bindir / "passt"
    script.write_text(textwrap.dedent(FAKE_PASST.format(python=sys.executable)))
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    pids.write_text("")
    pids.chmod(0o666)
    return script


def pid_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
