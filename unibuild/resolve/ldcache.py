"""glibc's /etc/ld.so.cache, new format ("glibc-ld.so.cache1.1"), described once with construct.

Layout (glibc sysdeps/generic/dl-cache.h): a 48-byte header, `nlibs` 24-byte entries, then a
string table. String offsets are from the start of the file. ld.so binary-searches the
entries, so they must be sorted the way ldconfig sorts them: descending by
`_dl_cache_libcmp` (which compares runs of digits numerically), and ld.so takes the first
entry whose flags equal its own ID, which for aarch64 LP64 is FLAG_ELF_LIBC6|FLAG_AARCH64_LIB64.
"""

import functools
from dataclasses import dataclass

from construct import Array, Bytes, Const, Int8ul, Int32sl, Int32ul, Int64ul, Padding, Struct, this

MAGIC = b"glibc-ld.so.cache"
VERSION = b"1.1"

FLAG_ELF_LIBC6 = 0x0003
FLAG_AARCH64_LIB64 = 0x0A00
AARCH64_FLAGS = FLAG_ELF_LIBC6 | FLAG_AARCH64_LIB64

ENDIAN_LITTLE = 2  # cache_file_new_flags_endian_little

Entry = Struct(
    "flags" / Int32sl,
    "key" / Int32ul,
    "value" / Int32ul,
    "osversion" / Int32ul,
    "hwcap" / Int64ul,
)

Header = Struct(
    "magic" / Const(MAGIC),
    "version" / Const(VERSION),
    "nlibs" / Int32ul,
    "len_strings" / Int32ul,
    "flags" / Int8ul,
    Padding(3),
    "extension_offset" / Int32ul,
    Padding(12),
)

CacheFile = Struct(
    "header" / Header,
    "libs" / Array(this.header.nlibs, Entry),
    "strings" / Bytes(this.header.len_strings),
)


@dataclass(frozen=True)
class CacheEntry:
    """One library the cache maps: the name ld.so asks for and the guest path it opens."""

    name: str
    path: str
    flags: int = AARCH64_FLAGS


def libcmp(a: bytes, b: bytes) -> int:
    """glibc's _dl_cache_libcmp: byte order, except runs of digits compare as numbers.

    Bytes are unsigned here because `char` is unsigned on aarch64, where ld.so runs."""
    i = j = 0
    while i < len(a):
        ca = a[i]
        cb = b[j] if j < len(b) else 0
        if 0x30 <= ca <= 0x39:
            if not (0x30 <= cb <= 0x39):
                return 1
            va = 0
            while i < len(a) and 0x30 <= a[i] <= 0x39:
                va = va * 10 + a[i] - 0x30
                i += 1
            vb = 0
            while j < len(b) and 0x30 <= b[j] <= 0x39:
                vb = vb * 10 + b[j] - 0x30
                j += 1
            if va != vb:
                return va - vb
        elif 0x30 <= cb <= 0x39:
            return -1
        elif ca != cb:
            return ca - cb
        else:
            i += 1
            j += 1
    return 0 - (b[j] if j < len(b) else 0)


def _entry_order(e1: CacheEntry, e2: CacheEntry) -> int:
    # ldconfig's compare(): names descending, then higher flags first; stable otherwise so
    # that, as in ldconfig, an earlier-scanned directory wins for the same name.
    res = libcmp(e2.name.encode(), e1.name.encode())
    if res == 0:
        return (e1.flags < e2.flags) - (e1.flags > e2.flags)
    return res


def build(entries: list[CacheEntry]) -> bytes:
    """The bytes of an ld.so.cache mapping each entry's name to its path."""
    ordered = sorted(entries, key=functools.cmp_to_key(_entry_order))
    strings_start = Header.sizeof() + Entry.sizeof() * len(ordered)
    table = bytearray()
    offsets: dict[str, int] = {}

    def intern(s: str) -> int:
        if s not in offsets:
            offsets[s] = strings_start + len(table)
            table.extend(s.encode() + b"\0")
        return offsets[s]

    libs = [
        dict(flags=e.flags, key=intern(e.name), value=intern(e.path), osversion=0, hwcap=0)
        for e in ordered
    ]
    return CacheFile.build(
        dict(
            header=dict(
                nlibs=len(libs), len_strings=len(table), flags=ENDIAN_LITTLE, extension_offset=0
            ),
            libs=libs,
            strings=bytes(table),
        )
    )


def _cstr(data: bytes, offset: int) -> str:
    end = data.index(b"\0", offset)
    return data[offset:end].decode(errors="replace")


def parse(data: bytes) -> list[CacheEntry]:
    """The entries of a new-format cache (as written by us or by glibc's ldconfig), in file order."""
    parsed = CacheFile.parse(data)
    return [CacheEntry(_cstr(data, e.key), _cstr(data, e.value), e.flags) for e in parsed.libs]
