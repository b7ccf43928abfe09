"""Fixtures of the boot tests: the arm64 target root and the guest programs several modules run."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lib.guest import CC, GUEST_SOURCES, TARGET_ROOT, UNIBUILD
from unibuild.paths import PROJECT_ROOT


@pytest.fixture(scope="session")
def target_root() -> Path:
    subprocess.run([*UNIBUILD, "target-root", "create", str(TARGET_ROOT)], check=True,
                   stdout=subprocess.DEVNULL)
    return TARGET_ROOT


@pytest.fixture(scope="session")
def programs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("guest")
    built = {}
    for name, source, extra in [
        ("hello", PROJECT_ROOT / "examples/hello/hello.c", []),
        ("hello-static", PROJECT_ROOT / "examples/hello/hello.c", ["-static"]),
        ("probe", GUEST_SOURCES / "probe.c", []),
        ("probe-static", GUEST_SOURCES / "probe.c", ["-static"]),
        ("probe-static-pie", GUEST_SOURCES / "probe.c", ["-static-pie"]),
    ]:
        subprocess.run([CC, "-O2", "-Wall", *extra, "-o", str(out / name), str(source)], check=True)
        built[name] = out / name
    return built
