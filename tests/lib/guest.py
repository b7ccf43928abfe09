"""Running a guest program the way a user does, and the same program on Linux as the oracle."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import sys
from pathlib import Path

import pytest

from unibuild.paths import PROJECT_ROOT

CC = "aarch64-linux-gnu-gcc"   # the target compiler for guest programs
UNIBUILD = [sys.executable, "-m", "unibuild"]
TARGET_ROOT = PROJECT_ROOT / "build" / "target-root"
GUEST_SOURCES = PROJECT_ROOT / "tests" / "boot" / "guest"


def build_static(source: str, out_dir: Path) -> Path:
    """tests/boot/guest/<source> built as a static, threaded aarch64 program in out_dir: what
    both a boot and the qemu-aarch64-static oracle can run without a root."""
    out = out_dir / Path(source).stem
    subprocess.run([CC, "-O2", "-Wall", "-static", "-pthread", "-o", str(out), str(GUEST_SOURCES / source)],
                   check=True, capture_output=True, text=True)
    return out


def run(program: Path, *args: str, options=(), target_root: Path = TARGET_ROOT, timeout=120):
    """`unibuild run` under TCG, as a subprocess (stdout, stderr and exit status as a user sees them)."""
    # No NIC unless a test asks for networking: the kernel's `en1: assigned ADDR` console line
    # would otherwise precede the program output these tests compare with Linux.
    net = () if {"-p", "--port", "--net", "--ip"} & set(options) else ("--net", "none")
    cmd = [*UNIBUILD, "run", "--accel", "tcg", "--timeout", "90", "--target-root", str(target_root),
           *net, *options, str(program), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def oracle(program: Path, *args: str, target_root: Path = TARGET_ROOT) -> str:
    """The same program on Linux (this host's kernel) through qemu-aarch64-static."""
    return subprocess.run(["qemu-aarch64-static", "-L", str(target_root), str(program), *args],
                          capture_output=True, text=True, timeout=60, check=True).stdout


def native_oracle(source: Path, out_dir: Path, *, workdir: bool = False, wrap: tuple[str, ...] = (),
                  timeout: int = 120) -> str:
    """Linux's answer from this host's own kernel: the probe built with the host's gcc and run
    natively (last argument: a fresh tmpfs directory, when `workdir`; `wrap` runs it under another
    command, such as unshare). For generic kernel code that qemu-user cannot answer for."""
    native = out_dir / "host" / source.stem
    native.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["gcc", "-O2", "-Wall", "-static", "-pthread", f"-I{GUEST_SOURCES}", "-o", str(native),
                    str(source)], check=True)
    work = tmpfs_dir() if workdir else None
    try:
        return subprocess.run([*wrap, str(native), *([str(work)] if work else [])], capture_output=True,
                              text=True, timeout=timeout, check=True, stdin=subprocess.DEVNULL).stdout
    finally:
        if work:
            subprocess.run(["rm", "-rf", str(work)], check=True)


def tmpfs_dir() -> Path:
    """A fresh directory on a tmpfs (our file tree behaves as tmpfs does; ext4 differs)."""
    for line in Path("/proc/mounts").read_text().splitlines():
        fields = line.split()
        if fields[2] == "tmpfs" and fields[1] in ("/dev/shm", "/run/shm", "/tmp"):
            return Path(tempfile.mkdtemp(dir=fields[1], prefix="unibuild-oracle-"))
    pytest.skip("no tmpfs mounted at /dev/shm or /tmp for the Linux oracle")


def _fs_type(path: Path) -> str:
    return subprocess.run(["stat", "-f", "-c", "%T", str(path)], capture_output=True, text=True,
                          check=True).stdout.strip()


def ext4_dir() -> Path:
    """A fresh directory on the project's disk, which must be ext4 with user xattrs (the extended
    attribute sweeps' oracle: ext4 decides the order and the space of attributes)."""
    work = Path(tempfile.mkdtemp(dir=PROJECT_ROOT / "build", prefix="xattr-oracle-"))
    kind = _fs_type(work)
    try:
        os.setxattr(work, "user.unibuild-probe", b"1")
    except OSError as e:
        shutil.rmtree(work)
        pytest.skip(f"the host's {kind} under build/ takes no user xattrs ({e.strerror}): no oracle")
    if kind != "ext2/ext3":            # stat -f names ext4 so
        shutil.rmtree(work)
        pytest.skip(f"build/ is on {kind}, not ext4: its xattr order and space differ from ext4's")
    os.removexattr(work, "user.unibuild-probe")
    work.chmod(0o755)                  # the unprivileged section's child walks into it
    return work


def oracle_in_tmpfs(probe: Path, timeout: int = 120, env: dict[str, str] | None = None) -> str:
    """`probe DIR` on Linux (qemu-aarch64-static) in a fresh tmpfs directory: its stdout. `env`:
    variables added to the probe's environment (qemu-user hands it its own)."""
    workdir = tmpfs_dir()
    try:
        return subprocess.run(["qemu-aarch64-static", str(probe), str(workdir)], capture_output=True, text=True,
                              timeout=timeout, check=True, env={**os.environ, **(env or {})}).stdout
    finally:
        subprocess.run(["rm", "-rf", str(workdir)], check=True)


def replace_lines(text: str, fixes: dict[str, str]) -> str:
    """`text` with each whole line found in `fixes` replaced (where an oracle, not Linux, is
    wrong: the sweeps' QEMU_USER tables)."""
    return "".join(fixes.get(line, line) + "\n" for line in text.splitlines())


def sections(text: str) -> dict[str, str]:
    """A probe's output by numbered section ("1. name" -> its lines)."""
    out: dict[str, str] = {}
    key = ""
    for line in text.splitlines(keepends=True):
        if line[:1].isdigit():
            key = line.split(".")[0]
        out[key] = out.get(key, "") + line
    return out
