"""`unibuild run --missing-files`: the kernel lists the paths the program looked for in vain, and
unibuild says which file of the target root (and which package) would have satisfied each."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, run
from unibuild.paths import PROJECT_ROOT

pytestmark = pytest.mark.boot

PYTHON_ROOT = PROJECT_ROOT / "build" / "target-root-python3"   # has zlib1g, which the program does not link


def test_missing_files_names_the_root_file_and_package_that_would_satisfy_each(tmp_path):
    if not (PYTHON_ROOT / "var/lib/dpkg/status").is_file():
        pytest.skip("needs the python3 target root (tests/boot/test_python_guest.py makes it)")
    prog = tmp_path / "missing"
    subprocess.run([CC, "-O2", "-o", str(prog), str(GUEST_SOURCES / "missing.c")], check=True)
    r = run(prog, options=("--missing-files",), target_root=PYTHON_ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "dlopen failed\n"
    kernel = [l for l in r.stderr.splitlines() if l.startswith("missing-file: ")]
    assert kernel[:4] == ['missing-file: "/etc/ld.so.preload"', 'missing-file: "/etc/no-such.conf"',
                          'missing-file: "/usr/share/zoneinfo/UTC"', 'missing-file: "/tmp/relative/x"']
    assert 'missing-file: "/usr/lib/aarch64-linux-gnu/libz.so.1"' in kernel
    report = r.stderr.split("unibuild: what the program looked for and did not find:\n", 1)[1].splitlines()
    root = PYTHON_ROOT.resolve()
    libz_tries = len([l for l in kernel if l.endswith('/libz.so.1"')])
    zoneinfo = ("  /usr/share/zoneinfo/UTC: not in the target root either"
                if not (root / "usr/share/zoneinfo/UTC").exists() else report[2])
    assert report[:5] == [
        "  /etc/ld.so.preload: not in the target root either",
        "  /etc/no-such.conf: not in the target root either",
        zoneinfo,
        "  /tmp/relative/x: not in the target root either",
        f"  libz.so.1 (looked for in {libz_tries} places): "
        f"/lib/aarch64-linux-gnu/libz.so.1 is in the target root (package zlib1g); "
        f"add -f {root}/lib/aarch64-linux-gnu/libz.so.1:/lib/aarch64-linux-gnu/libz.so.1",
    ]


def test_without_the_option_nothing_is_listed(tmp_path):
    prog = tmp_path / "missing"
    subprocess.run([CC, "-O2", "-o", str(prog), str(GUEST_SOURCES / "missing.c")], check=True)
    r = run(prog)
    assert r.returncode == 0 and "missing-file" not in r.stderr and "did not find" not in r.stderr
