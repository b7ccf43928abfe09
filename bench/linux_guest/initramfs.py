"""The reference guest's initramfs: a gzipped newc archive holding our tiny init (init.c here,
static, cross-compiled like the examples), the kernel modules eth0 needs, and the program.

The newc writer is the nested-KVM host's (tests/kvm/newc.py); Linux unpacks the archive over
its built-in one, which already holds /dev/console.
"""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
from pathlib import Path

from elftools.elf.elffile import ELFFile

from unibuild.errors import UserError
from unibuild.paths import BUILD_DIR, PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "tests" / "kvm"))
from newc import NewcWriter  # noqa: E402

TARGET_CC = "aarch64-linux-gnu-gcc"
INIT_SOURCE = Path(__file__).with_name("init.c")
OUT = BUILD_DIR / "linux-guest"
MODULES_DIR = "modules"   # init.c's MODULES_DIR, without the slash


def build_init() -> Path:
    """The static aarch64 init, rebuilt when its source is newer."""
    init = OUT / "init"
    if not init.exists() or init.stat().st_mtime < INIT_SOURCE.stat().st_mtime:
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run([TARGET_CC, "-O2", "-Wall", "-Wextra", "-Werror", "-static", "-o", str(init),
                        str(INIT_SOURCE)], check=True)
    return init


def check_aarch64(path: Path) -> None:
    """Only aarch64 ELF programs go into the guest."""
    try:
        with open(path, "rb") as f:
            machine = ELFFile(f).header["e_machine"]
    except Exception as e:   # not an ELF file at all: pyelftools' own error says why
        raise UserError(f"{path} is not an ELF program ({e})") from None
    if machine != "EM_AARCH64":
        raise UserError(f"{path} is a {machine} program, not aarch64")


def archive(init: Path, modules: list[Path], program: Path) -> bytes:
    """The gzipped archive: /init, /modules/*.ko + /modules/order (load order), /PROGRAM."""
    for elf in (init, program):
        check_aarch64(elf)
    raw = io.BytesIO()
    w = NewcWriter(raw)
    for d in ("dev", "proc", "sys", "tmp", MODULES_DIR):
        w.directory(d)
    w.host_file("init", init)
    for ko in modules:
        w.file(f"{MODULES_DIR}/{ko.name}", ko.read_bytes())
    w.file(f"{MODULES_DIR}/order", "".join(f"{ko.name}\n" for ko in modules).encode())
    w.file(program.name, program.read_bytes(), 0o755)
    w.close()
    # Level 1: the archive is rebuilt for every server start and is unpacked once; size hardly matters.
    return gzip.compress(raw.getvalue(), compresslevel=1)
