"""Fixtures every test directory shares: fake host tools on a private PATH, tiny guest images for
the launcher (tests/fixtures/tiny_image.S), the real kernel, and the CLI in a fresh interpreter.

tests/unit/ never boots the real kernel; tests/boot/ does (marked `boot`); tests/lib/ holds the
plain helpers both import."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TARGET_PREFIX = "aarch64-linux-gnu-"  # the *target* toolchain that assembles guest code


class FakeBin:
    """A directory of executable shell scripts standing in for host tools."""

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def add(self, name: str, output: str = "", status: int = 0) -> Path:
        path = self.directory / name
        quoted = output.replace("'", "'\\''")
        # printf is a shell builtin, so the fake needs nothing from PATH.
        path.write_text(f"#!/bin/sh\nprintf '%s\\n' '{quoted}'\nexit {status}\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return path

    def add_toolchain(self, prefix: str = TARGET_PREFIX, machine: str = "aarch64-linux-gnu") -> None:
        """gcc/ld/objcopy answering identity queries like binutils/gcc for `machine` would."""
        arch = machine.split("-")[0]
        self.add(prefix + "gcc", machine)
        self.add(prefix + "ld", f"GNU ld (GNU Binutils) 2.40\n  Supported emulations:\n   {arch}linux")
        self.add(prefix + "objcopy", f"supported targets: elf64-little{arch} elf64-little")

    @property
    def env(self) -> dict[str, str]:
        """An environment whose PATH holds only the fakes, so no real tool can be found."""
        return {"PATH": str(self.directory)}


@pytest.fixture
def fake_bin(tmp_path) -> FakeBin:
    return FakeBin(tmp_path / "bin")


def _build_image(out_dir: Path, name: str, defines: list[str]) -> Path:
    """Assembles tests/fixtures/tiny_image.S with the target toolchain into a raw arm64 Image."""
    obj, elf, image = out_dir / f"{name}.o", out_dir / f"{name}.elf", out_dir / f"{name}.Image"
    cc, ld, objcopy = (TARGET_PREFIX + t for t in ("gcc", "ld", "objcopy"))
    for tool in (cc, ld, objcopy):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} missing: install gcc-aarch64-linux-gnu (make test does)")
    subprocess.run(
        [cc, "-c", *(f"-D{d}" for d in defines), "-o", obj, FIXTURES / "tiny_image.S"], check=True
    )
    # 0x40080000 = virt's RAM base + the text_offset in the image header.
    subprocess.run([ld, "-Ttext=0x40080000", "-e", "_start", "-o", elf, obj], check=True)
    subprocess.run([objcopy, "-O", "binary", elf, image], check=True)
    return image


@pytest.fixture(scope="session")
def tiny_image(tmp_path_factory):
    """tiny_image("STATUS=3", "KIND=1", ...) -> path of an Image built with those -D defines."""
    out_dir = tmp_path_factory.mktemp("images")
    cache: dict[tuple[str, ...], Path] = {}

    def build(*defines: str) -> Path:
        key = tuple(sorted(defines))
        if key not in cache:
            cache[key] = _build_image(out_dir, f"img{len(cache)}", list(key))
        return cache[key]

    return build


@pytest.fixture(scope="session")
def kernel_image() -> Path:
    """The virt kernel's Image, built (incrementally) once per session, quietly."""
    from unibuild.pipeline import kernel_image as build_kernel
    return build_kernel("virt")


@pytest.fixture
def fake_passt(tmp_path, monkeypatch):
    """A fake passt first on PATH; returns a function listing the pids it has run as."""
    from lib.fake_passt import install_fake_passt
    from unibuild.launch import passt

    bindir, pids = tmp_path / "fakebin", tmp_path / "pids"
    install_fake_passt(bindir, pids)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_PASST_PIDS", str(pids))
    monkeypatch.setattr(passt, "START_TIMEOUT", 2.0)
    monkeypatch.setattr(passt, "STOP_GRACE", 0.5)
    return lambda: [int(p) for p in pids.read_text().split()]


def _run_cli(*args: str, env: dict[str, str] | None = None, prelude: str = "", **kw):
    code = f"{prelude}\nfrom unibuild.cli import main\nmain()"
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=full_env, capture_output=True, text=True, **kw
    )


@pytest.fixture
def run_cli():
    """run_cli(*args, env=..., prelude=...) runs the real `unibuild` entry point in a fresh
    interpreter and returns the CompletedProcess. `prelude` is Python run before the CLI
    starts, to stand in for a different host (e.g. its architecture)."""
    return _run_cli
