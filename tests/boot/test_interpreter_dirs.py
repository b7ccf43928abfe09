"""Interpreters find their library directories whichever package installed them
(unibuild/resolve/interpreter_dirs.py): python3.11 in a root with libpython3.11-stdlib but not
the python3.11 package (python3.11-minimal does not depend on it), and python3.11 and perl in
roots without a dpkg database. The oracle is the same command under qemu-aarch64-static in the
same root (Linux finds the modules there, as the guest must)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lib.guest import UNIBUILD
from unibuild.paths import BUILD_DIR

pytestmark = pytest.mark.boot

STDLIB_ROOT = BUILD_DIR / "target-root-python-stdlib"
PERL_ROOT = BUILD_DIR / "target-root-perl"
PY = "import http.server, json; print(http.server.SimpleHTTPRequestHandler.__name__, json.dumps([1]))"
PL = "use POSIX qw(floor); use List::Util qw(sum); use Data::Dumper; print sum(1, 2), floor(2.5), \"\\n\";"


def make_root(root: Path, *packages: str) -> Path:
    subprocess.run([*UNIBUILD, "target-root", "create", str(root), *[a for p in packages for a in ("--package", p)]],
                   check=True, stdout=subprocess.DEVNULL)
    return root


def without_dpkg(root: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "root"
    shutil.copytree(root, copy, symlinks=True)
    shutil.rmtree(copy / "var/lib/dpkg")
    return copy


def same_as_linux(root: Path, *command: str):
    linux = subprocess.run(["qemu-aarch64-static", "-L", str(root), str(root / command[0].lstrip("/")), *command[1:]],
                           capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert linux.returncode == 0 and linux.stdout, linux.stderr
    ours = subprocess.run([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "90", "--net", "none",
                           "--target-root", str(root), *command], capture_output=True, text=True, timeout=150)
    assert (ours.returncode, ours.stdout) == (linux.returncode, linux.stdout), ours.stderr


def test_python_finds_the_standard_library_another_package_installed():
    root = make_root(STDLIB_ROOT, "python3.11-minimal", "libpython3.11-stdlib")
    assert not (root / "var/lib/dpkg/info/python3.11.list").exists()
    same_as_linux(root, "/usr/bin/python3.11", "-c", PY)


def test_python_without_a_dpkg_database(tmp_path):
    root = without_dpkg(make_root(STDLIB_ROOT, "python3.11-minimal", "libpython3.11-stdlib"), tmp_path)
    same_as_linux(root, "/usr/bin/python3.11", "-c", PY)


def test_perl_without_a_dpkg_database(tmp_path):
    root = without_dpkg(make_root(PERL_ROOT, "perl"), tmp_path)
    same_as_linux(root, "/usr/bin/perl", "-e", PL)
