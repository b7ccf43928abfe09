"""The optional `xattrs` node attribute (docs/tfs.md 8.3): the writer stores a node's extended
attributes in their order, the reader gives them back and refuses malformed ones; the kernel's
side (reading, writing back, the next boot) is tests/boot/test_xattr_conformance.py."""

from pathlib import Path

import pytest

from unibuild.errors import UserError
from unibuild.tfs.reader import Image
from unibuild.tfs.tree import Dir, File, Meta, Symlink
from unibuild.tfs.writer import write_image


def image_with(tmp_path: Path, xattrs) -> Path:
    root = Dir(meta=Meta(mode=0o755, xattrs=((b"user.root", b"r"),)), children={
        "f": File(b"data\n", Meta(mode=0o644, xattrs=xattrs)),
        "plain": File(b"x", Meta(mode=0o644)),
        "link": Symlink("f", Meta(mode=0o777, xattrs=((b"trusted.l", b""),))),
    })
    out = tmp_path / "x.tfs"
    write_image(out, root, None, min_size=1 << 20, writable=True)
    return out


def test_attributes_read_back_in_their_order_with_their_bytes(tmp_path):
    xattrs = ((b"user.z", b"last?"), (b"security.s", bytes(range(256))), (b"user.a", b""), (b"trusted.t", b"\0" * 4096))
    with Image(image_with(tmp_path, xattrs)) as img:
        assert img.lookup("/f").xattrs == xattrs
        assert img.lookup("/plain").xattrs == ()
        assert img.lookup("/link", follow=False).xattrs == ((b"trusted.l", b""),)
        assert img.root.xattrs == ((b"user.root", b"r"),)


@pytest.mark.parametrize("xattrs, complaint", [
    (((b"system.posix_acl_access", b"x"),), "user., trusted. or security."),
    (((b"user.", b"x"),), "user., trusted. or security."),
    (((b"user." + b"n" * 251, b"x"),), "at most 255 bytes"),
    (((b"user.a\0b", b"x"),), "user., trusted. or security."),
    (((b"user.big", b"x" * 65537),), "at most 65536 bytes"),
    (((b"user.a", b"1"), (b"user.a", b"2")), "twice"),
])
def test_the_writer_refuses_what_no_kernel_could_hold(tmp_path, xattrs, complaint):
    with pytest.raises(UserError, match=complaint):
        image_with(tmp_path, xattrs)


def test_a_255_byte_name_and_a_65536_byte_value_are_stored(tmp_path):
    xattrs = ((b"user." + b"n" * 250, b"v" * 65536),)
    with Image(image_with(tmp_path, xattrs)) as img:
        assert img.lookup("/f").xattrs == xattrs
