"""Every on-disk structure of the tuple filesystem, described once with construct.

This module is the executable twin of docs/tfs.md: the same declarations build images
(writer.py) and parse them (reader.py). Structural rules that need no outside context
(symbol charset, key order, nesting depth, non-zero ids) are validators here, so a
builder can never emit what a parser would reject. Rules that need the header (extent
bounds, block alignment) live in reader.py.
"""

import functools
import zlib

from construct import (
    Adapter,
    Bytes,
    Const,
    Construct,
    Default,
    ExplicitError,
    GreedyBytes,
    Int8ul,
    Int16ul,
    Int32ul,
    Int64sl,
    Int64ul,
    Padding,
    Prefixed,
    PrefixedArray,
    Struct,
    Switch,
    Terminated,
    ValidationError,
    this,
)

MAGIC = b"UNIBTFS\0"
VERSION_MAJOR = 1
VERSION_MINOR = 0
# Version 2 is the writable volume (docs/tfs.md section 12): commit records, two header
# slots with a generation, hard links. Readers of 2 read 1 too.
VOLUME_VERSION_MAJOR = 2
VOLUME_VERSION_MINOR = 0
# Minor version 1 (of both majors) adds the optional `xattrs`/`xattrs_inode` node attributes;
# a writer that stores none writes minor 0, which every reader also takes.
XATTRS_VERSION_MINOR = 1
HEADER_SLOT_B = 2048        # offset of a version-2 image's second header slot

# The block size: unit of data allocation and log segments, and what stat() reports as
# st_blksize. Images may choose any power of two in [MIN_BLOCK_SIZE, MAX_BLOCK_SIZE];
# the lower bound keeps every data block 4 KiB aligned so the kernel can map file pages.
DEFAULT_BLOCK_SIZE = 4096
MIN_BLOCK_SIZE = 4096
MAX_BLOCK_SIZE = 65536

HEADER_SIZE = 128
HEADER_CRC_OFFSET = 16

RECORD_HEADER_SIZE = 12
RECORD_END = 0
RECORD_TUPLE = 1
RECORD_EXTEND = 2
RECORD_COMMIT = 3           # version 2 only
MAX_RECORD_PAYLOAD = 16 << 20

NAME_MAX = 255           # bytes in a symbol (attribute key or directory entry name)
MAX_NESTING = 8          # TUPLE/LIST values nested inside one record
MAX_DEPTH = 128          # directory levels below the root directory
SYMLINK_MAX = 4095       # bytes in a symlink target
XATTR_NAME_MAX = 255     # bytes in an extended attribute's name, prefix included
XATTR_SIZE_MAX = 65536   # bytes in its value
XATTR_PREFIXES = (b"user.", b"trusted.", b"security.")
MAX_SYMLINK_HOPS = 40    # symlinks followed during one lookup (Linux's limit)

TAG_SYM = 1
TAG_STR = 2
TAG_BYTES = 3
TAG_INT = 4
TAG_TUPLE = 5
TAG_LIST = 6
TAG_REF = 7
TAG_EXTENTS = 8


def crc32(data: bytes, crc: int = 0) -> int:
    """CRC-32 as in zlib/PNG/Ethernet (reflected poly 0xEDB88320, init and final xor ~0)."""
    return zlib.crc32(data, crc)


class Checked(Adapter):
    """A validator whose failure message says which rule of docs/tfs.md was broken."""

    def __init__(self, subcon, predicate, message: str):
        super().__init__(subcon)
        self.predicate = predicate
        self.message = message

    def _decode(self, obj, context, path):
        if not self.predicate(obj):
            raise ValidationError(self.message, path=path)
        return obj

    _encode = _decode


class Reject(Construct):
    """Parsing or building this always fails with `message` (unknown tags, too deep)."""

    def __init__(self, message: str):
        super().__init__()
        self.message = message

    def _parse(self, stream, context, path):
        raise ExplicitError(self.message, path=path)

    _build = _parse


def _symbol_ok(obj) -> bool:
    return 0 < len(obj) <= NAME_MAX and b"/" not in obj and b"\0" not in obj


def _keys_sorted(obj) -> bool:
    # Strictly increasing in memcmp order (a shorter prefix sorts first): one canonical
    # encoding per tuple, and duplicates are impossible.
    return all(a.key < b.key for a, b in zip(obj, obj[1:]))


Symbol = Checked(Prefixed(Int8ul, GreedyBytes), _symbol_ok,
                 f"a name is empty, longer than {NAME_MAX} bytes, or contains '/' or NUL")
String = Checked(Prefixed(Int32ul, GreedyBytes), lambda obj: b"\0" not in obj, "a string contains NUL")
Ref = Checked(Int32ul, lambda obj: obj != 0, "a reference to tuple id 0")

Extent = Struct(
    "file_offset" / Int64ul,  # byte offset in the file, a multiple of the block size
    "block" / Int64ul,        # first image block holding the data
    "length" / Int64ul,       # bytes of file data; occupies ceil(length / block size) blocks
)


# Each depth's structure is built once and shared by every level above it (construct objects hold
# no parse state): built afresh per reference, the tree has 2^MAX_NESTING nodes and costs tens of
# milliseconds of every command's start-up.
@functools.cache
def _value(depth: int):
    """A tagged value that may still contain `depth` levels of TUPLE/LIST below it."""
    too_deep = Reject(f"values nested deeper than {MAX_NESTING} tuples/lists")
    nested = {TAG_TUPLE: too_deep, TAG_LIST: too_deep}
    if depth > 0:
        nested = {TAG_TUPLE: _tuple(depth - 1), TAG_LIST: PrefixedArray(Int32ul, _value(depth - 1))}
    return Struct(
        "tag" / Int8ul,
        "value" / Switch(this.tag, {
            TAG_SYM: Symbol,
            TAG_STR: String,
            TAG_BYTES: Prefixed(Int32ul, GreedyBytes),
            TAG_INT: Int64sl,
            TAG_REF: Ref,
            TAG_EXTENTS: PrefixedArray(Int32ul, Extent),
            **nested,
        }, default=Reject("unknown value tag")),
    )


@functools.cache
def _tuple(depth: int):
    entry = Struct("key" / Symbol, "value" / _value(depth))
    return Checked(PrefixedArray(Int32ul, entry), _keys_sorted,
                   "tuple keys are not in strictly increasing byte order")


# A record's tuple sits at nesting level 0; values inside may nest MAX_NESTING - 1 more.
Tuple = _tuple(MAX_NESTING - 1)

Header = Struct(
    "magic" / Const(MAGIC),
    "version_major" / Int16ul,
    "version_minor" / Int16ul,
    "header_size" / Int32ul,
    "header_crc" / Int32ul,   # CRC-32 of header_size bytes with this field read as zero
    "flags" / Int32ul,
    "block_size" / Int32ul,
    "root_id" / Int32ul,
    "uuid" / Bytes(16),
    "image_size" / Int64ul,   # bytes, a multiple of block_size
    "log_start" / Int64ul,    # block number of the first log segment
    "log_blocks" / Int64ul,   # length of the first log segment in blocks
    "generation" / Default(Int64ul, 0),   # version 2: the slot with the higher generation wins; 0 in 1.0
    Padding(HEADER_SIZE - 80),
)

RecordHeader = Struct(
    "type" / Int16ul,
    "flags" / Int16ul,
    "length" / Int32ul,       # payload bytes following this header
    "crc" / Int32ul,          # CRC-32 of the header (crc read as zero) and the payload
)

TupleRecord = Struct("id" / Ref, "tuple" / Tuple, Terminated)
ExtendRecord = Struct("start" / Int64ul, "blocks" / Int64ul, Terminated)
# seq: the previous commit's seq + 1; chain: CRC-32 over the 4-byte crc fields of every
# record since the previous commit (or the log start), in log order.
CommitRecord = Struct("seq" / Int64ul, "chain" / Int32ul, Terminated)

assert Header.sizeof() == HEADER_SIZE
assert RecordHeader.sizeof() == RECORD_HEADER_SIZE
