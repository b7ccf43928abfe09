"""Volume images for the reader tests: a writable image from the Python writer, and appends to
its log as the kernel makes them (docs/tfs.md section 12.4), with the damage a crash can leave."""

from __future__ import annotations

from pathlib import Path

from unibuild.tfs import format as fmt
from unibuild.tfs.reader import Image
from unibuild.tfs.tree import Dir, File, Symlink
from unibuild.tfs.values import Ref, Sym, tuple_to_construct
from unibuild.tfs.writer import commit_record, record, write_image


def make_volume(path: Path, size: int = 1 << 20) -> Path:
    root = Dir({"a": File(b"hello\n"), "d": Dir({"b": File(b"x" * 5000)}), "s": Symlink("a")})
    write_image(path, root, None, writable=True, min_size=size)
    return path


def tuple_record(tid: int, tup: dict) -> bytes:
    return record(fmt.RECORD_TUPLE, fmt.TupleRecord.build(dict(id=tid, tuple=tuple_to_construct(tup))))


def dir_tuple(children: dict[str, int], mode: int = 0o755) -> dict:
    return {"type": Sym("dir"), "mode": mode, "uid": 0, "gid": 0, "mtime": 0,
            "children": {k: Ref(v) for k, v in children.items()}}


def append(path: Path, records: list[bytes], *, commit: bool = True, seq_delta: int = 1,
           damage=None) -> int:
    """Append records (and their commit record) at the volume's end position, as the kernel
    does; `damage(bytes) -> bytes` edits what is written (a torn write). Returns where it wrote."""
    with Image(path) as img:
        pos, seq = img.log_end, img.last_seq
    data = b"".join(records)
    if commit:
        data += commit_record(seq + seq_delta, records)
    data += bytes(fmt.RECORD_HEADER_SIZE)
    if damage:
        data = damage(data)
    with open(path, "r+b") as f:
        f.seek(pos)
        f.write(data)
    return pos


def root_dir_id(path: Path) -> tuple[int, dict[str, int]]:
    with Image(path) as img:
        return img.root_id, dict(img.root.children)
