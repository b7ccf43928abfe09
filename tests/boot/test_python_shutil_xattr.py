"""python3's shutil.copy2 and copytree in the guest: copystat copies extended attributes
(os.listxattr, getxattr, setxattr), which only tolerates ENOTSUP/ENODATA/EINVAL/EPERM, so a
kernel without them fails the copy. The oracle is the same python3 under qemu-aarch64-static in
a directory on the host's ext4 disk (tmpfs before Linux 6.6 takes no user.* attributes)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from lib.guest import UNIBUILD, ext4_dir
from unibuild.paths import BUILD_DIR

PYTHON_ROOT = BUILD_DIR / "target-root-python3"

# A tree with attributes on a file, a directory and (trusted.*) a symlink; copied twice, and
# what the copies carry printed (list order included: it is the file system's).
SCRIPT = r"""
import os, shutil, sys
os.chdir(sys.argv[1])
os.makedirs("src/sub")
with open("src/f", "w") as f:
    f.write("data\n")
os.chmod("src/f", 0o640)
os.utime("src/f", ns=(1_000_000_000, 2_000_000_000))
for name, value in (("user.b", b"2"), ("user.a", b"1"), ("trusted.t", b"t"), ("user.long", b"x" * 300)):
    os.setxattr("src/f", name, value)
os.setxattr("src/sub", "user.d", b"dir")
os.utime("src/sub", ns=(3_000_000_000, 4_000_000_000))
os.symlink("f", "src/link")
os.setxattr("src/link", "trusted.l", b"l", follow_symlinks=False)
shutil.copy2("src/f", "copy")
shutil.copytree("src", "tree", symlinks=True)
for path in ("copy", "tree/f", "tree/sub", "tree/link"):
    st = os.lstat(path)
    names = os.listxattr(path, follow_symlinks=False)
    values = [os.getxattr(path, n, follow_symlinks=False)[:8] for n in names]
    print(path, oct(st.st_mode), st.st_mtime_ns if not path.endswith("link") else "-", names, values)
"""


@pytest.mark.boot
def test_python3_shutil_copy2_and_copytree_copy_extended_attributes(tmp_path):
    subprocess.run([*UNIBUILD, "target-root", "create", str(PYTHON_ROOT), "--package", "python3"],
                   check=True, stdout=subprocess.DEVNULL)
    work = ext4_dir()
    try:
        oracle = subprocess.run(["qemu-aarch64-static", "-L", str(PYTHON_ROOT), str(PYTHON_ROOT / "usr/bin/python3"),
                                 "-c", SCRIPT, str(work)], capture_output=True, text=True, timeout=60,
                                env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"})
    finally:
        shutil.rmtree(work)
    assert oracle.returncode == 0, oracle.stderr
    assert "user.long" in oracle.stdout
    ours = subprocess.run([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "60", "--net", "none",
                           "--target-root", str(PYTHON_ROOT), "/usr/bin/python3", "-c", SCRIPT, "/tmp"],
                          capture_output=True, text=True, timeout=120)
    assert (ours.returncode, ours.stderr) == (0, "")
    assert ours.stdout == oracle.stdout
