"""Seed corpus for tfs_fuzz: small valid images written by unibuild's own TFS writer, plus
log layouts the writer never produces (a second segment reached by an extend record, a tuple
superseded by a later record). Every seed is checked with the Python reader before it is kept.

    python gen_corpus.py OUTDIR
"""

import sys
from pathlib import Path

from unibuild.tfs import format as fmt
from unibuild.tfs import writer
from unibuild.tfs.reader import Image
from unibuild.tfs.tree import Boot, Dir, File, Meta, Symlink


def sample_tree(block_size: int = 4096) -> Dir:
    """Files (empty, small, sparse with a hole and a partial last block), nested directories,
    absolute and relative symlinks, a name with bytes that are not UTF-8."""
    bs = block_size
    sparse = b"A" * bs + bytes(2 * bs) + b"B" * (bs // 2)
    return Dir({
        "bin": Dir({"prog": File(b"\x7fELF" + bytes(60) + b"code", Meta(mode=0o755))}),
        "etc": Dir({"hosts": File(b"127.0.0.1 localhost\n"), "empty": File(b"")}),
        "lib": Dir({"libc.so.6": File(bytes(range(256)) * 20), "libc.so": Symlink("libc.so.6")}),
        "usr": Dir({"lib": Symlink("/lib"), "share": Dir({"d": Dir({"e": Dir()})})}),
        "data": Dir({"sparse": File(sparse), "caf\udce9": File(b"x", Meta(mode=0o600, uid=1000, gid=100,
                                                                          mtime_ns=1_700_000_000_123_456_789))}),
        "loop": Symlink("loop"),
    })


def sample_boot() -> Boot:
    return Boot(program="/bin/prog", argv=["/bin/prog", "-v", "hello world"], env=["HOME=/", "LANG=C"],
                kernel={"debug": 1, "note": "text", "neg": -5})


def write(path: Path, root: Dir, boot: Boot | None, block_size: int = 4096, reserve: int = 0,
          writable: bool = False) -> bytes:
    """Write an image with `reserve` spare log blocks (0 keeps seeds small); returns its bytes."""
    saved = writer.LOG_RESERVE_BLOCKS, writer.VOLUME_LOG_RESERVE_BLOCKS
    writer.LOG_RESERVE_BLOCKS = writer.VOLUME_LOG_RESERVE_BLOCKS = reserve
    try:
        writer.write_image(path, root, boot, block_size=block_size, writable=writable)
    finally:
        writer.LOG_RESERVE_BLOCKS, writer.VOLUME_LOG_RESERVE_BLOCKS = saved
    return path.read_bytes()


def volume_with_commits(path: Path) -> bytes:
    """A version-2 volume (docs/tfs.md section 12) with a second commit that adds a hard link,
    then a torn third one: the replay of commits and tails gets fuzzed too."""
    from unibuild.tfs.reader import Image
    from unibuild.tfs.values import Ref, Sym, tuple_to_construct
    data = bytearray(write(path, Dir({"a": File(b"hello"), "s": Symlink("a")}), None, reserve=1, writable=True))
    with Image(path) as img:
        pos, seq, root, kids = img.log_end, img.last_seq, img.root_id, dict(img.root.children)
    tup = {"type": Sym("dir"), "mode": 0o755, "uid": 0, "gid": 0, "mtime": 0,
           "children": {k: Ref(v) for k, v in {**kids, "b": kids["a"]}.items()}}
    rec = writer.record(fmt.RECORD_TUPLE, fmt.TupleRecord.build(dict(id=root, tuple=tuple_to_construct(tup))))
    torn = writer.record(fmt.RECORD_TUPLE, fmt.TupleRecord.build(dict(id=root, tuple=tuple_to_construct({}))))
    log = rec + writer.commit_record(seq + 1, [rec]) + torn[:20]
    data[pos:pos + len(log)] = log
    return bytes(data)


def records(image: bytes) -> list[bytes]:
    """The raw records (header + payload) of an image with a single log segment, end record excluded."""
    h = fmt.Header.parse(image[:fmt.HEADER_SIZE])
    pos, out = h.log_start * h.block_size, []
    while True:
        rh = fmt.RecordHeader.parse(image[pos:pos + fmt.RECORD_HEADER_SIZE])
        if rh.type == fmt.RECORD_END:
            return out
        out.append(image[pos:pos + fmt.RECORD_HEADER_SIZE + rh.length])
        pos += fmt.RECORD_HEADER_SIZE + rh.length


def record(rtype: int, payload: bytes) -> bytes:
    return writer._record(rtype, payload)


def with_header(image: bytearray, **fields) -> bytearray:
    """Rewrite header fields and its checksum."""
    h = fmt.Header.parse(bytes(image[:fmt.HEADER_SIZE]))
    h.update(fields)
    h.header_crc = 0
    h.header_crc = fmt.crc32(fmt.Header.build(h))
    image[:fmt.HEADER_SIZE] = fmt.Header.build(h)
    return image


def split_log(image: bytes, at: int) -> bytes:
    """The same filesystem with its log in two segments: records[:at] and an extend record in
    the original segment, the rest in a new segment appended at the end of the image."""
    h = fmt.Header.parse(image[:fmt.HEADER_SIZE])
    bs, recs = h.block_size, records(image)
    second = b"".join(recs[at:]) + bytes(fmt.RECORD_HEADER_SIZE)
    new_start = h.image_size // bs
    new_blocks = -(-len(second) // bs)
    first = b"".join(recs[:at]) + record(fmt.RECORD_EXTEND, fmt.ExtendRecord.build(
        dict(start=new_start, blocks=new_blocks)))
    assert len(first) <= h.log_blocks * bs
    out = bytearray(image[:h.log_start * bs])
    out += first + bytes(h.log_blocks * bs - len(first))
    out += image[(h.log_start + h.log_blocks) * bs:]
    out += second + bytes(new_blocks * bs - len(second))
    return bytes(with_header(out, image_size=len(out)))


def superseded(image: bytes) -> bytes:
    """An earlier, different record for every tuple id: replay must keep the last one."""
    h = fmt.Header.parse(image[:fmt.HEADER_SIZE])
    recs = records(image)
    stale = []
    for r in recs:
        rec = fmt.TupleRecord.parse(r[fmt.RECORD_HEADER_SIZE:])
        entries = [e for e in rec.tuple if e.key != b"mode"]   # a node without mode is invalid
        stale.append(record(fmt.RECORD_TUPLE, fmt.TupleRecord.build(dict(id=rec.id, tuple=entries))))
    log = b"".join(stale + recs) + bytes(fmt.RECORD_HEADER_SIZE)
    bs = h.block_size
    blocks = -(-len(log) // bs)
    out = bytearray(image[:h.log_start * bs]) + log + bytes(blocks * bs - len(log))
    return bytes(with_header(out, image_size=len(out), log_blocks=blocks))


def seeds(tmp: Path) -> dict[str, bytes]:
    tiny_boot = Boot(program="/p", argv=["/p"])
    out = {
        "tiny": write(tmp / "a", Dir({"p": File(b"hi")}), tiny_boot),
        "tree": write(tmp / "b", sample_tree(), sample_boot()),
        "tree-8k": write(tmp / "c", sample_tree(8192), sample_boot(), block_size=8192),
        "reserve": write(tmp / "d", Dir({"p": File(b"hi")}), tiny_boot, reserve=1),
    }
    out["volume"] = volume_with_commits(tmp / "e")
    out["extend"] = split_log(out["tree"], 3)
    out["superseded"] = superseded(out["tree"])
    return out


def main(outdir: str) -> None:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in seeds(out).items():
        path = out / f"{name}.tfs"
        path.write_bytes(data)
        with Image(path):          # every seed is a valid image
            pass
    for tmp in "abcde":
        (out / tmp).unlink()


if __name__ == "__main__":
    main(sys.argv[1])
