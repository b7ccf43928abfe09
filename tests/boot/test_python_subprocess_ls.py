"""Python's `subprocess.run(["/bin/ls", "/"])` from the target root's python3, with coreutils'
ls added by `--with` (issue 12). qemu-user cannot execve an aarch64 child here (no binfmt_misc:
it exits 127), so the oracle for the listing is the image itself: the top-level names its
manifest places, the standard directories every image gets, and the kernel's /dev /proc /sys —
sorted as coreutils' ls sorts them in the C locale."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lib.guest import UNIBUILD, run
from unibuild.image.manifest import STANDARD_DIRS
from unibuild.paths import BUILD_DIR
from unibuild.pipeline import ImageRequest, manifest_for, scratch_dir

pytestmark = pytest.mark.boot

ROOT = BUILD_DIR / "target-root-python3-coreutils"
LS = """
import subprocess
r = subprocess.run(["/bin/ls", "/"], capture_output=True, text=True)
print(r.returncode)
print(r.stdout, end="")
"""


def image_top_level(request: ImageRequest) -> list[str]:
    with scratch_dir() as scratch:
        m, _ = manifest_for(request, Path(scratch))
    placed = [p.dst for p in m.files + m.dirs] + list(m.symlinks)
    names = {d.strip("/").split("/")[0] for d in placed if d.strip("/")}
    names |= {d.split("/")[0] for d in STANDARD_DIRS}
    return sorted(names | {"dev", "proc", "sys"})


def test_python3_subprocess_runs_coreutils_ls():
    subprocess.run([*UNIBUILD, "target-root", "create", str(ROOT), "--package", "python3", "--package", "coreutils"],
                   check=True, stdout=subprocess.DEVNULL)
    request = ImageRequest(program="/usr/bin/python3", args=("-c", LS), with_programs=("/bin/ls",),
                           target_root=ROOT)
    expected = "0\n" + "".join(n + "\n" for n in image_top_level(request))
    ours = run("/usr/bin/python3", "-c", LS, options=("--with", "/bin/ls"), target_root=ROOT)
    assert (ours.returncode, ours.stderr) == (0, "")
    assert ours.stdout == expected
