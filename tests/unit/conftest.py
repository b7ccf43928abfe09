"""Fixtures of the unit tests (nothing here boots the kernel)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib.fakeroot import build_elves


@pytest.fixture(scope="session")
def elves(tmp_path_factory) -> dict[str, Path]:
    """A static aarch64 program, a shared library and a module that DT_NEEDs it."""
    return build_elves(tmp_path_factory.mktemp("elves"))
