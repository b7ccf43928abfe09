"""A host program outside the target root whose RUNPATH is $ORIGIN-relative (`bin/app` +
`lib/libx.so`, RUNPATH $ORIGIN/../lib): its own library is found from the host location and
the tree is laid out at /opt/NAME, so ld.so's expansion in the guest finds it at the path the
real ld.so (Debian's arm64 ld.so --list under qemu-aarch64-static) finds it on the host."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from unibuild import targetroot
from unibuild.paths import BUILD_DIR
from unibuild.resolve import resolve

CC = "aarch64-linux-gnu-gcc"


@pytest.fixture
def bundle(tmp_path) -> Path:
    app = tmp_path / "app"
    (app / "bin").mkdir(parents=True)
    (app / "lib").mkdir()
    (tmp_path / "x.c").write_text("int x(void) { return 42; }\n")
    (tmp_path / "m.c").write_text("int x(void);\nint main(void) { return x(); }\n")
    subprocess.run([CC, "-shared", "-fPIC", "-o", str(app / "lib/libx.so"), str(tmp_path / "x.c")], check=True)
    subprocess.run([CC, "-o", str(app / "bin/app"), str(tmp_path / "m.c"), f"-L{app / 'lib'}", "-lx",
                    "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib"], check=True)
    return app


def test_origin_runpath_of_a_host_program_is_resolved_from_its_host_tree(bundle):
    root = targetroot.create(BUILD_DIR / "target-root", progress=lambda _line: None)
    listed = subprocess.run(["qemu-aarch64-static", "-L", str(root), str(root / "lib/ld-linux-aarch64.so.1"),
                             "--list", str(bundle / "bin/app")], capture_output=True, text=True, check=True).stdout
    linux = re.search(r"libx\.so => (\S+)", listed).group(1)
    r = resolve(root, str(bundle / "bin/app"))
    assert r.program == "/opt/app/bin/app"
    libx = next(o for o in r.objects if o.name == "libx.so")
    # ld.so in the guest opens $ORIGIN/../lib/libx.so from /opt/app/bin: the same place in the tree.
    assert libx.path == "/opt/app/bin/../lib/libx.so" or libx.real_path == "/opt/app/lib/libx.so"
    assert Path(libx.host_path).resolve() == Path(linux).resolve() == (bundle / "lib/libx.so").resolve()
    placed = {f.path: f.host_path for f in r.files if f.host_path is not None}
    assert Path(placed[libx.real_path]).resolve() == (bundle / "lib/libx.so").resolve()
    assert Path(placed["/opt/app/bin/app"]).resolve() == (bundle / "bin/app").resolve()
