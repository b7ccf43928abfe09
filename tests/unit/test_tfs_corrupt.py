"""Corrupt, truncated and hand-made invalid images: always one UserError naming an offset."""

import os
import re
import shutil
from pathlib import Path

import pytest
from construct import Container
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unibuild.errors import UserError
from unibuild.image import Manifest, Placement, build_image
from unibuild.tfs import format as fmt
from unibuild.tfs.reader import Image
from unibuild.tfs.values import Extent, Extents, Ref, Sym, to_construct, tuple_to_construct

BS = fmt.DEFAULT_BLOCK_SIZE
OFFSET = re.compile(r"offset 0x[0-9a-f]+")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> tuple[Path, int, int]:
    """A small valid image, and the byte range its log actually uses."""
    d = tmp_path_factory.mktemp("good")
    (d / "tree" / "sub").mkdir(parents=True)
    (d / "tree" / "sub" / "f").write_bytes(b"data" * 3000)
    os.symlink("sub/f", d / "tree" / "l")
    (d / "prog").write_bytes(b"prog")
    build_image(Manifest(program="/prog", args=["a"], env={"K": "V"}, kernel_options={"debug": 1},
                         files=[Placement(d / "prog", "/prog")], dirs=[Placement(d / "tree", "/")]),
                d / "img")
    with Image(d / "img") as img:
        log = (img.header.log_start * BS, img.log_end)
    return d / "img", *log


def open_bytes(tmp_path: Path, data: bytes) -> Image:
    p = tmp_path / "bad.img"
    p.write_bytes(data)
    img = Image(p)
    for node in img.nodes.values():     # a successful open must also read cleanly
        if node.kind == "file":
            img.read_bytes(node)
    img.close()
    return img


def assert_user_error_with_offset(tmp_path, data: bytes) -> str:
    with pytest.raises(UserError) as e:
        open_bytes(tmp_path, data)
    msg = str(e.value)
    assert OFFSET.search(msg), msg
    assert "\n" not in msg
    return msg


@FUZZ
@given(st.data())
def test_any_byte_flip_in_header_or_used_log_is_reported_with_offset(tmp_path, good, data):
    path, log_lo, log_hi = good
    image = path.read_bytes()
    pos = data.draw(st.integers(0, fmt.HEADER_SIZE - 1) | st.integers(log_lo, log_hi - 1))
    bad = bytearray(image)
    bad[pos] ^= data.draw(st.integers(1, 255))
    assert_user_error_with_offset(tmp_path, bytes(bad))


@FUZZ
@given(st.data())
def test_truncated_image_is_reported_with_offset(tmp_path, good, data):
    image = good[0].read_bytes()
    n = data.draw(st.integers(0, len(image) - 1))
    msg = assert_user_error_with_offset(tmp_path, image[:n])
    assert "truncated" in msg or "not a TFS image" in msg


@FUZZ
@given(st.data())
def test_random_damage_anywhere_never_raises_anything_but_user_error(tmp_path, good, data):
    image = bytearray(good[0].read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        image[data.draw(st.integers(0, len(image) - 1))] = data.draw(st.integers(0, 255))
    try:
        open_bytes(tmp_path, bytes(image))
    except UserError as e:
        assert OFFSET.search(str(e)), str(e)


@FUZZ
@given(st.binary(max_size=3 * BS))
def test_arbitrary_bytes_are_rejected_as_not_an_image(tmp_path, blob):
    assert_user_error_with_offset(tmp_path, blob)


# ---- hand-made images with valid checksums but invalid content -------------------------

def record(rtype: int, payload: bytes) -> bytes:
    head = fmt.RecordHeader.build(dict(type=rtype, flags=0, length=len(payload), crc=0))
    crc = fmt.crc32(payload, fmt.crc32(head))
    return fmt.RecordHeader.build(dict(type=rtype, flags=0, length=len(payload), crc=crc)) + payload


def tuple_rec(tid: int, tup: dict) -> bytes:
    return record(fmt.RECORD_TUPLE, fmt.TupleRecord.build(dict(id=tid, tuple=tuple_to_construct(tup))))


def make_image(records: list[bytes], *, log_start=2, log_blocks=2, blocks=8, end=True, **hdr) -> bytes:
    h = dict(version_major=1, version_minor=0, header_size=fmt.HEADER_SIZE, header_crc=0, flags=0,
             block_size=BS, root_id=1, uuid=bytes(16), image_size=blocks * BS,
             log_start=log_start, log_blocks=log_blocks)
    h.update(hdr)
    h["header_crc"] = fmt.crc32(fmt.Header.build(h))
    img = bytearray(blocks * BS)
    img[:fmt.HEADER_SIZE] = fmt.Header.build(h)
    log = b"".join(records) + (bytes(fmt.RECORD_HEADER_SIZE) if end else b"")
    img[log_start * BS:log_start * BS + len(log)] = log
    img[BS:BS + 5] = b"hello"          # block 1: file data
    return bytes(img)


def meta(kind: str, **kw) -> dict:
    return {"type": Sym(kind), "mode": 0o755, "uid": 0, "gid": 0, "mtime": 0, **kw}


BOOT = {"program": "/f", "argv": ["/f"], "env": [], "kernel": {}}


def valid_records(overrides: dict | None = None) -> list[bytes]:
    tuples = {
        1: {"fs": Ref(2), "boot": BOOT},
        2: meta("dir", children={"f": Ref(3)}),
        3: meta("file", size=5, extents=Extents([Extent(0, 1, 5)])),
    }
    tuples.update(overrides or {})
    return [tuple_rec(i, t) for i, t in tuples.items()]


def test_hand_made_valid_image_reads_back(tmp_path):
    p = tmp_path / "ok.img"
    p.write_bytes(make_image(valid_records()))
    with Image(p) as img:
        assert img.read_bytes(img.lookup("/f")) == b"hello"
        assert img.boot.program == "/f"


def test_later_record_for_the_same_tuple_wins(tmp_path):
    recs = valid_records() + [tuple_rec(3, meta("file", size=3, extents=Extents([Extent(0, 1, 3)])))]
    p = tmp_path / "ok.img"
    p.write_bytes(make_image(recs))
    with Image(p) as img:
        assert img.read_bytes(img.lookup("/f")) == b"hel"


def test_log_continues_in_a_later_segment_after_an_extend_record(tmp_path):
    recs = valid_records()
    first = recs[:2] + [record(fmt.RECORD_EXTEND, fmt.ExtendRecord.build(dict(start=5, blocks=1)))]
    img = bytearray(make_image(first, end=False))
    tail = recs[2] + bytes(fmt.RECORD_HEADER_SIZE)
    img[5 * BS:5 * BS + len(tail)] = tail
    p = tmp_path / "ok.img"
    p.write_bytes(img)
    with Image(p) as image:
        assert image.segments == [(2, 2), (5, 1)]
        assert image.read_bytes(image.lookup("/f")) == b"hello"


INVALID = {
    "extent past the image": dict(recs=valid_records({3: meta("file", size=5, extents=Extents([Extent(0, 99, 5)]))})),
    "extent over the log": dict(recs=valid_records({3: meta("file", size=5, extents=Extents([Extent(0, 2, 5)]))})),
    "extent past file size": dict(recs=valid_records({3: meta("file", size=4, extents=Extents([Extent(0, 1, 5)]))})),
    "unaligned extent": dict(recs=valid_records({3: meta("file", size=9, extents=Extents([Extent(4, 1, 5)]))})),
    "overlapping extents": dict(recs=valid_records({3: meta("file", size=8192, extents=Extents(
        [Extent(0, 1, 4096), Extent(0, 3, 10)]))})),
    "dangling reference": dict(recs=valid_records({2: meta("dir", children={"f": Ref(9)})})),
    "directory cycle": dict(recs=valid_records({2: meta("dir", children={"f": Ref(3), "loop": Ref(2)})})),
    "shared node": dict(recs=valid_records({2: meta("dir", children={"f": Ref(3), "g": Ref(3)})})),
    "root tuple as a child": dict(recs=valid_records({2: meta("dir", children={"f": Ref(1)})})),
    "unknown node type": dict(recs=valid_records({3: meta("fifo")})),
    "missing mode": dict(recs=valid_records({3: {"type": Sym("symlink"), "target": "x"}})),
    "mode with type bits": dict(recs=valid_records({3: meta("symlink", target="x", mode=0o100644)})),
    "empty symlink target": dict(recs=valid_records({3: meta("symlink", target="")})),
    "dot-dot entry": dict(recs=valid_records({2: meta("dir", children={"..": Ref(3)})})),
    "relative program": dict(recs=valid_records({1: {"fs": Ref(2), "boot": {**BOOT, "program": "f"}}})),
    "empty argv": dict(recs=valid_records({1: {"fs": Ref(2), "boot": {**BOOT, "argv": []}}})),
    "env without =": dict(recs=valid_records({1: {"fs": Ref(2), "boot": {**BOOT, "env": ["X"]}}})),
    "no boot": dict(recs=valid_records({1: {"fs": Ref(2)}})),
    "missing root tuple": dict(recs=valid_records()[1:]),
    "no end record": dict(recs=valid_records(), end=False, fill=True),
    "extend backwards": dict(recs=valid_records() + [record(fmt.RECORD_EXTEND, fmt.ExtendRecord.build(
        dict(start=1, blocks=1)))], end=False),
    "unknown record type": dict(recs=[record(7, b"")] + valid_records()),
    "trailing bytes in a record": dict(recs=[record(fmt.RECORD_TUPLE, fmt.TupleRecord.build(
        dict(id=4, tuple=[])) + b"\0")] + valid_records()),
    "record longer than the segment": dict(recs=[record(fmt.RECORD_TUPLE, bytes(3 * BS))]),
    "wrong major version": dict(recs=valid_records(), version_major=2),
    "unknown header flag": dict(recs=valid_records(), flags=1),
    "block size not a power of two": dict(recs=valid_records(), block_size=6000),
    "log outside the image": dict(recs=valid_records(), log_start=7, log_blocks=2),
    "image size larger than the file": dict(recs=valid_records(), image_size=100 * BS),
    "root id zero": dict(recs=valid_records(), root_id=0),
}


def _raw_tuple_record(tid: int, entries: list) -> bytes:
    """A tuple record built without format.py's validators, to smuggle in invalid encodings."""
    body = fmt.Int32ul.build(tid) + fmt.Int32ul.build(len(entries))
    for key, value in entries:
        body += bytes([len(key)]) + key + value
    return record(fmt.RECORD_TUPLE, body)


_INT0 = bytes([fmt.TAG_INT]) + bytes(8)
INVALID["unsorted keys"] = dict(recs=[_raw_tuple_record(9, [(b"b", _INT0), (b"a", _INT0)])] + valid_records())
INVALID["duplicate keys"] = dict(recs=[_raw_tuple_record(9, [(b"a", _INT0), (b"a", _INT0)])] + valid_records())
INVALID["slash in a name"] = dict(recs=[_raw_tuple_record(9, [(b"a/b", _INT0)])] + valid_records())
INVALID["unknown value tag"] = dict(recs=[_raw_tuple_record(9, [(b"a", b"\x63")])] + valid_records())
INVALID["NUL in a string"] = dict(recs=[_raw_tuple_record(9, [(b"a", bytes([fmt.TAG_STR]) + b"\x01\0\0\0\0")])]
                                  + valid_records())
INVALID["reference to id 0"] = dict(recs=[_raw_tuple_record(9, [(b"a", bytes([fmt.TAG_REF]) + bytes(4))])]
                                    + valid_records())
_deep = bytes([fmt.TAG_INT]) + bytes(8)
for _ in range(fmt.MAX_NESTING):
    _deep = bytes([fmt.TAG_LIST]) + (1).to_bytes(4, "little") + _deep
INVALID["nesting too deep"] = dict(recs=[_raw_tuple_record(9, [(b"a", _deep)])] + valid_records())


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_image_content_is_rejected_with_offset(tmp_path, case):
    spec = dict(INVALID[case])
    recs = spec.pop("recs")
    spec.pop("fill", None)
    data = make_image(recs, **spec)
    if case == "no end record":
        # Fill the whole segment with records so no end marker fits.
        filler = tuple_rec(50, {"pad": b"\x01" * (2 * BS - sum(map(len, recs)) - 12 - 4 - 4 - 1 - 4 - 4)})
        data = make_image(recs + [filler], end=False)
        assert len(b"".join(recs + [filler])) == 2 * BS
    msg = assert_user_error_with_offset(tmp_path, data)
    assert "Traceback" not in msg


def test_nesting_just_inside_the_limit_is_accepted(tmp_path):
    deep = bytes([fmt.TAG_INT]) + bytes(8)
    for _ in range(fmt.MAX_NESTING - 1):
        deep = bytes([fmt.TAG_LIST]) + (1).to_bytes(4, "little") + deep
    p = tmp_path / "ok.img"
    p.write_bytes(make_image([_raw_tuple_record(9, [(b"a", deep)])] + valid_records()))
    Image(p).close()


def test_unknown_attributes_are_ignored_for_forward_compatibility(tmp_path):
    recs = valid_records({3: meta("file", size=5, extents=Extents([Extent(0, 1, 5)]), zzz_future=b"x")})
    p = tmp_path / "ok.img"
    p.write_bytes(make_image(recs, version_minor=7))
    with Image(p) as img:
        assert img.read_bytes(img.lookup("/f")) == b"hello"


def test_crc_is_zlib_crc32_with_the_standard_check_value():
    assert fmt.crc32(b"123456789") == 0xCBF43926
