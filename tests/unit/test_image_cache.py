"""The image cache (unibuild/image/cache.py): a second build of the same request is the cached
image, and any change to what the first build read (a file, a directory, a path it looked for
and did not find) builds anew."""

from __future__ import annotations

import os
import shutil

import pytest

from unibuild.image import cache
from unibuild.pipeline import DEFAULT_BLOCK_SIZE, ImageRequest, built_image
from unibuild.targetroot.rootfs import RootFS
from unibuild.tfs import format as fmt


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "image-cache"
    monkeypatch.setenv(cache.ENV, str(d))
    return d


def build(request: ImageRequest) -> tuple[str, bytes]:
    notes: list[str] = []
    with built_image(request, notes=notes) as image:
        return notes[0], image.read_bytes()


def test_the_pipeline_default_block_size_is_the_formats():
    assert DEFAULT_BLOCK_SIZE == fmt.DEFAULT_BLOCK_SIZE


def test_the_same_request_twice_is_one_build(elves, tmp_path, cache_dir):
    prog = shutil.copy(elves["prog"], tmp_path / "prog")
    request = ImageRequest(program=str(prog), args=("a",))
    first, image = build(request)
    assert first == "built"
    assert build(request) == ("cached", image)
    assert build(ImageRequest(program=str(prog), args=("b",)))[0] == "built"    # another request


def test_a_changed_input_builds_again(elves, tmp_path, cache_dir):
    prog = shutil.copy(elves["prog"], tmp_path / "prog")
    extra = tmp_path / "data"
    extra.write_text("one\n")
    request = ImageRequest(program=str(prog), files=(f"{extra}:/data",))
    assert build(request)[0] == "built"
    assert build(request)[0] == "cached"
    extra.write_text("two\n")
    assert build(request)[0] == "built"
    assert build(request)[0] == "cached"
    os.utime(prog, ns=(1, 1))                      # same bytes, but make would rebuild too
    assert build(request)[0] == "built"


def test_a_path_looked_for_and_missing_is_an_input(tmp_path):
    root = tmp_path / "root"
    (root / "usr/lib").mkdir(parents=True)
    recorder = cache.Recorder(outputs=[])
    with cache.recording(outputs=[]) as recorder:
        assert RootFS(root).lookup("/usr/lib/libnew.so.1") is None     # ld.so searched here first
    assert cache._valid(recorder.inputs)
    (root / "usr/lib/libnew.so.1").write_bytes(b"now it exists")
    assert not cache._valid(recorder.inputs)


def test_what_a_build_writes_is_not_an_input(tmp_path):
    out = tmp_path / "scratch"
    out.mkdir()
    source = tmp_path / "source"
    source.write_text("read\n")
    with cache.recording(outputs=[out]) as recorder:
        source.read_text()
        (out / "generated").write_text("written\n")
        (out / "generated").read_text()
    assert set(recorder.inputs) == {str(source)}


def test_an_empty_setting_turns_the_cache_off(elves, tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, "")
    prog = shutil.copy(elves["prog"], tmp_path / "prog")
    request = ImageRequest(program=str(prog))
    assert build(request)[0] == "built"
    assert build(request)[0] == "built"


def test_a_key_published_twice_keeps_both_images_usable(elves, tmp_path, cache_dir):
    first, second = cache.staging_dir(cache_dir, "k"), cache.staging_dir(cache_dir, "k")
    for staging, data in ((first, b"1"), (second, b"2")):
        (staging / cache.IMAGE).write_bytes(data)
    a = cache.publish(cache_dir, "k", first, cache.Recorder(outputs=[]))
    b = cache.publish(cache_dir, "k", second, cache.Recorder(outputs=[]))
    assert (a.read_bytes(), b.read_bytes()) == (b"1", b"2")   # the second run boots its own
    assert cache.lookup(cache_dir, "k").read_bytes() == b"1"       # the first stays published
