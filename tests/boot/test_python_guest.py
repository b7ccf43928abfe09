"""python3 from the target root in the real kernel: it runs with its standard library, and its
import system finds the bytecode compiled at image build time (unibuild/image/pycompile.py).
The oracle is the same python3 under qemu-aarch64-static."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import UNIBUILD
from unibuild.paths import BUILD_DIR

PYTHON_ROOT = BUILD_DIR / "target-root-python3"


# --- python3 just works ----------------------------------------------------------------------------

PYTHON_SCRIPT = "import json,sys; print(json.dumps({'a': [1, 2]})); sys.exit(3)"


@pytest.mark.boot
def test_python3_from_the_root_runs_with_its_standard_library():
    subprocess.run([*UNIBUILD, "target-root", "create", str(PYTHON_ROOT), "--package", "python3"],
                   check=True, stdout=subprocess.DEVNULL)
    oracle = subprocess.run(["qemu-aarch64-static", "-L", str(PYTHON_ROOT), str(PYTHON_ROOT / "usr/bin/python3"),
                             "-c", PYTHON_SCRIPT], capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"})   # no pycs in the root
    assert (oracle.returncode, oracle.stdout) == (3, '{"a": [1, 2]}\n'), oracle.stderr
    ours = subprocess.run([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "60", "--net", "none",
                           "--target-root", str(PYTHON_ROOT), "/usr/bin/python3", "-c", PYTHON_SCRIPT],
                          capture_output=True, text=True, timeout=120)
    assert (ours.returncode, ours.stdout) == (oracle.returncode, oracle.stdout), ours.stderr
    assert ours.stderr == ""


# --- the guest imports the bytecode ------------------------------------------------------------

# Records every module the import system compiles from source: SourceLoader.get_code calls
# source_to_code only when no valid pyc is there (or it was refused).
SPY = """
import importlib.machinery as machinery, sys
compiled = []
def spy(self, data, path, *, _optimize=-1, _real=machinery.SourceFileLoader.source_to_code):
    compiled.append(path.rsplit('/', 2)[-2:])
    return _real(self, data, path, _optimize=_optimize)
machinery.SourceFileLoader.source_to_code = spy
import json
print(json.dumps({'a': 1}), sys.dont_write_bytecode, compiled)
"""


@pytest.mark.boot
def test_python3_in_the_guest_imports_json_without_compiling_it():
    subprocess.run([*UNIBUILD, "target-root", "create", str(PYTHON_ROOT), "--package", "python3"],
                   check=True, stdout=subprocess.DEVNULL)
    # The oracle, with no pycs in the root (and told to write none there), compiles json.
    oracle = subprocess.run(["qemu-aarch64-static", "-L", str(PYTHON_ROOT), str(PYTHON_ROOT / "usr/bin/python3"),
                             "-c", SPY], capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"})
    assert oracle.returncode == 0, oracle.stderr
    assert oracle.stdout.startswith('{"a": 1} True [') and "['json', '__init__.py']" in oracle.stdout
    ours = subprocess.run([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "60", "--net", "none",
                           "--target-root", str(PYTHON_ROOT), "/usr/bin/python3", "-c", SPY],
                          capture_output=True, text=True, timeout=120)
    assert (ours.returncode, ours.stderr) == (0, "")
    # Bytecode may be written, so a refused pyc would have been compiled (and seen) again.
    assert ours.stdout == '{"a": 1} False []\n'
