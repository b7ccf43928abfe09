"""Toolchain and QEMU detection, against fake tools on a private PATH and the real ones."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from elftools.elf.elffile import ELFFile

from unibuild.host import probe
from unibuild.errors import UserError
from unibuild.host import find_qemu
from unibuild.toolchain import find_toolchain


def test_x86_host_uses_the_aarch64_linux_gnu_cross_prefix(fake_bin):
    fake_bin.add_toolchain("aarch64-linux-gnu-")
    tc = find_toolchain(env=fake_bin.env, arch="x86_64")
    assert tc.prefix == "aarch64-linux-gnu-"
    assert tc.gcc == fake_bin.directory / "aarch64-linux-gnu-gcc"
    assert tc.machine == "aarch64-linux-gnu"


def test_aarch64_host_uses_the_native_tools_without_prefix(fake_bin):
    fake_bin.add_toolchain("")
    tc = find_toolchain(env=fake_bin.env, arch="aarch64")
    assert tc.prefix == ""
    assert tc.ld == fake_bin.directory / "ld"


def test_cross_compile_environment_variable_overrides_the_default(fake_bin):
    fake_bin.add_toolchain("aarch64-none-elf-", machine="aarch64-none-elf")
    env = {**fake_bin.env, "CROSS_COMPILE": "aarch64-none-elf-"}
    assert find_toolchain(env=env, arch="x86_64").prefix == "aarch64-none-elf-"


def test_cross_compile_option_beats_the_environment_variable(fake_bin):
    fake_bin.add_toolchain("aarch64-linux-musl-", machine="aarch64-linux-musl")
    env = {**fake_bin.env, "CROSS_COMPILE": "aarch64-none-elf-"}
    assert find_toolchain("aarch64-linux-musl-", env=env, arch="x86_64").prefix == "aarch64-linux-musl-"


def test_missing_cross_gcc_names_the_debian_package(fake_bin):
    with pytest.raises(UserError) as e:
        find_toolchain(env=fake_bin.env, arch="x86_64")
    assert "aarch64-linux-gnu-gcc not found" in str(e.value)
    assert "gcc-aarch64-linux-gnu" in str(e.value)


def test_missing_objcopy_is_reported_even_when_gcc_exists(fake_bin):
    fake_bin.add_toolchain()
    (fake_bin.directory / "aarch64-linux-gnu-objcopy").unlink()
    with pytest.raises(UserError, match="aarch64-linux-gnu-objcopy not found"):
        find_toolchain(env=fake_bin.env, arch="x86_64")


def test_compiler_for_another_architecture_is_rejected(fake_bin):
    # CROSS_COMPILE= (empty) on an x86 host points at the host's own gcc.
    fake_bin.add_toolchain("", machine="x86_64-linux-gnu")
    with pytest.raises(UserError, match="builds for x86_64-linux-gnu, not aarch64"):
        find_toolchain(env={**fake_bin.env, "CROSS_COMPILE": ""}, arch="x86_64")


def test_linker_without_aarch64_support_is_rejected(fake_bin):
    fake_bin.add_toolchain()
    fake_bin.add("aarch64-linux-gnu-ld", "GNU ld 2.40\n  Supported emulations:\n   elf_x86_64")
    with pytest.raises(UserError, match="aarch64-linux-gnu-ld does not support aarch64"):
        find_toolchain(env=fake_bin.env, arch="x86_64")


def test_arm64_spelling_of_the_host_is_aarch64(monkeypatch):
    monkeypatch.setattr(probe._pyplatform, "machine", lambda: "arm64")
    assert probe.host_arch() == "aarch64"


def test_real_toolchain_is_found_and_compiles_aarch64_code(tmp_path):
    # Oracle: the ELF machine field of what the detected compiler produces.
    tc = find_toolchain()
    src = tmp_path / "t.c"
    src.write_text("int answer(void) { return 42; }\n")
    subprocess.run([tc.gcc, "-c", "-o", tmp_path / "t.o", src], check=True)
    with open(tmp_path / "t.o", "rb") as f:
        assert ELFFile(f)["e_machine"] == "EM_AARCH64"


def test_qemu_version_is_read_from_its_banner(fake_bin):
    fake_bin.add("qemu-system-aarch64", "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7)\nCopyright")
    q = find_qemu(env=fake_bin.env)
    assert q.version == "7.2.22"
    assert q.path == fake_bin.directory / "qemu-system-aarch64"


def test_missing_qemu_names_the_debian_package(fake_bin):
    with pytest.raises(UserError, match="qemu-system-aarch64 not found.*qemu-system-arm"):
        find_qemu(env=fake_bin.env)


def test_real_qemu_version_matches_the_installed_package():
    # Oracle: dpkg's idea of the package version (1:7.2+dfsg-... contains the upstream 7.2).
    q = find_qemu()
    dpkg = shutil.which("dpkg-query")
    if dpkg is None:
        pytest.skip("not a dpkg system")
    pkg = subprocess.run(
        [dpkg, "-W", "-f=${Version}", "qemu-system-arm"], capture_output=True, text=True
    ).stdout
    upstream = pkg.split(":")[-1].split("+")[0]
    assert q.version.startswith(upstream)
