"""Package-aware extras: the dpkg database a target root carries, and the files a program's
Debian packages bring into its image (python3's standard library, nginx's /etc/nginx).

The dpkg records we write are compared with real dpkg's (the oracle: `dpkg --root -i` of the
same .deb); selection runs over small fake roots written in dpkg's on-disk format; the boot
test (tests/boot/test_python_guest.py) compares python3 in the unikernel with python3 under
qemu-aarch64-static."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lib.fakeroot import FakeRoot
from unibuild import targetroot
from unibuild.errors import UserError
from unibuild.image import Manifest, Placement
from unibuild.image.program import add_program, check_elf_files
from unibuild.paths import BUILD_DIR
from unibuild.resolve import program_package_files
from unibuild.targetroot.control import parse_paragraphs, parse_relations
from unibuild.targetroot.dpkgdb import read_file_list, read_installed, record_package

MULTIARCH = "/usr/lib/aarch64-linux-gnu"


# --- helpers: aarch64 objects and roots in dpkg's on-disk format ------------------------------

@pytest.fixture
def root(tmp_path, elves) -> FakeRoot:
    """`tool` split as Debian splits python3: tool-minimal has the binary, tool (same source)
    what `apt install tool` adds; their dependencies exercise alternatives, Provides, the C
    runtime and Essential packages, and paths that stay out (documentation, catalogs)."""
    r = FakeRoot(tmp_path / "root", elves["prog"])
    r.package("tool-minimal", [r.file("/usr/bin/tool-1.0", elves["prog"]), r.link("/usr/bin/tool", "tool-1.0")],
              source="tool", depends="libtool-core1 (>= 1.0), libc6 (>= 2.36)", pre_depends="dpkg (>= 1.15)")
    r.package("tool", [r.file("/usr/share/tool/extra.txt"), r.file("/usr/share/doc/tool/copyright")],
              source="tool (1.0-1)", depends="tool-minimal (= 1.0-1), libtool-data | tool-data-virtual")
    r.package("tool-dev", [r.file("/usr/include/tool.h")], source="tool", depends="tool (= 1.0-1)")
    r.package("libtool-core1", [r.file(f"{MULTIARCH}/tool/core.dat"), r.file(f"{MULTIARCH}/tool/module.so", elves["module"])],
              multi_arch="same", source="tool", depends="libc6:any")
    r.package("libtool-data", [], status="deinstall ok config-files")
    r.package("data-provider", [r.file("/usr/share/tool/data/words"), r.dir("/etc/tool/conf.d"),
                                r.link("/etc/tool/current", "/opt/missing/thing"),
                                r.file("/usr/share/man/man1/tool.1.gz"),
                                r.file("/usr/share/locale/de/LC_MESSAGES/tool.mo")],
              arch="all", provides="tool-data-virtual, other-virtual (= 2)")
    r.package("libc6", [r.file("/lib/aarch64-linux-gnu/libneeded.so.1", elves["lib"]),
                        r.file(f"{MULTIARCH}/gconv/UTF-7.so")], multi_arch="same", depends="libgcc-s1")
    r.package("libgcc-s1", [r.file("/lib/aarch64-linux-gnu/libgcc_s.so.1")], multi_arch="same")
    r.package("dpkg", [r.file("/usr/bin/dpkg")], essential="yes")
    r.package("other", [r.file("/usr/bin/other", elves["prog"])], source="tool")
    return r


def _paths(found) -> dict[str, str | None]:
    return {f.path: f.symlink for f in found.files}


# --- the dpkg database: what we write is what dpkg writes ---------------------------------------

def _build_deb(tmp: Path, name: str, control: str, files: dict[str, str]) -> Path:
    src = tmp / f"{name}-src"
    (src / "DEBIAN").mkdir(parents=True)
    (src / "DEBIAN/control").write_text(control)
    for path, content in files.items():
        host = src / path.lstrip("/")
        host.parent.mkdir(parents=True, exist_ok=True)
        if content.startswith("->"):
            os.symlink(content[2:], host)
        else:
            host.write_text(content)
    (src / "usr/share/demo/empty").mkdir(parents=True, exist_ok=True)
    deb = tmp / f"{name}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(src), str(deb)], check=True,
                   capture_output=True)
    return deb


@pytest.mark.parametrize("name, arch, multi_arch", [("libdemo1", "arm64", "same"), ("demo-data", "all", "foreign")])
def test_recorded_list_and_status_match_what_dpkg_itself_writes(tmp_path, name, arch, multi_arch):
    if shutil.which("dpkg") is None:
        pytest.fail("dpkg missing: a Debian host has it")
    control = (f"Package: {name}\nVersion: 1.0-1\nArchitecture: {arch}\nMulti-Arch: {multi_arch}\n"
               "Maintainer: Nobody <nobody@example.org>\nDepends: libfoo1 (>= 1) | libbar, libc6:any\n"
               "Pre-Depends: dpkg (>= 1.15)\nDescription: demo\n A demo package.\n")
    deb = _build_deb(tmp_path, name, control, {"/usr/bin/demo-1.0": "hi\n", "/usr/bin/demo": "->demo-1.0",
                                               "/usr/share/demo/data": "data\n"})
    real = tmp_path / "real"
    (real / "var/lib/dpkg/info").mkdir(parents=True)
    (real / "var/lib/dpkg/updates").mkdir()
    (real / "var/lib/dpkg/status").touch()
    subprocess.run(["dpkg", f"--root={real}", f"--admindir={real}/var/lib/dpkg", "--log=/dev/null",
                    "--force-architecture", "--force-depends", "--force-script-chrootless", "--force-not-root",
                    "-i", str(deb)], check=True, capture_output=True)
    ours = tmp_path / "ours"
    unpacked = subprocess.run(["dpkg-deb", "-X", str(deb), str(ours)], check=True, capture_output=True, text=True)
    paragraph = record_package(ours, control, unpacked.stdout.splitlines())

    info = "var/lib/dpkg/info"
    expected_list = f"{name}:arm64.list" if multi_arch == "same" else f"{name}.list"
    assert (real / info / expected_list).is_file()
    assert (ours / info / expected_list).read_text() == (real / info / expected_list).read_text()
    assert (ours / info / "format").read_text() == (real / info / "format").read_text()
    theirs = parse_paragraphs((real / "var/lib/dpkg/status").read_text())[0]
    assert parse_paragraphs(paragraph)[0] == theirs
    assert paragraph.splitlines()[:2] == [f"Package: {name}", "Status: install ok installed"]


def test_relations_keep_package_names_and_alternatives():
    assert parse_relations("libfoo1 (>= 1) | libbar:any, libc6 (>= 2.36) [arm64], python3:any <!nocheck>") == (
        ("libfoo1", "libbar"), ("libc6",), ("python3",))
    assert parse_relations(None) == ()


def test_apt_simulation_names_the_all_architecture_debs():
    text = ("Inst libc6 (2.36-9+deb12u14 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [arm64])\n"
            "Inst media-types (10.0.0 Debian:12.15/oldstable [all])\n"
            "Conf media-types (10.0.0 Debian:12.15/oldstable [all])\n"
            "Inst nodejs (18.20.4+dfsg-1~deb12u3 Debian-Security:12/oldstable-security [arm64]) []\n"
            "Inst node-acorn (8.8.1+ds+~cs25.17.7-2 Debian:12.15/oldstable [all]) []\n")
    assert targetroot.parse_simulation(text) == [targetroot.Package("libc6", "2.36-9+deb12u14", "arm64"),
                                                 targetroot.Package("media-types", "10.0.0", "all"),
                                                 targetroot.Package("nodejs", "18.20.4+dfsg-1~deb12u3", "arm64"),
                                                 targetroot.Package("node-acorn", "8.8.1+ds+~cs25.17.7-2", "all")]


def test_reader_keeps_only_packages_whose_files_are_there(root):
    installed = read_installed(root.path)
    assert "libtool-data" not in installed   # deinstall ok config-files: no files left
    assert installed["tool"].source == "tool" and installed["dpkg"].essential
    assert installed["data-provider"].provides == ("tool-data-virtual", "other-virtual")
    assert read_file_list(root.path, installed["libc6"])[0] == "/lib"


# --- which packages, which files -----------------------------------------------------------------

def test_owner_full_variant_and_dependency_closure(root):
    found = program_package_files(root.path, "/usr/bin/tool", set())
    # tool-minimal owns the link and the file; tool is its same-source full variant; the
    # closure picks the installed provider of `libtool-data | tool-data-virtual`.
    assert found.packages == ("tool-minimal", "tool", "libtool-core1", "data-provider")
    assert found.note == ""


def test_package_files_keep_their_paths_and_symlinks_and_leave_out_documentation(root):
    files = _paths(program_package_files(root.path, "/usr/bin/tool", set()))
    assert files["/usr/bin/tool"] == "tool-1.0" and files["/usr/bin/tool-1.0"] is None
    for path in ["/usr/share/tool/extra.txt", "/usr/share/tool/data/words", f"{MULTIARCH}/tool/core.dat"]:
        assert files[path] is None
    assert files["/etc/tool/current"] == "/opt/missing/thing"   # a dangling link is still the package's
    for path in ["/usr/share/doc/tool/copyright", "/usr/share/man/man1/tool.1.gz",
                 "/usr/share/locale/de/LC_MESSAGES/tool.mo"]:
        assert path not in files


def test_c_runtime_essential_and_unrelated_packages_stay_out(root):
    found = program_package_files(root.path, "/usr/bin/tool", set())
    files = _paths(found)
    assert not {"libc6", "libgcc-s1", "dpkg", "tool-dev", "other"} & set(found.packages)
    for path in [f"{MULTIARCH}/gconv/UTF-7.so", "/usr/bin/dpkg", "/usr/include/tool.h", "/usr/bin/other"]:
        assert path not in files


def test_libraries_a_package_module_needs_come_from_the_c_runtime_package(root):
    """module.so DT_NEEDs libneeded.so.1, which only libc6 (left out) has: dlopen in the
    guest would fail without it, so it is taken from ld.so's default directories."""
    files = _paths(program_package_files(root.path, "/usr/bin/tool", set()))
    assert "/lib/aarch64-linux-gnu/libneeded.so.1" in files
    already = program_package_files(root.path, "/usr/bin/tool", {"/lib/aarch64-linux-gnu/libneeded.so.1"})
    assert "/lib/aarch64-linux-gnu/libneeded.so.1" not in _paths(already)


def test_directory_shipped_empty_is_created(root):
    found = program_package_files(root.path, "/usr/bin/tool", set())
    assert found.empty_dirs == ["/etc/tool/conf.d"]


def test_merged_usr_root_finds_the_owner_through_the_directory_link(tmp_path, elves):
    """Packages record /bin/bash; a merged-/usr root has it at /usr/bin/bash behind /bin -> usr/bin.
    The /bin link itself must not make every package with a /bin entry an owner."""
    r = FakeRoot(tmp_path / "merged", elves["prog"])
    r.file("/usr/bin/sh-like", elves["prog"])
    r.file("/usr/bin/cat-like", elves["prog"])
    r.link("/bin", "usr/bin")
    r.package("shell", ["/bin/sh-like", r.file("/usr/share/shell/rc")])
    r.package("cat", ["/bin/cat-like", r.file("/usr/share/cat/rc")])
    for program in ["/usr/bin/sh-like", "/bin/sh-like"]:
        found = program_package_files(r.path, program, set())
        assert found.packages == ("shell",)
        files = _paths(found)
        assert "/usr/share/shell/rc" in files and "/usr/share/cat/rc" not in files
        assert files["/bin"] == "usr/bin" and files["/usr/bin/sh-like"] is None


def test_root_without_dpkg_data_or_owner_gives_nothing_and_says_why(root, tmp_path, elves):
    unowned = program_package_files(root.path, "/lib/ld-linux-aarch64.so.1", set())
    assert unowned.files == [] and "owns" in unowned.note
    bare = FakeRoot(tmp_path / "bare", elves["prog"])
    shutil.rmtree(bare.path / "var")
    found = program_package_files(bare.path, "/lib/ld-linux-aarch64.so.1", set())
    assert found.files == [] and "var/lib/dpkg/status" in found.note


# --- into the image ------------------------------------------------------------------------------

def test_extras_put_package_files_into_the_manifest(root, tmp_path):
    m = Manifest(program="")
    found = add_program(m, "/usr/bin/tool", target_root=root.path, extras=True, scratch=tmp_path).package_files
    placed = {p.dst for p in m.files}
    assert m.program == "/usr/bin/tool" and "/usr/share/tool/data/words" in placed
    assert m.symlinks["/usr/bin/tool"] == "tool-1.0"
    assert [d.dst for d in m.dirs] == ["/etc/tool/conf.d"] and not any(m.dirs[0].src.iterdir())
    assert found.packages[0] == "tool-minimal"
    check_elf_files(m)


def test_no_extras_leaves_package_files_out(root, tmp_path):
    m = Manifest(program="")
    assert add_program(m, "/usr/bin/tool", target_root=root.path, extras=False, scratch=tmp_path).package_files is None
    assert {p.dst for p in m.files} == {"/usr/bin/tool-1.0"} and m.dirs == []


def test_users_own_files_win_over_the_packages(root, tmp_path):
    mine = tmp_path / "words"
    mine.write_text("mine\n")
    m = Manifest(program="", files=[Placement(mine, "/usr/share/tool/data/words")])
    add_program(m, "/usr/bin/tool", target_root=root.path, extras=True, scratch=tmp_path)
    assert [p.src for p in m.files if p.dst == "/usr/share/tool/data/words"] == [mine]


def test_host_program_outside_the_root_gets_no_package_files(root, tmp_path, elves):
    m = Manifest(program="")
    shutil.copy(elves["prog"], tmp_path / "tool")   # same name as the root's, but the host's file
    add_program(m, str(tmp_path / "tool"), target_root=root.path, extras=True, scratch=tmp_path)
    assert [p.dst for p in m.files] == ["/tool"]


def test_foreign_elf_from_a_package_is_refused_by_the_aarch64_check(root, tmp_path):
    root.file("/usr/lib/tool/helper", Path(shutil.which("true")))
    root.package("tool-helper", ["/usr/lib/tool/helper"], source="tool", depends="tool-minimal")
    m = Manifest(program="")
    add_program(m, "/usr/bin/tool", target_root=root.path, extras=True, scratch=tmp_path)
    with pytest.raises(UserError, match="/usr/lib/tool/helper.*not aarch64"):
        check_elf_files(m)


def test_build_cli_with_and_without_dpkg_data_never_fails_for_it(root, tmp_path, run_cli):
    image = tmp_path / "tool.img"
    p = run_cli("build", "-o", str(image), "--target-root", str(root.path), "/usr/bin/tool")
    assert p.returncode == 0, p.stderr
    listing = run_cli("ls", str(image), "/usr/share/tool/data")
    assert "words" in listing.stdout, listing.stdout + listing.stderr
    shutil.rmtree(root.path / "var/lib/dpkg")
    p = run_cli("build", "-o", str(image), "--target-root", str(root.path), "/usr/bin/tool")
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr


# --- a root unibuild creates ---------------------------------------------------------------------

def test_created_root_records_every_unpacked_package(tmp_path):
    built = targetroot.create(BUILD_DIR / "target-root", progress=lambda _line: None)
    installed = read_installed(built)
    assert {"libc6", "libc-bin", "libgcc-s1", "libstdc++6"} <= set(installed)
    assert (built / "var/lib/dpkg/info/libc6:arm64.list").is_file()    # Multi-Arch: same
    assert (built / "var/lib/dpkg/info/libc-bin.list").is_file()        # Multi-Arch: foreign
    for pkg in installed.values():
        listed = read_file_list(built, pkg)
        assert listed, pkg.name
        assert all(os.path.lexists(built / p.lstrip("/")) for p in listed), pkg.name
    assert "/lib/aarch64-linux-gnu/libc.so.6" in read_file_list(built, installed["libc6"])
    assert program_package_files(built, "/sbin/ldconfig", set()).packages == ("libc-bin",)
