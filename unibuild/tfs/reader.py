"""Reads and validates a TFS image: header, log replay (last record wins), then the tree.

Everything that comes from the image is checked here, at the boundary, in the order
docs/tfs.md lists; any violation is a UserError naming what is wrong and the byte offset
where it was found. Past open(), the rest of the code trusts the ImageNode objects.
"""

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from construct import ConstructError, StreamError, TerminatedError

from ..errors import UserError
from . import format as fmt
from .values import Extent, Extents, Ref, Sym, tuple_from_construct

READ_CHUNK = 1 << 20


@dataclass
class ImageHeader:
    version: tuple[int, int]
    block_size: int
    uuid: UUID
    image_size: int
    log_start: int
    log_blocks: int
    root_id: int
    generation: int = 0

    @property
    def writable(self) -> bool:
        return self.version[0] == fmt.VOLUME_VERSION_MAJOR


@dataclass
class ImageBoot:
    program: str
    argv: list[str]
    env: list[str]
    kernel: dict[str, int | str]
    built_for: dict | None = None       # the kernel the image was built for (image/built_for.py)


@dataclass
class ImageNode:
    id: int
    kind: str                           # "dir", "file" or "symlink"
    mode: int                           # permission bits only
    uid: int
    gid: int
    mtime_ns: int
    record_offset: int                  # where the winning record for this tuple starts
    size: int = 0                       # files: bytes; symlinks: target length
    extents: tuple[Extent, ...] = ()
    children: dict[str, int] = field(default_factory=dict)   # dirs: name -> node id
    target: str = ""                    # symlinks
    nlink: int = 1                      # files and symlinks: names in the tree (version 2)
    xattrs: tuple[tuple[bytes, bytes], ...] = ()   # extended attributes, in listxattr order


class Image:
    """An open, fully validated image. Use as a context manager or call close()."""

    def __init__(self, path: Path, *, offset: int = 0, size: int | None = None):
        """The image in `path`, or in its `size` bytes from `offset` (a disk's TFS partition)."""
        self.path = Path(path)
        self._base = offset
        try:
            self._f = open(self.path, "rb")
        except OSError as e:
            raise UserError(f"cannot open image {path}: {e.strerror}") from None
        try:
            self.file_size = os.fstat(self._f.fileno()).st_size - offset if size is None else size
            self.header = self._read_header()
            self.segments: list[tuple[int, int]] = []
            self.log_end = 0
            self.last_seq = 0               # version 2: the last commit's sequence number
            self.tail: str | None = None    # version 2: why replay stopped short of an end record
            self._records = self._replay_log()
            self.boot, self.root_id = self._read_root()
            self.nodes: dict[int, ImageNode] = {}
            self._read_tree()
        except BaseException:
            self._f.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._f.close()

    # -- reading -------------------------------------------------------------------

    def _pread(self, offset: int, n: int, what: str) -> bytes:
        self._f.seek(self._base + offset)
        data = self._f.read(max(0, min(n, self.file_size - offset)))
        if len(data) != n:
            raise UserError(f"{self.path}: truncated: {what} at offset {offset:#x} needs {n} bytes, "
                            f"but the file ends at {self.file_size:#x}")
        return data

    def _fail(self, offset: int, what: str):
        raise UserError(f"{self.path}: corrupt image at offset {offset:#x}: {what}")

    def _read_header(self) -> ImageHeader:
        """Slot A at offset 0; a version-2 image also has slot B (section 12.1): the valid
        slot with the higher generation wins, so rewriting one slot is crash-safe."""
        try:
            a = self._read_header_slot(0)
        except UserError as e:
            a, err = None, e
        if a is not None and not a.writable:
            return a
        try:
            b = self._read_header_slot(fmt.HEADER_SLOT_B)
        except UserError:
            b = None
        if b is not None and not b.writable:
            b = None
        if a is None and b is None:
            raise err
        if a is None or (b is not None and b.generation > a.generation):
            return b
        return a

    def _read_header_slot(self, base: int) -> ImageHeader:
        if base and self.file_size < base + fmt.HEADER_SIZE:
            raise UserError(f"{self.path}: no header slot at offset {base:#x}")
        if self.file_size < fmt.HEADER_SIZE:
            raise UserError(f"{self.path} is not a TFS image: the file ends at offset "
                            f"{self.file_size:#x}, inside the {fmt.HEADER_SIZE}-byte header")
        raw = self._pread(base, fmt.HEADER_SIZE, "the header")
        if raw[:8] != fmt.MAGIC:
            raise UserError(f"{self.path} is not a TFS image (no {fmt.MAGIC[:7].decode()} magic at offset {base:#x})")
        h = fmt.Header.parse(raw)
        if h.version_major not in (fmt.VERSION_MAJOR, fmt.VOLUME_VERSION_MAJOR):
            self._fail(base + 8, f"format version {h.version_major}.{h.version_minor} is not supported "
                                 f"(this unibuild reads {fmt.VERSION_MAJOR}.x and {fmt.VOLUME_VERSION_MAJOR}.x)")
        limit = fmt.HEADER_SLOT_B if h.version_major == fmt.VOLUME_VERSION_MAJOR else fmt.MIN_BLOCK_SIZE
        if not fmt.HEADER_SIZE <= h.header_size <= limit:
            self._fail(base + 12, f"header size {h.header_size} is outside {fmt.HEADER_SIZE}..{limit}")
        full = self._pread(base, h.header_size, "the header")
        zeroed = full[:fmt.HEADER_CRC_OFFSET] + bytes(4) + full[fmt.HEADER_CRC_OFFSET + 4:]
        if fmt.crc32(zeroed) != h.header_crc:
            self._fail(base + fmt.HEADER_CRC_OFFSET, f"header checksum mismatch (stored {h.header_crc:#010x}, "
                                              f"computed {fmt.crc32(zeroed):#010x})")
        if h.flags:
            self._fail(20, f"unknown header flags {h.flags:#x}")
        bs = h.block_size
        if bs & (bs - 1) or not fmt.MIN_BLOCK_SIZE <= bs <= fmt.MAX_BLOCK_SIZE:
            self._fail(24, f"block size {bs} is not a power of two in {fmt.MIN_BLOCK_SIZE}..{fmt.MAX_BLOCK_SIZE}")
        if h.header_size > bs:
            self._fail(12, f"header size {h.header_size} exceeds the block size {bs}")
        if h.root_id == 0:
            self._fail(28, "root tuple id is 0")
        if h.image_size % bs or h.image_size < 2 * bs:
            self._fail(48, f"image size {h.image_size} is not a multiple of the block size of at least 2 blocks")
        if self.file_size < h.image_size:
            raise UserError(f"{self.path}: truncated: the header says {h.image_size} bytes "
                            f"but the file ends at offset {self.file_size:#x}")
        self._check_segment(56, h.log_start, h.log_blocks, h.image_size // bs)
        return ImageHeader((h.version_major, h.version_minor), bs, UUID(bytes=h.uuid), h.image_size,
                           h.log_start, h.log_blocks, h.root_id,
                           h.generation if h.version_major == fmt.VOLUME_VERSION_MAJOR else 0)

    def _check_segment(self, where: int, start: int, blocks: int, image_blocks: int) -> None:
        if start < 1 or blocks < 1 or start > image_blocks or blocks > image_blocks - start:
            self._fail(where, f"log segment of {blocks} blocks at block {start} lies outside "
                              f"blocks 1..{image_blocks - 1}")

    def _replay_log(self) -> dict[int, tuple[int, dict]]:
        """Tuple id -> (record offset, tuple), later records replacing earlier ones."""
        if self.header.writable:
            return self._replay_volume_log()
        bs = self.header.block_size
        image_blocks = self.header.image_size // bs
        records: dict[int, tuple[int, dict]] = {}
        start, blocks = self.header.log_start, self.header.log_blocks
        while True:
            self.segments.append((start, blocks))
            pos, end = start * bs, (start + blocks) * bs
            while True:
                if end - pos < fmt.RECORD_HEADER_SIZE:
                    self._fail(pos, "log segment ends without an end or extend record")
                raw = self._pread(pos, fmt.RECORD_HEADER_SIZE, "a record header")
                rh = fmt.RecordHeader.parse(raw)
                if rh.type == fmt.RECORD_END:
                    if raw != bytes(fmt.RECORD_HEADER_SIZE):
                        self._fail(pos, "end record with non-zero fields")
                    self.log_end = pos + fmt.RECORD_HEADER_SIZE
                    return records
                if rh.flags:
                    self._fail(pos + 2, f"record flags {rh.flags:#x} are not zero")
                if rh.length > fmt.MAX_RECORD_PAYLOAD or rh.length > end - pos - fmt.RECORD_HEADER_SIZE:
                    self._fail(pos + 4, f"record length {rh.length} runs past the log segment end {end:#x}")
                payload = self._pread(pos + fmt.RECORD_HEADER_SIZE, rh.length, "a record")
                crc = fmt.crc32(payload, fmt.crc32(raw[:8] + bytes(4)))
                if crc != rh.crc:
                    self._fail(pos, f"record checksum mismatch (stored {rh.crc:#010x}, computed {crc:#010x})")
                if rh.type == fmt.RECORD_TUPLE:
                    rec = self._parse(fmt.TupleRecord, payload, pos, "tuple record")
                    records[rec.id] = (pos, tuple_from_construct(rec.tuple))
                elif rh.type == fmt.RECORD_EXTEND:
                    ext = self._parse(fmt.ExtendRecord, payload, pos, "extend record")
                    if ext.start < start + blocks:
                        self._fail(pos, f"extend record points back to block {ext.start}; "
                                        f"segments must move forward")
                    self._check_segment(pos, ext.start, ext.blocks, image_blocks)
                    start, blocks = ext.start, ext.blocks
                    break
                else:
                    self._fail(pos, f"unknown record type {rh.type}")
                pos += fmt.RECORD_HEADER_SIZE + rh.length

    def _replay_volume_log(self) -> dict[int, tuple[int, dict]]:
        """Version 2 (section 12.2): records count once a commit record closes them; the log
        ends at an end record or at the first record that does not check (a torn tail)."""
        bs = self.header.block_size
        image_blocks = self.header.image_size // bs
        records: dict[int, tuple[int, dict]] = {}
        staged: dict[int, tuple[int, dict]] = {}
        staged_segments: list[tuple[int, int]] = []
        start, blocks = self.header.log_start, self.header.log_blocks
        self.segments.append((start, blocks))
        pos, end, chain, committed = start * bs, (start + blocks) * bs, 0, False

        def stop(why: str | None):
            if not committed:
                self._fail(self.header.log_start * bs, "the log holds no commit record"
                           + (f" ({why})" if why else ""))
            self.tail = why
            return records

        while True:
            if end - pos < fmt.RECORD_HEADER_SIZE:
                return stop(f"the log segment ends at {end:#x} without an end record")
            raw = self._pread(pos, fmt.RECORD_HEADER_SIZE, "a record header")
            rh = fmt.RecordHeader.parse(raw)
            if raw == bytes(fmt.RECORD_HEADER_SIZE):
                return stop(None if not staged and not staged_segments else
                            f"records after the last commit at {self.log_end:#x} were never committed")
            if (rh.flags or rh.type not in (fmt.RECORD_TUPLE, fmt.RECORD_EXTEND, fmt.RECORD_COMMIT)
                    or rh.length > fmt.MAX_RECORD_PAYLOAD or rh.length > end - pos - fmt.RECORD_HEADER_SIZE):
                return stop(f"a torn or foreign record header at {pos:#x}")
            payload = self._pread(pos + fmt.RECORD_HEADER_SIZE, rh.length, "a record")
            if fmt.crc32(payload, fmt.crc32(raw[:8] + bytes(4))) != rh.crc:
                return stop(f"a record at {pos:#x} fails its checksum (torn write)")
            next_pos = pos + fmt.RECORD_HEADER_SIZE + rh.length
            if rh.type == fmt.RECORD_COMMIT:
                c = self._parse(fmt.CommitRecord, payload, pos, "commit record")
                if (committed and c.seq != self.last_seq + 1) or c.chain != chain:
                    return stop(f"the commit record at {pos:#x} does not close the records before it")
                records.update(staged)
                self.segments.extend(staged_segments)
                staged, staged_segments, chain, committed = {}, [], 0, True
                self.last_seq, self.log_end = c.seq, next_pos
                pos = next_pos
                continue
            chain = fmt.crc32(raw[8:12], chain)
            if rh.type == fmt.RECORD_TUPLE:
                rec = self._parse(fmt.TupleRecord, payload, pos, "tuple record")
                staged[rec.id] = (pos, tuple_from_construct(rec.tuple))
                pos = next_pos
            else:
                ext = self._parse(fmt.ExtendRecord, payload, pos, "extend record")
                if ext.start < start + blocks:
                    return stop(f"the extend record at {pos:#x} points back")
                if ext.start < 1 or ext.blocks < 1 or ext.start > image_blocks or ext.blocks > image_blocks - ext.start:
                    return stop(f"the extend record at {pos:#x} points outside the image")
                staged_segments.append((ext.start, ext.blocks))
                start, blocks = ext.start, ext.blocks
                pos, end = start * bs, (start + blocks) * bs

    def _parse(self, struct, payload: bytes, pos: int, what: str):
        try:
            return struct.parse(payload)
        except StreamError as e:
            self._fail(pos, f"malformed {what}: it ends inside a value ({str(e).splitlines()[-1]})")
        except TerminatedError:
            self._fail(pos, f"malformed {what}: bytes left over after its last value")
        except ConstructError as e:
            self._fail(pos, f"malformed {what}: {str(e).strip().splitlines()[-1]}")

    # -- the tree ------------------------------------------------------------------

    def _tuple(self, ref_id: int, where: int, what: str) -> tuple[int, dict]:
        if ref_id not in self._records:
            self._fail(where, f"{what} refers to tuple {ref_id}, which no record defines")
        return self._records[ref_id]

    def _get(self, tup: dict, key: str, kinds, pos: int, what: str):
        v = tup.get(key)
        if v is None or not isinstance(v, kinds) or (kinds is str and isinstance(v, Sym)):
            self._fail(pos, f"{what} lacks a valid {key!r} attribute")
        return v

    def _read_root(self) -> tuple[ImageBoot | None, int]:
        pos, root = self._tuple(self.header.root_id, 28, "the header")
        fs = self._get(root, "fs", Ref, pos, "root tuple")
        if self.header.writable and "boot" not in root:
            return None, fs.id                  # a volume: data only (section 12.3)
        boot = self._get(root, "boot", dict, pos, "root tuple")
        program = self._get(boot, "program", str, pos, "boot tuple")
        if isinstance(program, Sym) or not program.startswith("/"):
            self._fail(pos, f"boot program {program!r} is not an absolute string path")
        lists = {}
        for key in ("argv", "env"):
            items = self._get(boot, key, list, pos, "boot tuple")
            if not all(isinstance(a, str) and not isinstance(a, Sym) for a in items):
                self._fail(pos, f"boot {key} holds a value that is not a string")
            lists[key] = items
        if not lists["argv"]:
            self._fail(pos, "boot argv is empty")
        if not all("=" in e and not e.startswith("=") for e in lists["env"]):
            self._fail(pos, "boot env holds an entry that is not KEY=VALUE")
        kernel = self._get(boot, "kernel", dict, pos, "boot tuple")
        for k, v in kernel.items():
            if not isinstance(v, (int, str)):
                self._fail(pos, f"kernel option {k!r} is neither an integer nor a string")
        built_for = boot.get("built_for")
        return ImageBoot(program, lists["argv"], lists["env"], dict(kernel),
                         dict(built_for) if isinstance(built_for, dict) else None), fs.id

    def _read_tree(self) -> None:
        # Iterative walk; each tuple may be referenced once, which rules out cycles and
        # shared directories, so the walk ends and every node has exactly one path.
        seen = {self.header.root_id}
        stack = [(self.root_id, 0, 28, "the root tuple")]
        while stack:
            node_id, depth, where, what = stack.pop()
            if node_id in seen and self.header.writable and node_id in self.nodes \
                    and self.nodes[node_id].kind != "dir":
                self.nodes[node_id].nlink += 1   # a hard link (section 12.3)
                continue
            if node_id in seen:
                self._fail(where, f"{what} refers to tuple {node_id}, which is already in the tree")
            seen.add(node_id)
            pos, tup = self._tuple(node_id, where, what)
            node = self._node(node_id, pos, tup)
            self.nodes[node_id] = node
            if node.kind == "dir":
                if depth >= fmt.MAX_DEPTH and node.children:
                    self._fail(pos, f"directory nested deeper than {fmt.MAX_DEPTH} levels")
                for name, child in node.children.items():
                    stack.append((child, depth + 1, pos, f"directory entry {name!r}"))

    def _node(self, node_id: int, pos: int, tup: dict) -> ImageNode:
        what = f"node tuple {node_id}"
        kind = self._get(tup, "type", Sym, pos, what)
        mode = self._get(tup, "mode", int, pos, what)
        uid = self._get(tup, "uid", int, pos, what)
        gid = self._get(tup, "gid", int, pos, what)
        mtime = self._get(tup, "mtime", int, pos, what)
        if not 0 <= mode <= 0o7777:
            self._fail(pos, f"{what} has mode {mode:#o} outside 0..0o7777")
        if not (0 <= uid < 2**32 and 0 <= gid < 2**32):
            self._fail(pos, f"{what} has uid/gid outside 0..4294967295")
        node = ImageNode(node_id, str(kind), mode, uid, gid, mtime, pos)
        node.xattrs = self._xattrs(tup, pos, what)
        if kind == "file":
            node.size = self._get(tup, "size", int, pos, what)
            if node.size < 0:
                self._fail(pos, f"{what} has negative size {node.size}")
            node.extents = self._get(tup, "extents", Extents, pos, what)
            self._check_extents(node, pos, what)
        elif kind == "dir":
            children = self._get(tup, "children", dict, pos, what)
            for name, ref in children.items():
                if name in (".", ".."):
                    self._fail(pos, f"{what} has an entry named {name!r}")
                if not isinstance(ref, Ref):
                    self._fail(pos, f"{what} entry {name!r} is not a reference")
                node.children[name] = ref.id
        elif kind == "symlink":
            node.target = self._get(tup, "target", str, pos, what)
            node.size = len(node.target.encode("utf-8", "surrogateescape"))
            if not 0 < node.size <= fmt.SYMLINK_MAX:
                self._fail(pos, f"{what} has a symlink target of {node.size} bytes")
        else:
            self._fail(pos, f"{what} has unknown type {kind!r}")
        return node

    def _xattrs(self, tup: dict, pos: int, what: str) -> tuple[tuple[bytes, bytes], ...]:
        """The optional `xattrs` (LIST of BYTES: name, value, ...) and `xattrs_inode` (INT)."""
        if "xattrs" not in tup:
            return ()
        items = self._get(tup, "xattrs", list, pos, what)
        if len(items) % 2 or not all(isinstance(v, bytes) for v in items):
            self._fail(pos, f"{what} has xattrs that are not BYTES names and values in pairs")
        pairs = tuple(zip(items[0::2], items[1::2]))
        for name, value in pairs:
            if not 0 < len(name) <= fmt.XATTR_NAME_MAX or b"\0" in name:
                self._fail(pos, f"{what} has an xattr name that is empty, longer than 255 bytes or holds a NUL")
            if len(value) > fmt.XATTR_SIZE_MAX:
                self._fail(pos, f"{what} has an xattr value longer than {fmt.XATTR_SIZE_MAX} bytes")
        if "xattrs_inode" in tup:
            k = self._get(tup, "xattrs_inode", int, pos, what)
            if not 0 <= k <= len(pairs):
                self._fail(pos, f"{what} has xattrs_inode {k} outside 0..{len(pairs)}")
        return pairs

    def _check_extents(self, node: ImageNode, pos: int, what: str) -> None:
        bs = self.header.block_size
        image_blocks = self.header.image_size // bs
        prev_end = 0
        for i, e in enumerate(node.extents):
            nblocks = -(-e.length // bs)
            if e.file_offset % bs:
                self._fail(pos, f"{what} extent {i} starts at file offset {e.file_offset}, not block aligned")
            if e.length == 0:
                self._fail(pos, f"{what} extent {i} is empty")
            if e.file_offset < prev_end:
                self._fail(pos, f"{what} extent {i} overlaps or precedes the previous one")
            if e.length > node.size or e.file_offset > node.size - e.length:
                self._fail(pos, f"{what} extent {i} ends past the file size {node.size}")
            if e.block < 1 or e.block > image_blocks or nblocks > image_blocks - e.block:
                self._fail(pos, f"{what} extent {i} (blocks {e.block}+{nblocks}) lies outside "
                                f"blocks 1..{image_blocks - 1}")
            for s, n in self.segments:
                if e.block < s + n and s < e.block + nblocks:
                    self._fail(pos, f"{what} extent {i} overlaps the log segment at block {s}")
            prev_end = e.file_offset + e.length

    # -- lookups -------------------------------------------------------------------

    @property
    def root(self) -> ImageNode:
        return self.nodes[self.root_id]

    def lookup(self, path: str, follow: bool = True) -> ImageNode:
        """The node at an absolute image path; symlinks resolve inside the image."""
        node, _ = self._resolve(path, follow, 0)
        return node

    def _resolve(self, path: str, follow: bool, hops: int) -> tuple[ImageNode, int]:
        if not path.startswith("/"):
            raise UserError(f"image path {path!r} must be absolute")
        node, parents = self.root, []
        parts = [p for p in path.split("/") if p and p != "."]
        for i, part in enumerate(parts):
            if part == "..":
                node = parents.pop() if parents else self.root
                continue
            if node.kind != "dir":
                raise UserError(f"{path}: {'/' + '/'.join(parts[:i])} is not a directory")
            if part not in node.children:
                raise UserError(f"{path}: no such file or directory in the image")
            child = self.nodes[node.children[part]]
            last = i == len(parts) - 1
            if child.kind == "symlink" and (follow or not last):
                hops += 1
                if hops > fmt.MAX_SYMLINK_HOPS:
                    raise UserError(f"{path}: too many levels of symbolic links")
                here = "/" + "/".join(parts[:i])
                target = posixpath.join(here, child.target)
                rest = "/".join(parts[i + 1:])
                return self._resolve(posixpath.join(target, rest) if rest else target, follow, hops)
            parents.append(node)
            node = child
        return node, hops

    def read(self, node: ImageNode):
        """The file's bytes as chunks of at most READ_CHUNK; holes read as zeros."""
        bs = self.header.block_size
        pos = 0
        for e in node.extents:
            yield from _zeros(e.file_offset - pos)
            done = 0
            while done < e.length:
                n = min(READ_CHUNK, e.length - done)
                yield self._pread(e.block * bs + done, n, "file data")
                done += n
            pos = e.file_offset + e.length
        yield from _zeros(node.size - pos)

    def read_bytes(self, node: ImageNode) -> bytes:
        return b"".join(self.read(node))


def _zeros(n: int):
    while n > 0:
        k = min(n, READ_CHUNK)
        yield bytes(k)
        n -= k
