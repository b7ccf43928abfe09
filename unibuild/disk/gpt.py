"""The GUID Partition Table (UEFI 2.10 chapter 5), written and read with 512-byte sectors: a
protective MBR, the primary header at LBA 1 with 128 entries of 128 bytes after it, the
partitions 1 MiB-aligned, and the backup entries and header at the end of the disk. The kernel
reads the primary copy (kernel/drivers/gpt.c)."""

from __future__ import annotations

import struct
import uuid
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from ..errors import UserError

SECTOR = 512
ENTRY_COUNT = 128
ENTRY_SIZE = 128
ENTRY_SECTORS = ENTRY_COUNT * ENTRY_SIZE // SECTOR      # 32
ALIGN = 1 << 20                                         # partitions start at MiB boundaries

ESP_TYPE = uuid.UUID("c12a7328-f81f-11d2-ba4b-00a0c93ec93b")   # EFI system partition
# unibuild's own type for the TFS image (kernel/drivers/gpt.c has the same bytes, docs/tfs.md).
TFS_TYPE = uuid.UUID("9eb4bd13-a264-4ee9-9978-8b08f2b88534")

_HEADER = struct.Struct("<8sIIIIQQQQ16sQIII")


@dataclass(frozen=True)
class Partition:
    type: uuid.UUID
    name: str
    offset: int          # bytes from the disk's start, a multiple of ALIGN
    size: int            # bytes, a multiple of SECTOR
    guid: uuid.UUID


def layout(sizes: list[int]) -> tuple[list[tuple[int, int]], int]:
    """(offset, size) of partitions of `sizes` bytes (rounded up to sectors) and the disk size."""
    out = []
    at = ALIGN
    for size in sizes:
        size = -(-size // SECTOR) * SECTOR
        out.append((at, size))
        at = -(-(at + size) // ALIGN) * ALIGN
    return out, at + (ENTRY_SECTORS + 1) * SECTOR


def _entries(parts: list[Partition]) -> bytes:
    raw = bytearray(ENTRY_COUNT * ENTRY_SIZE)
    for i, p in enumerate(parts):
        name = p.name.encode("utf-16-le")[:72]
        struct.pack_into("<16s16sQQQ72s", raw, i * ENTRY_SIZE, p.type.bytes_le, p.guid.bytes_le,
                         p.offset // SECTOR, (p.offset + p.size) // SECTOR - 1, 0, name)
    return bytes(raw)


def _header(my_lba: int, alt_lba: int, entries_lba: int, last_lba: int, disk_guid: uuid.UUID,
            entries_crc: int) -> bytes:
    fields = [b"EFI PART", 0x00010000, 92, 0, 0, my_lba, alt_lba, 34, last_lba - 34,
              disk_guid.bytes_le, entries_lba, ENTRY_COUNT, ENTRY_SIZE, entries_crc]
    crc = zlib.crc32(_HEADER.pack(*fields))
    fields[3] = crc
    return _HEADER.pack(*fields).ljust(SECTOR, b"\0")


def _protective_mbr(sectors: int) -> bytes:
    mbr = bytearray(SECTOR)
    # One partition of type 0xEE covering the disk (as far as 32 bits reach).
    struct.pack_into("<B3sB3sII", mbr, 446, 0, b"\x00\x02\x00", 0xEE, b"\xff\xff\xff", 1,
                     min(sectors - 1, 0xFFFFFFFF))
    mbr[510:512] = b"\x55\xaa"
    return bytes(mbr)


def write_table(f: BinaryIO, disk_size: int, parts: list[Partition], disk_guid: uuid.UUID) -> None:
    """Both GPT copies and the protective MBR into `f`, a file of `disk_size` bytes."""
    sectors = disk_size // SECTOR
    last = sectors - 1
    entries = _entries(parts)
    crc = zlib.crc32(entries)
    f.seek(0)
    f.write(_protective_mbr(sectors))
    f.write(_header(1, last, 2, last, disk_guid, crc))
    f.write(entries)
    f.seek((last - ENTRY_SECTORS) * SECTOR)
    f.write(entries)
    f.write(_header(last, 1, last - ENTRY_SECTORS, last, disk_guid, crc))


def read_table(f: BinaryIO, what: str) -> list[Partition] | None:
    """The partitions of the primary GPT in `f`, or None when it holds no GPT; a damaged one is
    one line naming `what`."""
    f.seek(SECTOR)
    raw = f.read(SECTOR)
    if len(raw) < _HEADER.size or raw[:8] != b"EFI PART":
        return None
    h = list(_HEADER.unpack_from(raw))
    want, h[3] = h[3], 0
    if zlib.crc32(_HEADER.pack(*h)) != want:
        raise UserError(f"{what}: the GPT header's CRC-32 does not match (a damaged disk)")
    entries_lba, count, size, entries_crc = h[10], h[11], h[12], h[13]
    if size < ENTRY_SIZE or count * size > 1 << 20:
        raise UserError(f"{what}: the GPT entry array ({count} entries of {size} bytes) is not valid")
    f.seek(entries_lba * SECTOR)
    entries = f.read(count * size)
    if len(entries) != count * size or zlib.crc32(entries) != entries_crc:
        raise UserError(f"{what}: the GPT partition entries are damaged or truncated")
    parts = []
    for i in range(count):
        t, g, first, last, _attrs, name = struct.unpack_from("<16s16sQQQ72s", entries, i * size)
        if t == bytes(16):
            continue
        parts.append(Partition(uuid.UUID(bytes_le=t), name.decode("utf-16-le", "replace").rstrip("\0"),
                               first * SECTOR, (last - first + 1) * SECTOR, uuid.UUID(bytes_le=g)))
    return parts
