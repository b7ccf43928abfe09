"""Python values for TFS tuples, and their mapping to and from the construct containers.

    SYM      Sym (a str subclass)        TUPLE    dict[str, value]
    STR      str                         LIST     list[value]
    BYTES    bytes                       REF      Ref
    INT      int                         EXTENTS  Extents (a tuple of Extent)

Names and strings are bytes on disk; in Python they are str decoded as UTF-8 with
surrogateescape, like os.fsdecode, so any host file name survives the round trip.
"""

from dataclasses import dataclass

from construct import Container, ListContainer

from . import format as fmt


class Sym(str):
    """A symbol value (e.g. a node type), as opposed to a string value."""


@dataclass(frozen=True)
class Ref:
    """A reference to the tuple defined by the record with this id."""

    id: int


@dataclass(frozen=True)
class Extent:
    """File bytes [file_offset, file_offset + length) live at image block `block` onwards."""

    file_offset: int
    block: int
    length: int


class Extents(tuple):
    """The extent list of a file, sorted by file_offset."""


def encode_name(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape")


def decode_name(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def to_construct(value):
    """The construct container of a tagged value (the writer's direction)."""
    if isinstance(value, Sym):
        return Container(tag=fmt.TAG_SYM, value=encode_name(value))
    if isinstance(value, str):
        return Container(tag=fmt.TAG_STR, value=encode_name(value))
    if isinstance(value, bytes):
        return Container(tag=fmt.TAG_BYTES, value=value)
    if isinstance(value, int):
        return Container(tag=fmt.TAG_INT, value=int(value))
    if isinstance(value, dict):
        return Container(tag=fmt.TAG_TUPLE, value=tuple_to_construct(value))
    if isinstance(value, Extents):
        return Container(tag=fmt.TAG_EXTENTS, value=[
            Container(file_offset=e.file_offset, block=e.block, length=e.length) for e in value])
    if isinstance(value, list):
        return Container(tag=fmt.TAG_LIST, value=[to_construct(v) for v in value])
    if isinstance(value, Ref):
        return Container(tag=fmt.TAG_REF, value=value.id)
    raise TypeError(f"no TFS encoding for {type(value).__name__}")


def tuple_to_construct(tup: dict) -> list:
    entries = sorted((encode_name(k), v) for k, v in tup.items())
    return [Container(key=k, value=to_construct(v)) for k, v in entries]


def from_construct(c):
    """The Python value of a parsed tagged value (the reader's direction)."""
    tag, value = c.tag, c.value
    if tag == fmt.TAG_SYM:
        return Sym(decode_name(value))
    if tag == fmt.TAG_STR:
        return decode_name(value)
    if tag == fmt.TAG_BYTES:
        return bytes(value)
    if tag in (fmt.TAG_INT,):
        return value
    if tag == fmt.TAG_TUPLE:
        return tuple_from_construct(value)
    if tag == fmt.TAG_LIST:
        return [from_construct(v) for v in value]
    if tag == fmt.TAG_REF:
        return Ref(value)
    if tag == fmt.TAG_EXTENTS:
        return Extents(Extent(e.file_offset, e.block, e.length) for e in value)
    raise AssertionError(f"format.py admitted unknown tag {tag}")


def tuple_from_construct(entries: ListContainer) -> dict:
    return {decode_name(e.key): from_construct(e.value) for e in entries}
