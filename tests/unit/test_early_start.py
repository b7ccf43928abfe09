"""unibuild/early_start.py: an early-started QEMU counts as booting the checked files only while
they are the very files it was started with (same paths, and not rewritten or replaced since)."""

from __future__ import annotations

import contextlib
import os

from unibuild.early_start import EarlyStart, file_identity


def _early(image, kernel) -> EarlyStart:
    identities = (file_identity(image), file_identity(kernel))
    return EarlyStart(contextlib.ExitStack(), None, image, kernel, identities, [])


def test_the_same_files_are_held(tmp_path):
    image, kernel = tmp_path / "image.tfs", tmp_path / "Image"
    image.write_bytes(b"i")
    kernel.write_bytes(b"k")
    assert _early(image, kernel).holds(image, kernel)


def test_another_path_or_a_rewritten_or_replaced_file_is_not(tmp_path):
    image, kernel, other = tmp_path / "image.tfs", tmp_path / "Image", tmp_path / "other.tfs"
    for f in (image, kernel, other):
        f.write_bytes(b"x")
    early = _early(image, kernel)
    assert not early.holds(other, kernel)
    kernel.write_bytes(b"a kernel make rebuilt")
    assert not early.holds(image, kernel)
    early = _early(image, kernel)
    replacement = tmp_path / "new"
    replacement.write_bytes(b"x")
    os.utime(replacement, ns=(image.stat().st_atime_ns, image.stat().st_mtime_ns))
    os.replace(replacement, image)                 # same size and mtime, another file
    assert not early.holds(image, kernel)


def test_a_missing_file_has_no_identity(tmp_path):
    assert file_identity(tmp_path / "nope") is None
