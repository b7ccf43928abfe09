"""`unibuild run`/`build` user errors: one line on stderr, non-zero exit, no traceback, and no
kernel build or boot before the mistake is found."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIBUILD = [sys.executable, "-m", "unibuild"]


def run(*args, cwd=None):
    return subprocess.run([*UNIBUILD, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def assert_one_line_error(p, *words):
    assert p.returncode != 0
    assert "Traceback" not in p.stderr
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, p.stderr
    for w in words:
        assert w in lines[0], lines[0]


@pytest.fixture(scope="module")
def static_program(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("prog") / "p"
    src = out.with_suffix(".c")
    src.write_text("int main(void) { return 0; }\n")
    subprocess.run(["aarch64-linux-gnu-gcc", "-static", "-o", str(out), str(src)], check=True)
    return out


def test_missing_program(tmp_path):
    assert_one_line_error(run("run", "--target-root", str(tmp_path), str(tmp_path / "nope")), "nope")


def test_foreign_program_names_file_and_machine(tmp_path):
    assert_one_line_error(run("run", shutil.which("true")), "EM_X86_64", "not aarch64")


def test_foreign_elf_among_extra_files(tmp_path, static_program):
    p = run("build", "-o", str(tmp_path / "img"), "--file", f"{shutil.which('true')}:/bin/true",
            str(static_program))
    assert_one_line_error(p, "/bin/true", "not aarch64")
    assert not (tmp_path / "img").exists()


def test_dynamic_program_without_a_target_root_says_how_to_make_one(tmp_path):
    prog = tmp_path / "dyn"
    src = tmp_path / "dyn.c"
    src.write_text("int main(void) { return 0; }\n")
    subprocess.run(["aarch64-linux-gnu-gcc", "-o", str(prog), str(src)], check=True)
    p = run("run", "--target-root", str(tmp_path / "no-root"), str(prog))
    assert_one_line_error(p, "target-root create")


def test_config_file_that_is_not_json(tmp_path, static_program):
    cfg = tmp_path / "c.json"
    cfg.write_text("{ not json")
    assert_one_line_error(run("run", "-c", str(cfg), str(static_program)), "not valid JSON")


def test_config_file_with_unknown_key(tmp_path, static_program):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"colour": "blue"}))
    assert_one_line_error(run("run", "-c", str(cfg), str(static_program)), "colour")


def test_bad_environment_entry(static_program):
    # A bare KEY is docker's `-e KEY` (the host's value); an entry without a name is wrong.
    assert_one_line_error(run("run", "-e", "=VALUE", str(static_program)), "KEY=VALUE or KEY")


def test_build_of_a_static_program_needs_no_target_root(tmp_path, static_program, monkeypatch):
    monkeypatch.setenv("NANOS_TARGET_ROOT", str(tmp_path / "absent"))
    p = run("build", "-o", str(tmp_path / "img"), str(static_program), "x")
    assert p.returncode == 0, p.stderr
    listing = run("ls", str(tmp_path / "img"), "/")
    # The program, and the directories every image has (/tmp, /run, /var/tmp: writable at run time).
    assert [l.split()[-1] for l in listing.stdout.splitlines()] == ["p", "run", "tmp", "var"]


@pytest.mark.parametrize("workdir", ["relative/dir", "/srv/../etc"])
def test_workdir_must_be_an_absolute_image_path(tmp_path, static_program, workdir):
    assert_one_line_error(run("build", "-o", str(tmp_path / "img"), "-w", workdir, str(static_program)),
                          "--workdir", "absolute")


def test_workdir_is_made_in_the_image_and_named_to_the_kernel(tmp_path, static_program):
    p = run("build", "-o", str(tmp_path / "img"), "--workdir", "/srv/app", str(static_program))
    assert p.returncode == 0, p.stderr
    assert run("ls", str(tmp_path / "img"), "/srv").stdout.split()[-1] == "app"
    dump = json.loads(run("dump", "--json", str(tmp_path / "img")).stdout)
    assert '"cwd": "/srv/app"' in json.dumps(dump)


def test_unknown_kernel_option_lists_the_known_ones(tmp_path, static_program):
    p = run("build", "-o", str(tmp_path / "img"), "--kopt", "stace", str(static_program))
    assert_one_line_error(p, "unknown kernel option 'stace'", "strace", "profile", "noaslr")
    assert not (tmp_path / "img").exists()


def test_a_directory_as_program_says_so(tmp_path):
    assert_one_line_error(run("build", "-o", str(tmp_path / "img"), str(tmp_path)), "is a directory")


def test_a_target_root_that_is_a_file_says_so(tmp_path, static_program):
    not_a_root = tmp_path / "root"
    not_a_root.write_text("")
    p = run("run", "--target-root", str(not_a_root), "/usr/bin/only-in-a-root")
    assert_one_line_error(p, "is a file, not a directory")


def test_a_file_placed_onto_the_program_is_an_error(tmp_path, static_program):
    other = tmp_path / "other"
    other.write_text("x")
    p = run("build", "-o", str(tmp_path / "img"), "-f", f"{other}:/{static_program.name}", str(static_program))
    assert_one_line_error(p, "would replace the program itself")
    assert not (tmp_path / "img").exists()


def test_a_truncated_program_is_refused_at_build_time(tmp_path, static_program):
    cut = tmp_path / "cut"
    cut.write_bytes(static_program.read_bytes()[:3000])
    p = run("build", "-o", str(tmp_path / "img"), str(cut))
    assert_one_line_error(p, "is truncated", "past the file's 3000 bytes")
    assert not (tmp_path / "img").exists()


def test_ls_escapes_control_bytes_in_names_so_each_name_is_one_line(tmp_path, static_program):
    data = tmp_path / "d"
    data.mkdir()
    for name in ["new\nline", "tab\there", "esc\x1b[31m", "back\\slash", "caf\u00e9"]:
        (data / name).write_text("x")
    os.mkdir(os.fsencode(tmp_path / "raw"))
    (tmp_path / "raw").joinpath(os.fsdecode(b"\xff\xfe")).write_text("x")   # not UTF-8
    p = run("build", "-o", str(tmp_path / "img"), "--dir", f"{data}:/d", "--dir", f"{tmp_path / 'raw'}:/raw",
            str(static_program))
    assert p.returncode == 0, p.stderr
    listing = run("ls", str(tmp_path / "img"), "/d").stdout.splitlines()
    names = [re.fullmatch(r"(\S+ +){7}(.*)", line).group(2) for line in listing]
    assert sorted(names) == sorted(["new\\x0aline", "tab\\x09here", "esc\\x1b[31m", "back\\\\slash", "caf\u00e9"])
    assert run("ls", str(tmp_path / "img"), "/raw").stdout.split()[-1] == "\\xff\\xfe"
