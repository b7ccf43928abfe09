"""kernel_stamp: a build is skipped only when nothing it read changed since it succeeded."""

from __future__ import annotations

import os

from unibuild import kernel_stamp


def make_tree(tmp_path):
    src = tmp_path / "kernel"
    (src / "include").mkdir(parents=True)
    (src / "main.c").write_text("int main;\n")
    (src / "include" / "a.h").write_text("#pragma once\n")
    cache = tmp_path / "cache"
    (cache / "lwip").mkdir(parents=True)
    (cache / "lwip" / ".fetched").write_text("")
    target = tmp_path / "target"
    target.mkdir()
    image = target / "Image"
    image.write_bytes(b"kernel")
    return src, cache, target, image


def inputs(src, cache, args=("PLATFORM=virt",)):
    return kernel_stamp.snapshot([src], cache, "aarch64-linux-gnu-", list(args), os.environ)


def test_a_recorded_build_is_fresh_until_anything_it_read_changes(tmp_path):
    src, cache, target, image = make_tree(tmp_path)
    assert not kernel_stamp.is_fresh(target, image, inputs(src, cache))     # never built
    kernel_stamp.record(target, image, inputs(src, cache))
    assert kernel_stamp.is_fresh(target, image, inputs(src, cache))
    assert not kernel_stamp.is_fresh(target, image, inputs(src, cache, ("PLATFORM=virt", "DEBUG=1")))

    (src / "main.c").write_text("int main; /* edited, same second */\n")
    assert not kernel_stamp.is_fresh(target, image, inputs(src, cache))


def test_a_new_file_a_refetch_or_a_changed_image_is_noticed(tmp_path):
    src, cache, target, image = make_tree(tmp_path)
    for change in (lambda: (src / "include" / "b.h").write_text(""),          # a new header
                   lambda: os.utime(cache / "lwip" / ".fetched", ns=(1, 1)),   # sources fetched again
                   lambda: image.write_bytes(b"something else"),               # the output replaced
                   lambda: (src / "include" / "a.h").unlink()):                 # a file removed
        kernel_stamp.record(target, image, inputs(src, cache))
        assert kernel_stamp.is_fresh(target, image, inputs(src, cache))
        change()
        assert not kernel_stamp.is_fresh(target, image, inputs(src, cache))


def test_the_record_is_taken_before_make_so_an_edit_during_the_build_reruns_it(tmp_path):
    src, cache, target, image = make_tree(tmp_path)
    before = inputs(src, cache)
    (src / "main.c").write_text("edited while make ran\n")
    kernel_stamp.record(target, image, before)
    assert not kernel_stamp.is_fresh(target, image, inputs(src, cache))


def test_forget_drops_the_record(tmp_path):
    src, cache, target, image = make_tree(tmp_path)
    kernel_stamp.record(target, image, inputs(src, cache))
    kernel_stamp.forget(target)
    kernel_stamp.forget(target)          # and is harmless when there is none
    assert not kernel_stamp.is_fresh(target, image, inputs(src, cache))
