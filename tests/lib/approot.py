"""A target root holding Debian packages for one program's boot test, or a clean skip when it
cannot be made (no network to reach the mirror on this machine, a package gone from it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from unibuild.paths import BUILD_DIR

UNIBUILD = [sys.executable, "-m", "unibuild"]


def app_root(name: str, *packages: str) -> Path:
    """build/target-root-NAME with `packages` (and their Depends) unpacked; cached by unibuild."""
    root = BUILD_DIR / f"target-root-{name}"
    args = [arg for package in packages for arg in ("--package", package)]
    made = subprocess.run([*UNIBUILD, "target-root", "create", str(root), *args], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"no target root with {', '.join(packages)}: {made.stderr.strip().splitlines()[-1:]}")
    return root
