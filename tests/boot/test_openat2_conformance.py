"""openat2 answer for answer against Linux: tests/boot/guest/openat2conf.c sweeps struct open_how's
size rules (EINVAL below 24 bytes, E2BIG past a page or for unknown non-zero bytes), the flags
openat2 refuses where openat drops them, RESOLVE_CACHED, and each restriction on the walk:
NO_SYMLINKS, BENEATH, IN_ROOT, NO_MAGICLINKS (/proc's fd and exe links) and NO_XDEV (/proc as a
mount of its own). One boot.

The oracle is the same probe built for this host and run natively in a fresh tmpfs directory:
qemu-user 7.2 has no openat2 (ENOSYS). The calls are generic kernel code, and the probe prints
nothing architecture-dependent (the kernel's O_LARGEFILE is picked per architecture)."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, native_oracle, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "openat2conf.c"
SECTIONS = [("1", "struct open_how"), ("2", "refused flags"), ("3", "RESOLVE_NO_SYMLINKS"),
            ("4", "RESOLVE_BENEATH"), ("5", "RESOLVE_IN_ROOT"), ("6", "RESOLVE_NO_MAGICLINKS"),
            ("7", "RESOLVE_NO_XDEV")]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("openat2conf")
    linux = native_oracle(SOURCE, tmp, workdir=True)
    probe = tmp / "openat2conf"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-o", str(probe), str(SOURCE)], check=True)
    ours = run(probe, "/tmp")
    assert ours.returncode == 0, ours.stderr
    return sections(linux), ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_openat2_answers_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert sections(ours.stdout).get(section) == linux[section], what
