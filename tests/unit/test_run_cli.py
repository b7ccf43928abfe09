"""`unibuild run`/`build` user errors: one line on stderr, non-zero exit, no traceback, and no
kernel build or boot before the mistake is found."""

from __future__ import annotations

import json
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
