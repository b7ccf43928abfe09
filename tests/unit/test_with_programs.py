"""Images for programs that exec others (unibuild/image/programs.py, image/busybox.py): --with
programs and their libraries, one ld.so.cache for all, busybox's applet links, a `#!` script as
PROGRAM, and `unibuild ldd` naming what an exec would not find. What lands in the image is read
back from the image; the applet table is compared with `busybox --list-full` under
qemu-aarch64-static (Linux's busybox saying where its links go)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lib.fakeroot import FakeRoot, cc_nostdlib
from unibuild.image import busybox
from unibuild.paths import BUILD_DIR
from unibuild.resolve import ldcache
from unibuild.tfs.reader import Image

BUSYBOX_ROOT = BUILD_DIR / "target-root-busybox"   # Debian's busybox only: no /bin/sh in it
UNIBUILD = [sys.executable, "-m", "unibuild"]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*UNIBUILD, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def bb_root() -> Path:
    subprocess.run([*UNIBUILD, "target-root", "create", str(BUSYBOX_ROOT), "--package", "busybox"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return BUSYBOX_ROOT


def built(tmp_path: Path, *args: str) -> Image:
    image = tmp_path / "out.tfs"
    p = cli("build", "-o", str(image), *args)
    assert p.returncode == 0, p.stderr
    return Image(image)


def links_in(img: Image) -> dict[str, str]:
    out = {}

    def walk(node, path):
        for name, child_id in node.children.items():
            child = img.nodes[child_id]
            here = f"{path}/{name}"
            if child.kind == "symlink":
                out[here] = child.target
            elif child.kind == "dir":
                walk(child, here)
    walk(img.root, "")
    return out


def files_in(img: Image) -> set[str]:
    out = set()

    def walk(node, path):
        for name, child_id in node.children.items():
            child = img.nodes[child_id]
            if child.kind == "file":
                out.add(f"{path}/{name}")
            elif child.kind == "dir":
                walk(child, f"{path}/{name}")
    walk(img.root, "")
    return out


def ld_cache(img: Image) -> dict[str, str]:
    data = b"".join(img.read(img.lookup("/etc/ld.so.cache")))
    return {e.name: e.path for e in ldcache.parse(data)}


# --- busybox's applet tables --------------------------------------------------------------------

def test_applet_links_are_where_busybox_list_full_puts_them(bb_root):
    binary = bb_root / "bin/busybox"
    listed = subprocess.run(["qemu-aarch64-static", "-L", str(bb_root), str(binary), "--list-full"],
                            capture_output=True, text=True, check=True, timeout=60).stdout.split()
    links = busybox.applet_links(binary.read_bytes(), "/bin/busybox")
    assert sorted(links) == sorted("/" + path for path in listed)
    assert set(links.values()) == {"/bin/busybox"}


def _fake_busybox(d: Path, names: list[str], dirs: list[int]) -> Path:
    """A static aarch64 ELF carrying applet_names and applet_install_loc as busybox's
    applet_tables.c generates them."""
    packed = [dirs[i] | ((dirs[i + 1] << 4) if i + 1 < len(dirs) else 0) for i in range(0, len(dirs), 2)]
    text = "".join(n + "\\0" for n in names)
    (d / "bb.c").write_text(
        f'__attribute__((used)) const unsigned char applet_install_loc[] = {{{", ".join(map(hex, packed))}}};\n'
        f'__attribute__((used)) const char applet_names[] = "{text}";\n'
        "void _start(void) { for (;;) ; }\n")
    return cc_nostdlib(d / "busybox", "-static", str(d / "bb.c"))


# Applet -> install location (1 /bin, 2 /sbin, 3 /usr/bin, 4 /usr/sbin), as busybox's own list has them.
APPLETS = {"[": 3, "arping": 4, "ash": 1, "cat": 1, "chroot": 4, "ip": 2, "ls": 1, "mount": 1, "sh": 1,
           "test": 3, "wc": 3, "zcat": 1}
NAMES = sorted(APPLETS)
DIRS = [APPLETS[n] for n in NAMES]


def test_the_tables_are_read_from_a_binary_that_has_them(tmp_path):
    data = _fake_busybox(tmp_path, NAMES, DIRS).read_bytes()
    assert busybox.applet_names(data) == NAMES
    assert busybox.install_dirs(data, len(NAMES)) == [busybox.INSTALL_DIRS[d] for d in DIRS]


def test_a_usrmerged_roots_links_go_under_usr_with_bin_kept_as_its_link(tmp_path, elves):
    bb = _fake_busybox(tmp_path, NAMES, DIRS)
    root = FakeRoot(tmp_path / "root", elves["prog"])
    root.file("/usr/bin/busybox", bb)
    root.dir("/usr/sbin")
    root.link("/bin", "usr/bin")
    root.link("/sbin", "usr/sbin")
    img = built(tmp_path, "--target-root", str(root.path), "--with", "/bin/busybox", str(elves["prog"]))
    links = links_in(img)
    assert links["/bin"] == "usr/bin" and links["/sbin"] == "usr/sbin"
    assert links["/usr/bin/sh"] == links["/usr/bin/wc"] == links["/usr/sbin/ip"] == "/bin/busybox"
    assert links["/usr/sbin/chroot"] == "/bin/busybox" and "/bin/sh" not in links
    assert "/usr/bin/busybox" in files_in(img)


def test_a_roots_own_links_to_busybox_win_over_its_tables(tmp_path, elves):
    bb = _fake_busybox(tmp_path, NAMES, DIRS)
    root = FakeRoot(tmp_path / "root", elves["prog"])
    root.file("/bin/busybox", bb)
    root.link("/bin/sh", "busybox")
    root.link("/usr/bin/awk", "../../bin/busybox")
    root.file("/usr/bin/other", elves["prog"])
    img = built(tmp_path, "--target-root", str(root.path), "--with", "/bin/busybox", str(elves["prog"]))
    assert links_in(img) == {"/bin/sh": "busybox", "/usr/bin/awk": "../../bin/busybox"}


# --- --with: another program and its libraries ---------------------------------------------------

def test_with_brings_the_program_its_libraries_applets_and_one_shared_ld_cache(tmp_path, bb_root):
    img = built(tmp_path, "--target-root", str(bb_root), "--with", "/bin/busybox", "/usr/bin/getent", "hosts")
    files = files_in(img)
    assert {"/usr/bin/getent", "/bin/busybox", "/lib/aarch64-linux-gnu/libresolv.so.2",
            "/lib/aarch64-linux-gnu/libc.so.6"} <= files
    assert links_in(img)["/bin/sh"] == "/bin/busybox"
    assert img.boot.argv == ["/usr/bin/getent", "hosts"]
    # Both programs' cache lookups are in the one cache: libresolv only busybox needs.
    assert {"libc.so.6", "libresolv.so.2"} <= set(ld_cache(img))


def test_busybox_as_program_brings_its_applets_too(tmp_path, bb_root):
    img = built(tmp_path, "--target-root", str(bb_root), "/bin/busybox", "sh", "-c", "ls | wc -l")
    links = links_in(img)
    assert links["/bin/sh"] == links["/bin/ls"] == links["/usr/bin/wc"] == "/bin/busybox"
    assert img.boot.argv == ["/bin/busybox", "sh", "-c", "ls | wc -l"]


def test_with_from_the_config_file(tmp_path, bb_root):
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"program": "/usr/bin/getent", "with": ["/bin/busybox"],
                                  "target_root": str(bb_root)}))
    img = built(tmp_path, "-c", str(config))
    assert "/bin/busybox" in files_in(img)


def test_with_a_foreign_elf_or_a_missing_program_is_one_line(tmp_path, bb_root):
    for spec, words in [("/bin/true", "not aarch64"), ("/usr/bin/no-such", "no-such")]:
        p = cli("build", "-o", str(tmp_path / "x.tfs"), "--target-root", str(bb_root), "--with", spec,
                "/usr/bin/getent")
        assert p.returncode == 125 and len(p.stderr.splitlines()) == 1 and words in p.stderr, p.stderr
        assert "Traceback" not in p.stderr


# --- a #! script as PROGRAM ----------------------------------------------------------------------

def _script(path: Path, text: str, mode: int = 0o755) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def test_a_script_starts_as_its_interpreter_with_binfmt_scripts_argv(tmp_path, bb_root):
    script = _script(tmp_path / "job.sh", "#!/bin/sh -eu\necho hi\n")
    img = built(tmp_path, "--target-root", str(bb_root), "--with", "/bin/busybox", str(script), "a", "b c")
    assert img.boot.program == "/bin/sh"
    assert img.boot.argv == ["/bin/sh", "-eu", "/job.sh", "a", "b c"]
    assert "/job.sh" in files_in(img)


def test_a_scripts_interpreter_comes_from_the_root_with_its_libraries(tmp_path, bb_root):
    script = _script(tmp_path / "job", "#!/bin/busybox sh\necho hi\n")
    img = built(tmp_path, "--target-root", str(bb_root), str(script))
    assert img.boot.argv == ["/bin/busybox", "sh", "/job"]
    assert {"/bin/busybox", "/lib/aarch64-linux-gnu/libresolv.so.2"} <= files_in(img)
    assert links_in(img)["/bin/sh"] == "/bin/busybox"   # busybox as interpreter brings its applets too


def test_nested_scripts_from_the_root_go_into_the_image(tmp_path, elves):
    root = FakeRoot(tmp_path / "root", elves["prog"])
    root.file("/usr/bin/engine", elves["prog"])
    _script(root.path / "usr/bin/wrapper", "#!/usr/bin/engine --run\n")
    script = _script(tmp_path / "job", "#!/usr/bin/wrapper\n")
    img = built(tmp_path, "--target-root", str(root.path), str(script), "x")
    assert img.boot.argv == ["/usr/bin/engine", "--run", "/usr/bin/wrapper", "/job", "x"]
    assert {"/usr/bin/engine", "/usr/bin/wrapper", "/job"} <= files_in(img)


@pytest.mark.parametrize("text, mode, words", [
    ("#!/bin/sh\n", 0o755, "/bin/sh, which is neither in the image nor in the target root"),
    ("#!/bin/busybox sh\n", 0o644, "chmod +x"),
    ("#!   \n", 0o755, "names no interpreter"),
    ("#!sh\n", 0o755, "relative path"),
])
def test_a_script_linux_would_not_run_is_one_line(tmp_path, bb_root, text, mode, words):
    script = _script(tmp_path / "job", text, mode)
    p = cli("build", "-o", str(tmp_path / "x.tfs"), "--target-root", str(bb_root), str(script))
    assert p.returncode == 125 and len(p.stderr.splitlines()) == 1 and words in p.stderr, p.stderr


def test_with_a_script_brings_its_interpreter(tmp_path, elves):
    root = FakeRoot(tmp_path / "root", elves["prog"])
    root.file("/usr/bin/engine", elves["prog"])
    _script(root.path / "usr/bin/helper", "#!/usr/bin/engine\n")
    img = built(tmp_path, "--target-root", str(root.path), "--with", "/usr/bin/helper", str(elves["prog"]))
    assert {"/usr/bin/engine", "/usr/bin/helper", "/prog"} <= files_in(img)
    assert img.boot.argv == ["/prog"]


# --- ldd --------------------------------------------------------------------------------------------

def test_ldd_lists_the_with_programs_and_a_scripts_interpreter(tmp_path, bb_root):
    script = _script(tmp_path / "job", "#!/bin/sh\n")
    p = cli("ldd", "--target-root", str(bb_root), "--with", "/bin/busybox", str(script))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[:4] == [f"{script}:", "\tscript for /bin/sh", "/bin/sh:", "\t=> /bin/busybox"]
    assert lines[4] == "/bin/busybox:" and "\tlibresolv.so.2 => /lib/aarch64-linux-gnu/libresolv.so.2" in lines


def test_ldd_names_an_interpreter_an_exec_would_not_find(tmp_path, bb_root):
    script = _script(tmp_path / "job", "#!/bin/sh\n")
    p = cli("ldd", "--target-root", str(bb_root), str(script))
    assert p.returncode == 1
    assert p.stdout.splitlines() == [f"{script}:", "\tscript for /bin/sh", "/bin/sh:",
                                     "\t/bin/sh => not found (add it with --with PATH or its package)"]


def test_env_in_a_scripts_line_brings_the_program_it_runs(tmp_path, elves):
    """`#!/usr/bin/env tool`: env execs tool through PATH (glibc's /bin:/usr/bin when unset)."""
    root = FakeRoot(tmp_path / "root", elves["prog"])
    root.file("/usr/bin/env", elves["prog"])
    root.file("/usr/bin/tool", elves["prog"])
    for line in ("#!/usr/bin/env tool\n", "#!/usr/bin/env -S -u HOME A=1 tool --flag\n"):
        script = _script(tmp_path / "job", line)
        img = built(tmp_path, "--target-root", str(root.path), str(script))
        assert {"/usr/bin/env", "/usr/bin/tool", "/job"} <= files_in(img)
        assert img.boot.argv[0] == "/usr/bin/env"
    script = _script(tmp_path / "job", "#!/usr/bin/env missing-tool\n")
    p = cli("build", "-o", str(tmp_path / "x.tfs"), "--target-root", str(root.path), str(script))
    assert p.returncode == 125 and "finds no missing-tool in PATH" in p.stderr, p.stderr
