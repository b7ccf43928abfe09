"""Small aarch64 ELF files and fake target roots in dpkg's on-disk format, for the package and
bytecode tests (the fixtures that use them are in tests/unit/conftest.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lib.guest import CC


def cc_nostdlib(out: Path, *args: str) -> Path:
    if shutil.which(CC) is None:
        pytest.fail(f"{CC} missing: install gcc-aarch64-linux-gnu (make test does)")
    subprocess.run([CC, "-nostdlib", "-O2", *args, "-o", str(out)], check=True)
    return out


class FakeRoot:
    """A target root written the way dpkg leaves one: files, var/lib/dpkg/status and
    var/lib/dpkg/info/*.list (PKG:arm64.list for Multi-Arch: same)."""

    def __init__(self, path: Path, prog: Path):
        self.path = path
        self.status: list[str] = []
        (path / "var/lib/dpkg/info").mkdir(parents=True)
        (path / "lib").mkdir()
        shutil.copy(prog, path / "lib/ld-linux-aarch64.so.1")   # any aarch64 ELF passes check_root

    def file(self, guest: str, data: bytes | Path = b"x\n") -> str:
        host = self.path / guest.lstrip("/")
        host.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Path):
            shutil.copy(data, host)
        else:
            host.write_bytes(data)
        return guest

    def link(self, guest: str, target: str) -> str:
        host = self.path / guest.lstrip("/")
        host.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, host)
        return guest

    def dir(self, guest: str) -> str:
        (self.path / guest.lstrip("/")).mkdir(parents=True, exist_ok=True)
        return guest

    def package(self, name: str, paths=(), *, status="install ok installed", arch="arm64",
                multi_arch="", **fields: str) -> None:
        listed = []
        for path in paths:   # dpkg records every directory on the way, then the path
            parts = path.strip("/").split("/")
            listed += ["/" + "/".join(parts[:i]) for i in range(1, len(parts))] + [path]
        unique = list(dict.fromkeys(listed))
        info = self.path / "var/lib/dpkg/info"
        list_file = f"{name}:{arch}.list" if multi_arch == "same" else f"{name}.list"
        (info / list_file).write_text("/.\n" + "".join(p + "\n" for p in unique))
        lines = [f"Package: {name}", f"Status: {status}", "Priority: optional", f"Architecture: {arch}"]
        if multi_arch:
            lines.append(f"Multi-Arch: {multi_arch}")
        lines += [f"{key.replace('_', '-').title()}: {value}" for key, value in fields.items()]
        lines += ["Version: 1.0-1", f"Description: {name}", " test package"]
        self.status.append("\n".join(lines) + "\n")
        (self.path / "var/lib/dpkg/status").write_text("\n".join(self.status))


def build_elves(d: Path) -> dict[str, Path]:
    """A static aarch64 program, a shared library and a module that DT_NEEDs it, built in `d`."""
    (d / "prog.c").write_text("void _start(void) { for (;;) ; }\n")
    (d / "lib.c").write_text("int needed_value(void) { return 7; }\n")
    (d / "mod.c").write_text("int needed_value(void);\nint module_value(void) { return needed_value(); }\n")
    lib = cc_nostdlib(d / "libneeded.so.1", "-shared", "-fPIC", "-Wl,-soname,libneeded.so.1", str(d / "lib.c"))
    return {
        "prog": cc_nostdlib(d / "prog", "-static", str(d / "prog.c")),
        "lib": lib,
        "module": cc_nostdlib(d / "module.so", "-shared", "-fPIC", str(d / "mod.c"), str(lib)),
    }
