"""Python bytecode compiled at image build time for a CPython standard library from the root.

The pycs are checked the way the importing interpreter checks them (magic number, flags, the
source hash of PEP 552) and loaded by this very interpreter; the boot test
(tests/boot/test_python_guest.py) watches the guest's
import system and compares it with python3 under qemu-aarch64-static, which compiles json."""

from __future__ import annotations

import importlib.util
import marshal
import subprocess
import sys
from pathlib import Path

import pytest

from lib.fakeroot import FakeRoot
from unibuild.image import Manifest, Placement, pycompile
from unibuild.image.program import add_program

HOST = f"python{sys.version_info[0]}.{sys.version_info[1]}"
TAG = f"cpython-{sys.version_info[0]}{sys.version_info[1]}"
MAGIC_SOURCE = "importlib/_bootstrap_external.py"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch) -> Path:
    """Each test compiles afresh, into its own cache, never the project's build/cache/pyc."""
    cache = tmp_path / "pyc-cache"
    monkeypatch.setattr(pycompile, "PYC_CACHE", cache)
    return cache


def python_root(path: Path, prog: Path, version: str = HOST, magic: bytes | None = None) -> FakeRoot:
    """A root whose `python` package (owning /usr/bin/python) ships a standard library in
    /usr/lib/VERSION: a package, a module reached through a symlink (as Debian's
    sitecustomize.py), a file that does not compile, and the magic number's definition."""
    r = FakeRoot(path, prog)
    lib = f"/usr/lib/{version}"
    magic_line = ("MAGIC_NUMBER = (%d).to_bytes(2, 'little') + b'\\r\\n'\n" % int.from_bytes(magic[:2], "little")
                  if magic else "")
    r.package("python", [r.file("/usr/bin/python", prog),
                         r.file(f"{lib}/json/__init__.py", b"from .decoder import VALUE\n"),
                         r.file(f"{lib}/json/decoder.py", b"VALUE = 42\n"),
                         r.file(f"{lib}/lib2to3/tests/data/py2_test_grammar.py", b"print 'old'\n"),
                         r.file(f"/etc/{version}/sitecustomize.py", b"SITE = 1\n"),
                         r.link(f"{lib}/sitecustomize.py", f"/etc/{version}/sitecustomize.py"),
                         r.file(f"{lib}/{MAGIC_SOURCE}", magic_line.encode()),
                         r.file(f"{lib}/README.txt")])
    return r


def pycs(m: Manifest) -> dict[str, Path]:
    return {p.dst: p.src for p in m.files if p.dst.endswith(".pyc")}


def build(root: FakeRoot, tmp_path: Path, *, extras: bool = True, files=()) -> Manifest:
    m = Manifest(program="", files=list(files))
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    add_program(m, "/usr/bin/python", target_root=root.path, extras=extras, scratch=scratch)
    return m


def test_every_module_of_the_standard_library_gets_its_pycache_file(tmp_path, elves):
    root = python_root(tmp_path / "root", elves["prog"], magic=importlib.util.MAGIC_NUMBER)
    lib = f"/usr/lib/{HOST}"
    assert set(pycs(build(root, tmp_path))) == {
        f"{lib}/json/__pycache__/__init__.{TAG}.pyc", f"{lib}/json/__pycache__/decoder.{TAG}.pyc",
        f"{lib}/__pycache__/sitecustomize.{TAG}.pyc", f"{lib}/importlib/__pycache__/_bootstrap_external.{TAG}.pyc"}
    # py2_test_grammar.py does not compile: skipped, silently. README.txt is no module.


def test_pycs_are_unchecked_hash_pycs_this_interpreter_accepts_for_the_guest_path(tmp_path, elves):
    root = python_root(tmp_path / "root", elves["prog"], magic=importlib.util.MAGIC_NUMBER)
    found = pycs(build(root, tmp_path))
    for source, guest in [(f"usr/lib/{HOST}/json/decoder.py", f"/usr/lib/{HOST}/json/decoder.py"),
                          (f"etc/{HOST}/sitecustomize.py", f"/usr/lib/{HOST}/sitecustomize.py")]:
        data = found[importlib.util.cache_from_source(guest, optimization="")].read_bytes()
        text = (root.path / source).read_bytes()
        assert data[:4] == importlib.util.MAGIC_NUMBER
        assert int.from_bytes(data[4:8], "little") == 0b01   # hash-based, check_source off
        assert data[8:16] == importlib.util.source_hash(text)
        code = marshal.loads(data[16:])
        assert code.co_filename == guest   # tracebacks name the guest's file, not the host's
        namespace: dict = {}
        exec(code, namespace)
        assert namespace.get("VALUE", namespace.get("SITE")) in (42, 1)


def test_target_of_another_version_gets_no_pycs(tmp_path, elves):
    other = f"python3.{sys.version_info[1] + 1}"
    root = python_root(tmp_path / "root", elves["prog"], version=other)
    m = build(root, tmp_path)
    assert f"/usr/lib/{other}/json/decoder.py" in {p.dst for p in m.files}
    assert pycs(m) == {}


def test_same_version_with_another_magic_number_gets_no_pycs(tmp_path, elves):
    """A pre-release of the same version (3.11b3 had 3494, 3.11.0 3495) reads other bytecode."""
    other = (int.from_bytes(importlib.util.MAGIC_NUMBER[:2], "little") - 1).to_bytes(2, "little") + b"\r\n"
    root = python_root(tmp_path / "root", elves["prog"], magic=other)
    assert pycs(build(root, tmp_path)) == {}


def test_another_host_version_compiles_nothing(tmp_path, elves, monkeypatch):
    root = python_root(tmp_path / "root", elves["prog"], magic=importlib.util.MAGIC_NUMBER)
    monkeypatch.setattr(sys, "version_info", (3, sys.version_info[1] - 1, 0, "final", 0))
    assert pycs(build(root, tmp_path)) == {}


def test_unreadable_magic_number_leaves_the_version_match_to_decide(tmp_path, elves):
    root = python_root(tmp_path / "root", elves["prog"], magic=None)
    assert len(pycs(build(root, tmp_path))) == 4


def test_no_extras_means_no_pycs(tmp_path, elves):
    root = python_root(tmp_path / "root", elves["prog"], magic=importlib.util.MAGIC_NUMBER)
    assert pycs(build(root, tmp_path, extras=False)) == {}


def test_the_users_own_source_or_pyc_is_never_paired_with_a_pyc_of_the_roots(tmp_path, elves):
    """An unchecked pyc is used whatever the source says: one compiled from the root's text
    must not sit next to the user's replacement, and the user's own pyc stays."""
    root = python_root(tmp_path / "root", elves["prog"], magic=importlib.util.MAGIC_NUMBER)
    mine = tmp_path / "mine.py"
    mine.write_text("VALUE = 'mine'\n")
    lib = f"/usr/lib/{HOST}"
    users = [Placement(mine, f"{lib}/json/decoder.py"), Placement(mine, f"/etc/{HOST}/sitecustomize.py"),
             Placement(mine, f"{lib}/json/__pycache__/__init__.{TAG}.pyc")]
    found = pycs(build(root, tmp_path, files=users))
    assert set(found) == {f"{lib}/json/__pycache__/__init__.{TAG}.pyc",
                          f"{lib}/importlib/__pycache__/_bootstrap_external.{TAG}.pyc"}
    assert found[f"{lib}/json/__pycache__/__init__.{TAG}.pyc"] == mine


def test_second_build_reuses_the_cached_pycs_and_the_target_root_stays_untouched(tmp_path, elves, private_cache):
    root = python_root(tmp_path / "root", elves["prog"], magic=importlib.util.MAGIC_NUMBER)
    first = pycs(build(root, tmp_path))
    stamps = {p: p.stat().st_mtime_ns for p in first.values()}
    second = pycs(build(root, tmp_path))
    assert second == first and all(p.is_relative_to(private_cache) for p in first.values())
    assert {p: p.stat().st_mtime_ns for p in second.values()} == stamps
    assert not list(root.path.rglob("__pycache__"))


def test_unwritable_cache_falls_back_to_the_scratch_directory(tmp_path, elves, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setattr(pycompile, "PYC_CACHE", blocker / "pyc")
    root = python_root(tmp_path / "root", elves["prog"], magic=importlib.util.MAGIC_NUMBER)
    found = pycs(build(root, tmp_path))
    assert len(found) == 4 and all(p.is_relative_to(tmp_path / "scratch") for p in found.values())
