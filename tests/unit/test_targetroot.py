"""The arm64 target root: built from Debian arm64 .debs with a private apt state, cached, checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from unibuild import targetroot
from unibuild.errors import UserError
from unibuild.paths import BUILD_DIR
from unibuild.resolve import read_elf


@pytest.fixture(scope="session")
def built_root() -> Path:
    return targetroot.create(BUILD_DIR / "target-root", progress=lambda _line: None)


def test_created_root_holds_arm64_glibc_and_the_files_postinst_would_write(built_root):
    for lib in ["lib/aarch64-linux-gnu/libc.so.6", "lib/aarch64-linux-gnu/libgcc_s.so.1",
                "usr/lib/aarch64-linux-gnu/libstdc++.so.6", "sbin/ldconfig"]:
        read_elf(built_root / lib)  # raises unless aarch64
    assert (built_root / "lib/ld-linux-aarch64.so.1").is_symlink()
    for f in ["etc/ld.so.conf", "etc/nsswitch.conf", "etc/passwd", "etc/group", "etc/hosts"]:
        assert (built_root / f).is_file()
    assert targetroot.check_root(built_root) == built_root


def test_system_accounts_are_debians_so_servers_find_their_users(built_root):
    """nginx's default `user www-data;` needs the name; the ids are Debian's fixed ones."""
    passwd = {l.split(":")[0]: l.split(":") for l in (built_root / "etc/passwd").read_text().splitlines()}
    group = {l.split(":")[0]: l.split(":") for l in (built_root / "etc/group").read_text().splitlines()}
    assert passwd["root"][2:4] == ["0", "0"]
    assert passwd["www-data"][2:4] == ["33", "33"] and group["www-data"][2] == "33"
    assert passwd["nobody"][2:4] == ["65534", "65534"] and group["nogroup"][2] == "65534"


def test_second_create_reuses_the_cached_root_and_says_one_line_per_step(built_root):
    lines = []
    targetroot.create(built_root, progress=lines.append)
    # A boot test running beside this one (make test's workers) may hold the root's lock: that
    # wait is a step of its own line, before the one this test is about.
    lines = [line for line in lines if not line.startswith("  WAIT    another unibuild is creating")]
    held = len(targetroot.installed_packages(built_root))   # packages.txt's and their Depends
    assert held >= 5
    assert lines == [f"  ROOT    {built_root} is up to date ({held} packages)"]


def test_extra_package_is_unpacked_with_a_progress_line_per_package(built_root, tmp_path):
    lines = []
    dest = targetroot.create(tmp_path / "r", ("zlib1g",), progress=lines.append)
    debs = [l for l in lines if l.startswith("  DEB     ")]
    # one line per package: the default root's and zlib1g (its only Depends, libc6, is one of them)
    assert any(l.startswith("  DEB     zlib1g ") for l in debs)
    assert len(debs) == len(set(debs)) == len(targetroot.installed_packages(built_root)) + 1
    read_elf(dest / "lib/aarch64-linux-gnu/libz.so.1")


def test_unknown_package_is_one_clear_error(built_root, tmp_path):
    with pytest.raises(UserError, match="no-such-package-xyz"):
        targetroot.create(tmp_path / "r", ("no-such-package-xyz",), progress=lambda _l: None)


def test_refuses_to_unpack_over_a_directory_it_did_not_make(built_root, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine/data").write_text("precious")
    with pytest.raises(UserError, match="not a target root unibuild made"):
        targetroot.create(tmp_path / "mine", progress=lambda _l: None)
    assert (tmp_path / "mine/data").read_text() == "precious"


def test_missing_root_error_says_how_to_create_one(tmp_path):
    with pytest.raises(UserError, match="does not exist; create one with `unibuild target-root create`"):
        targetroot.check_root(tmp_path / "nope")


def test_root_with_a_foreign_loader_is_not_arm64(tmp_path):
    (tmp_path / "lib").mkdir()
    shutil.copy("/bin/true", tmp_path / "lib/ld-linux-aarch64.so.1")
    with pytest.raises(UserError, match="is not arm64: .*EM_X86_64.*unibuild target-root create"):
        targetroot.check_root(tmp_path)


def test_env_variable_selects_the_root_and_errors_are_one_line(tmp_path, run_cli):
    p = run_cli("ldd", "/prog", env={"NANOS_TARGET_ROOT": str(tmp_path / "none")})
    assert p.returncode != 0 and "Traceback" not in p.stderr
    assert p.stderr.strip().count("\n") == 0 and str(tmp_path / "none") in p.stderr


def test_host_sources_reads_deb822_and_one_line_formats(tmp_path):
    (tmp_path / "a.sources").write_text(
        "Types: deb deb-src\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n"
        "Components: main contrib\nSigned-By: /k.gpg\n\nTypes: deb\nURIs: http://other/ubuntu\nSuites: x\n"
    )
    (tmp_path / "sources.list").write_text("# c\ndeb [arch=amd64] http://m2.example/debian bookworm main\n")
    assert targetroot.host_sources([tmp_path / "a.sources", tmp_path / "sources.list"]) == [
        ("http://mirror.example/debian", "bookworm", "main contrib"),
        ("http://mirror.example/debian", "bookworm-updates", "main contrib"),
        ("http://m2.example/debian", "bookworm", "main"),
    ]


def test_package_list_file_ignores_comments(tmp_path):
    (tmp_path / "p.txt").write_text("# header\nlibc6  # glibc\n\nlibgcc-s1\n")
    assert targetroot.read_package_list(tmp_path / "p.txt") == ["libc6", "libgcc-s1"]
    with pytest.raises(UserError, match="cannot read the package list"):
        targetroot.read_package_list(tmp_path / "missing.txt")


def test_create_command_prints_only_the_root_path_and_progress_goes_to_stderr(built_root, run_cli):
    p = run_cli("target-root", "create", str(built_root))
    assert p.returncode == 0, p.stderr
    assert p.stdout == f"{built_root}\n"   # R=$(unibuild target-root create) is the path
    assert "is up to date" in p.stderr


def test_create_honours_the_env_variable_and_packages_add_up_across_calls(built_root, tmp_path, run_cli):
    root = tmp_path / "r"
    env = {"NANOS_TARGET_ROOT": str(root)}
    p = run_cli("target-root", "create", "--package", "zlib1g", env=env)
    assert (p.returncode, p.stdout) == (0, f"{root}\n"), p.stderr
    p = run_cli("target-root", "add", "libzstd1", env=env)   # the same as create --package
    assert (p.returncode, p.stdout) == (0, f"{root}\n"), p.stderr
    read_elf(root / "lib/aarch64-linux-gnu/libz.so.1")        # the first call's package stayed
    read_elf(root / "usr/lib/aarch64-linux-gnu/libzstd.so.1")
    listing = run_cli("target-root", "ls", "--target-root", str(root)).stdout.splitlines()
    names = {line.split()[0]: line for line in listing}
    assert names["zlib1g"].endswith(" *") and names["libzstd1"].endswith(" *")
    assert not names["libc6"].endswith(" *")
    assert targetroot.requested_packages(root) == ["zlib1g", "libzstd1"]


def test_a_program_the_root_lacks_is_named_with_how_to_add_it(built_root, run_cli):
    """Not the host's x86-64 file of the same path: the root's is missing, and this adds it."""
    host_only = shutil.which("true")   # /usr/bin/true: coreutils is not in the default root
    assert not (built_root / host_only.lstrip("/")).exists()
    p = run_cli("run", "--target-root", str(built_root), host_only)
    assert p.returncode == 125 and p.stderr.count("\n") == 1, p.stderr
    assert f"the target root {built_root} has no {host_only}" in p.stderr
    assert "`unibuild target-root add true`" in p.stderr and "EM_X86_64" in p.stderr


def test_ctrl_c_during_create_exits_130_with_one_line(built_root, tmp_path):
    import signal
    import subprocess
    import sys
    import time
    proc = subprocess.Popen([sys.executable, "-m", "unibuild", "target-root", "create", str(tmp_path / "r"),
                             "--package", "python3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)   # in apt's planning or unpacking by now
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.splitlines()[-1] == "unibuild: interrupted" and "Aborted!" not in err and "Traceback" not in err
