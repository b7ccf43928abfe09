"""Writes a TFS image from a tree (tree.py): file data first, then the tuple log, then the header.

Properties the rest of the project relies on:
- Streaming: file contents pass through one fixed-size buffer; nothing scales with file size.
- Sparse: all-zero blocks of a file get no extent and no image block; the image file is
  never written where it holds zeros (free space and block tails are left to ftruncate/seek).
- Deterministic: node ids come from a sorted walk, data is laid out in id order, and the
  UUID (unless given) is a hash of everything else, so equal inputs give equal bytes.
"""

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from ..errors import UserError
from . import format as fmt
from .tree import Boot, Dir, File, Node, Symlink
from .values import Extent, Extents, Ref, Sym, encode_name, tuple_to_construct

ROOT_ID = 1
CHUNK = 1 << 20             # bytes read per host read(); a multiple of every block size
LOG_RESERVE_BLOCKS = 16     # free blocks left in the first log segment for later appends
VOLUME_LOG_RESERVE_BLOCKS = 256   # a writable image's first segment: 1 MiB of appends


@dataclass
class WriteStats:
    image_size: int         # bytes the image claims (its apparent file size)
    input_bytes: int        # bytes read from file sources
    data_bytes: int         # file bytes stored in extents (input minus holes)
    log_bytes: int          # tuple log bytes, end marker included
    bytes_written: int      # bytes actually written to the image file
    files: int
    uuid: UUID


def write_image(output: Path, root: Dir, boot: Boot | None, *, block_size: int = fmt.DEFAULT_BLOCK_SIZE,
                uuid: UUID | None = None, min_size: int = 0, writable: bool = False) -> WriteStats:
    """Write the image for `root` and `boot` to `output`, replacing it. With `writable`, a
    version-2 image (docs/tfs.md section 12) the kernel can change: a volume has no boot
    manifest (boot None), a writable boot image has one."""
    check_block_size(block_size)
    nodes = _number(root)
    if boot is not None:
        _check_boot(boot)
    elif not writable:
        raise UserError("a read-only image needs a boot manifest")
    # Write beside the target and rename at the end: a failed build leaves no half image.
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        out = open(tmp, "wb")
    except OSError as e:
        raise UserError(f"cannot create image {output}: {e.strerror}") from None
    try:
        with out:
            stats = _write(out, nodes, boot, block_size, uuid, min_size, writable)
        os.replace(tmp, output)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return stats


def _write(out, nodes, boot: Boot | None, block_size: int, uuid: UUID | None, min_size: int,
           writable: bool) -> WriteStats:
    w = _Writer(out, block_size, hash_data=uuid is None)
    contents = {}
    for e in nodes:
        if isinstance(e.node, File):
            contents[e.id] = w.write_file(e.node, e.path)
    records = [_record(fmt.RECORD_TUPLE, fmt.TupleRecord.build(dict(
        id=ROOT_ID, tuple=tuple_to_construct(_root_tuple(boot)))))]
    for e in nodes:
        tup = _node_tuple(e, contents.get(e.id))
        payload = fmt.TupleRecord.build(dict(id=e.id, tuple=tuple_to_construct(tup)))
        if len(payload) > fmt.MAX_RECORD_PAYLOAD:
            raise UserError(f"{e.path or '/'} has too many entries or extents for one tuple record "
                            f"({len(payload)} bytes, limit {fmt.MAX_RECORD_PAYLOAD}); split it up")
        records.append(_record(fmt.RECORD_TUPLE, payload))
    if writable:
        records.append(commit_record(1, records))
    log = b"".join(records) + bytes(fmt.RECORD_HEADER_SIZE)   # end marker
    log_start = w.cursor
    log_blocks = -(-len(log) // block_size) + (VOLUME_LOG_RESERVE_BLOCKS if writable else LOG_RESERVE_BLOCKS)
    image_size = max((log_start + log_blocks) * block_size, -(-min_size // block_size) * block_size)
    version = (fmt.VOLUME_VERSION_MAJOR, fmt.VOLUME_VERSION_MINOR) if writable else (fmt.VERSION_MAJOR,
                                                                                     fmt.VERSION_MINOR)
    if any(e.node.meta.xattrs for e in nodes):
        version = (version[0], max(version[1], fmt.XATTRS_VERSION_MINOR))   # docs/tfs.md section 9
    header = dict(version_major=version[0], version_minor=version[1],
                  header_size=fmt.HEADER_SIZE, header_crc=0, flags=0, block_size=block_size,
                  root_id=ROOT_ID, uuid=bytes(16), image_size=image_size,
                  log_start=log_start, log_blocks=log_blocks, generation=1 if writable else 0)
    if uuid is None:
        h = w.data_hash
        h.update(log)
        h.update(fmt.Header.build(header))
        # Mark it as an RFC 9562 version 8 ("custom") UUID so tools display it sanely.
        raw_uuid = bytearray(h.digest()[:16])
        raw_uuid[6] = (raw_uuid[6] & 0x0F) | 0x80
        raw_uuid[8] = (raw_uuid[8] & 0x3F) | 0x80
        uuid = UUID(bytes=bytes(raw_uuid))
    header["uuid"] = uuid.bytes
    raw = fmt.Header.build(header)
    header["header_crc"] = fmt.crc32(raw)
    raw = fmt.Header.build(header)
    w.write_at(log_start * block_size, log)
    out.truncate(image_size)
    w.write_at(0, raw)
    if writable:
        w.write_at(fmt.HEADER_SLOT_B, raw)
    return WriteStats(image_size=image_size, input_bytes=w.input_bytes, data_bytes=w.data_bytes,
                      log_bytes=len(log), bytes_written=w.bytes_written,
                      files=len(contents), uuid=uuid)


def check_block_size(block_size: int) -> None:
    if (block_size & (block_size - 1) or not fmt.MIN_BLOCK_SIZE <= block_size <= fmt.MAX_BLOCK_SIZE):
        raise UserError(f"block size {block_size} is not a power of two between "
                        f"{fmt.MIN_BLOCK_SIZE} and {fmt.MAX_BLOCK_SIZE}")


def build_header(header: dict) -> bytes:
    """A header's bytes with its CRC filled in."""
    raw = fmt.Header.build(dict(header, header_crc=0))
    return fmt.Header.build(dict(header, header_crc=fmt.crc32(raw)))


def commit_record(seq: int, records: list[bytes]) -> bytes:
    """The commit record closing `records` (whole records, header first): section 12.2."""
    chain = 0
    for r in records:
        chain = fmt.crc32(r[8:12], chain)
    return _record(fmt.RECORD_COMMIT, fmt.CommitRecord.build(dict(seq=seq, chain=chain)))


def record(rtype: int, payload: bytes) -> bytes:
    return _record(rtype, payload)


def _record(rtype: int, payload: bytes) -> bytes:
    head = fmt.RecordHeader.build(dict(type=rtype, flags=0, length=len(payload), crc=0))
    crc = fmt.crc32(payload, fmt.crc32(head))
    return fmt.RecordHeader.build(dict(type=rtype, flags=0, length=len(payload), crc=crc)) + payload


@dataclass
class _Entry:
    id: int
    node: Node
    path: str                       # image path, "" for the root directory
    children: dict[str, int]        # name -> id, for directories


def _number(root: Dir) -> list[_Entry]:
    """Entries in pre-order with children in memcmp order of their names; ids from 2 on."""
    out: list[_Entry] = []
    stack: list[tuple[_Entry | None, str, Node, int]] = [(None, "", root, 0)]
    while stack:
        parent, name, node, depth = stack.pop()
        path = f"{parent.path}/{name}" if parent else ""
        _check_meta(node, path)
        entry = _Entry(ROOT_ID + 1 + len(out), node, path, {})
        out.append(entry)
        if parent:
            parent.children[name] = entry.id
        if isinstance(node, Dir):
            if depth >= fmt.MAX_DEPTH and node.children:
                raise UserError(f"{path} is nested deeper than {fmt.MAX_DEPTH} directories")
            for child in sorted(node.children, key=encode_name, reverse=True):
                _check_name(child, path)
                stack.append((entry, child, node.children[child], depth + 1))
        elif isinstance(node, Symlink):
            _check_string(node.target, f"symlink target of {path}")
            if not 0 < len(encode_name(node.target)) <= fmt.SYMLINK_MAX:
                raise UserError(f"symlink {path} has a target of {len(encode_name(node.target))} bytes; "
                                f"it must be 1 to {fmt.SYMLINK_MAX}")
    return out


def _check_name(name: str, parent: str) -> None:
    raw = encode_name(name)
    if name in (".", "..") or not 0 < len(raw) <= fmt.NAME_MAX or b"/" in raw or b"\0" in raw:
        raise UserError(f"cannot store the name {name!r} in {parent or '/'}: names are 1 to "
                        f"{fmt.NAME_MAX} bytes without '/' or NUL, and not '.' or '..'")


def _check_string(s: str, what: str) -> None:
    if "\0" in s:
        raise UserError(f"{what} contains a NUL character, which the image cannot store")


def _check_meta(node: Node, path: str) -> None:
    m = node.meta
    if not 0 <= m.mode <= 0o7777:
        raise UserError(f"{path or '/'} has mode {m.mode:#o}; only permission bits 0..0o7777 are stored")
    for what, v in (("uid", m.uid), ("gid", m.gid)):
        if not 0 <= v < 2**32:
            raise UserError(f"{path or '/'} has {what} {v}, outside 0..4294967295")
    if not -2**63 <= m.mtime_ns < 2**63:
        raise UserError(f"{path or '/'} has an mtime outside the 64-bit nanosecond range")
    names = [name for name, _ in m.xattrs]
    for name, value in m.xattrs:
        if (not 0 < len(name) <= fmt.XATTR_NAME_MAX or b"\0" in name
                or not any(name.startswith(p) and len(name) > len(p) for p in fmt.XATTR_PREFIXES)):
            raise UserError(f"{path or '/'} has an extended attribute named {name!r}: a user., trusted. or "
                            f"security. name of at most {fmt.XATTR_NAME_MAX} bytes is stored")
        if len(value) > fmt.XATTR_SIZE_MAX:
            raise UserError(f"{path or '/'} has a {len(value)}-byte value for {name!r}; at most "
                            f"{fmt.XATTR_SIZE_MAX} bytes are stored")
    if len(set(names)) != len(names):
        raise UserError(f"{path or '/'} lists an extended attribute twice")


def _check_boot(boot: Boot) -> None:
    _check_string(boot.program, "the program path")
    if not boot.program.startswith("/"):
        raise UserError(f"the program path {boot.program!r} must be absolute inside the image")
    if not boot.argv:
        raise UserError("argv must have at least one element (argv[0], usually the program path)")
    for a in boot.argv:
        _check_string(a, f"the argument {a!r}")
    for e in boot.env:
        _check_string(e, f"the environment entry {e!r}")
        if "=" not in e or e.startswith("="):
            raise UserError(f"the environment entry {e!r} is not KEY=VALUE")
    for k, v in boot.kernel.items():
        raw = encode_name(k)
        if not 0 < len(raw) <= fmt.NAME_MAX or b"/" in raw or b"\0" in raw:
            raise UserError(f"kernel option name {k!r} must be 1 to {fmt.NAME_MAX} bytes without '/' or NUL")
        if isinstance(v, str):
            _check_string(v, f"kernel option {k}")
        elif not (isinstance(v, int) and -2**63 <= v < 2**63):
            raise UserError(f"kernel option {k} must be an integer or a string")


def _root_tuple(boot: Boot | None) -> dict:
    if boot is None:
        return {"fs": Ref(ROOT_ID + 1)}
    tup = {
        "program": boot.program,
        "argv": list(boot.argv),
        "env": list(boot.env),
        "kernel": dict(boot.kernel),
    }
    if boot.built_for is not None:
        tup["built_for"] = dict(boot.built_for)
    return {"fs": Ref(ROOT_ID + 1), "boot": tup}


def _node_tuple(e: _Entry, content) -> dict:
    m = e.node.meta
    tup = {"mode": m.mode, "uid": m.uid, "gid": m.gid, "mtime": m.mtime_ns}
    if m.xattrs:
        tup["xattrs"] = [bytes(b) for pair in m.xattrs for b in pair]
    if isinstance(e.node, File):
        size, extents = content
        tup.update(type=Sym("file"), size=size, extents=Extents(extents))
    elif isinstance(e.node, Symlink):
        tup.update(type=Sym("symlink"), target=e.node.target)
    else:
        tup.update(type=Sym("dir"), children={name: Ref(i) for name, i in e.children.items()})
    return tup


class _Writer:
    """Appends file data block by block from block 1 on, skipping all-zero blocks."""

    def __init__(self, out, block_size: int, hash_data: bool):
        self.out = out
        self.bs = block_size
        self.cursor = 1                 # next free block; block 0 is the header
        self.input_bytes = 0
        self.data_bytes = 0
        self.bytes_written = 0
        # sha256: hardware-accelerated on current x86 and arm64 hosts, so hashing costs
        # less than reading the data.
        self.data_hash = hashlib.sha256() if hash_data else None
        self._zero = bytes(block_size)
        self._buf = bytearray(CHUNK)

    def write_at(self, offset: int, data) -> None:
        self.out.seek(offset)
        self.out.write(data)
        self.bytes_written += len(data)

    def write_file(self, node: File, path: str) -> tuple[int, list[Extent]]:
        """Stream one file's data; returns (size, extents)."""
        if isinstance(node.source, bytes):
            src = io.BytesIO(node.source)
        else:
            try:
                src = open(node.source, "rb")
            except OSError as e:
                raise UserError(f"cannot read {node.source} (for {path}): {e.strerror}") from None
        extents: list[Extent] = []
        offset = 0
        with src:
            while True:
                try:
                    n = _read_full(src, self._buf)
                except OSError as e:
                    raise UserError(f"cannot read {node.source} (for {path}): {e.strerror}") from None
                if n == 0:
                    break
                self._store(memoryview(self._buf)[:n], offset, extents)
                offset += n
                if n < len(self._buf):
                    break
        self.input_bytes += offset
        return offset, extents

    def _store(self, chunk: memoryview, offset: int, extents: list[Extent]) -> None:
        # Runs of non-zero blocks are written with one write() each; a run continues an
        # extent from the previous chunk when both file and image positions line up.
        bs, buf = self.bs, self._buf
        n = len(chunk)
        full = n - n % bs                       # whole blocks; a partial tail only at EOF

        def is_zero(i: int) -> bool:
            if i < full:
                return buf.startswith(self._zero, i, i + bs)
            return buf.startswith(self._zero[:n - i], i, n)

        i = 0
        while i < n:
            while i < n and is_zero(i):
                i += bs
            if i >= n:
                break
            j = i
            while j < n and not is_zero(j):
                j += bs
            j = min(j, n)
            run = chunk[i:j]
            file_off = offset + i
            last = extents[-1] if extents else None
            if (last and last.file_offset + last.length == file_off
                    and last.block + last.length // bs == self.cursor and last.length % bs == 0):
                extents[-1] = Extent(last.file_offset, last.block, last.length + len(run))
            else:
                extents.append(Extent(file_off, self.cursor, len(run)))
            self.write_at(self.cursor * bs, run)
            if self.data_hash:
                self.data_hash.update(run)
            self.data_bytes += len(run)
            self.cursor += -(-len(run) // bs)
            i = j


def _read_full(src, buf: bytearray) -> int:
    """readinto until the buffer is full or EOF, so chunks stay block aligned."""
    view = memoryview(buf)
    total = 0
    while total < len(buf):
        n = src.readinto(view[total:])
        if not n:
            break
        total += n
    return total
