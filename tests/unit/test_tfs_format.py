"""docs/tfs.md and format.py agree: the worked example, the header layout, the constants."""

import re
import zlib
from pathlib import Path

from unibuild.tfs import format as fmt
from unibuild.tfs.values import Extent, Extents, Sym, tuple_to_construct
from unibuild.tfs.writer import _record

SPEC = (Path(__file__).parents[2] / "docs" / "tfs.md").read_text()


def listing_bytes(section_title: str) -> bytes:
    """The bytes of the first code block after `section_title`: hex pairs and "ascii" text."""
    block = SPEC.split(section_title, 1)[1].split("```\n", 2)[1]
    out = bytearray()
    for line in block.splitlines():
        code = line.split("#", 1)[0]
        for token in re.findall(r'"[^"]*"|[0-9a-f]{2}', code):
            out += token[1:-1].encode() if token.startswith('"') else bytes.fromhex(token)
    return bytes(out)


def test_worked_example_in_the_spec_is_what_format_py_builds():
    tup = {"type": Sym("file"), "mode": 0o644, "uid": 0, "gid": 0, "mtime": 0, "size": 6,
           "extents": Extents([Extent(0, 1, 6)])}
    payload = fmt.TupleRecord.build(dict(id=3, tuple=tuple_to_construct(tup)))
    assert _record(fmt.RECORD_TUPLE, payload) == listing_bytes("## 11. Worked example")


def test_record_crc_in_the_example_is_plain_zlib_crc32():
    rec = listing_bytes("## 11. Worked example")
    assert int.from_bytes(rec[8:12], "little") == zlib.crc32(rec[:8] + bytes(4) + rec[12:])


def test_header_field_offsets_match_the_spec_table():
    table = SPEC.split("## 4. Header", 1)[1].split("\n\n", 2)[1]
    rows = re.findall(r"^\|\s*(\d+)\s*\|\s*(\S+)\s*\|\s*`(\w+)`", table, re.M)
    assert rows, "header table not found"
    offset = 0
    fields = {}
    for sub in fmt.Header.subcons:
        if sub.name:
            fields[sub.name] = offset
        offset += sub.sizeof()
    for off, _type, name in rows:
        if name in fields:
            assert fields[name] == int(off), name
    assert set(fields) <= {name for _, _, name in rows}   # every field is documented


def test_spec_constants_match_format_py():
    for name, value in [("NAME_MAX", fmt.NAME_MAX), ("MAX_NESTING", fmt.MAX_NESTING),
                        ("MAX_DEPTH", fmt.MAX_DEPTH), ("SYMLINK_MAX", fmt.SYMLINK_MAX),
                        ("MAX_SYMLINK_HOPS", fmt.MAX_SYMLINK_HOPS), ("HEADER_SIZE", fmt.HEADER_SIZE),
                        ("RECORD_HEADER_SIZE", fmt.RECORD_HEADER_SIZE)]:
        assert re.search(rf"`{name}`\s*\|\s*{value}\b", SPEC), name
    assert f"{fmt.MAX_RECORD_PAYLOAD} (16 MiB)" in SPEC
