"""The kernel's TFS reader (kernel/fs/tfs.c), run on the host against the Python reader.

Oracles: unibuild's Python reader decides which images are valid and what they hold; the host's
own files give sizes, modes and CRC-32s; the host's Linux resolves the same paths (relative
symlinks, "..", trailing slashes, ELOOP after 40 links, ENAMETOOLONG) for the VFS lookup tests.

These tests run the same C reader on the host (tests/fuzz/tfs_dump, built with ASan/UBSan); the
boot tests (tests/boot/test_tfs_kernel_boot.py) attach an image to the real kernel under QEMU.
"""

import importlib.util
import random
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from lib.tfs_text import enc, show
from unibuild.errors import UserError
from unibuild.tfs import format as fmt
from unibuild.tfs.reader import Image, ImageBoot
from unibuild.tfs.tree import Boot, Dir, File

ROOT = Path(__file__).resolve().parents[2]
FUZZ_DIR = ROOT / "tests" / "fuzz"
DUMP = ROOT / "build" / "host" / "fuzz" / "tfs_dump"
CRC_LIMIT = 16 << 20      # tfs_dump skips the checksum of larger (sparse, corrupted) files

_spec = importlib.util.spec_from_file_location("gen_corpus", FUZZ_DIR / "gen_corpus.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)


# ---- the host build of the C reader against the Python reader ---------------------------------

@pytest.fixture(scope="session")
def tfs_dump():
    if shutil.which("clang") is None:
        pytest.fail("clang missing: install clang and libclang-rt-14-dev (make deps does)")
    subprocess.run(["make", "-s", "-C", str(FUZZ_DIR), "dump"], check=True)
    return DUMP


def python_dump(path: Path) -> str:
    """What tfs_dump prints, computed by the Python reader (breadth first, entries in name order)."""
    with Image(path) as img:
        bs = img.header.block_size
        lines = [f"block_size {bs}"]
        if img.header.writable:
            lines.append(f"commit {img.last_seq} end {img.log_end:#x} generation {img.header.generation}")
        lines.append(f"program {show(enc(img.boot.program)) if img.boot else '-'}")
        boot = img.boot or ImageBoot("", [], [], {})
        lines += [f"argv {show(enc(a))}" for a in boot.argv]
        lines += [f"env {show(enc(e))}" for e in boot.env]
        for k, v in boot.kernel.items():
            lines.append(f"kernel {show(enc(k))} " + (str(v) if isinstance(v, int) else f"'{show(enc(v))}'"))
        queue, placed = [(img.root, "/")], {img.root.id}
        for node, p in queue:
            for name in sorted(node.children, key=enc):
                child = img.nodes[node.children[name]]
                if child.id not in placed:     # a hard link: the node's first name is its path
                    placed.add(child.id)
                    queue.append((child, ("" if p == "/" else p) + "/" + show(enc(name))))
        for node, p in queue:
            nlink = (2 + sum(img.nodes[c].kind == "dir" for c in node.children.values()) if node.kind == "dir"
                     else node.nlink)
            blocks = sum(-(-e.length // bs) for e in node.extents) * bs // 512
            line = (f"node {p} {node.kind} {node.id} {node.mode:04o} {node.uid} {node.gid} {node.mtime_ns} "
                    f"{node.size} {nlink} {blocks}")
            if node.kind == "file" and node.size > CRC_LIMIT:
                line += " crc -"
            elif node.kind == "file":
                line += f" crc {zlib.crc32(img.read_bytes(node)):08x}"
            elif node.kind == "symlink":
                line += f" -> {show(enc(node.target))}"
            lines.append(line)
    return "\n".join(lines) + "\n"


def c_dump(tool: Path, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(tool), str(path)], capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="session")
def seed_images(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds")
    return {name: data for name, data in gen.seeds(out).items()}


def test_c_reader_sees_the_same_tree_as_the_python_reader(tfs_dump, seed_images, tmp_path):
    for name, data in seed_images.items():
        path = tmp_path / f"{name}.tfs"
        path.write_bytes(data)
        result = c_dump(tfs_dump, path)
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"
        assert result.stdout == python_dump(path), name


def _fix_header_crc(img: bytearray) -> None:
    img[16:20] = bytes(4)
    img[16:20] = zlib.crc32(bytes(img[:fmt.HEADER_SIZE])).to_bytes(4, "little")


def _mutants(data: bytes, rng: random.Random, count: int):
    """Corruptions that get past the checksums (so the structural checks run), and raw ones."""
    h = fmt.Header.parse(data[:fmt.HEADER_SIZE])
    recs = gen.records(data)
    log_at = h.log_start * h.block_size
    for i in range(count):
        img = bytearray(data)
        kind = i % 4
        if kind == 0:      # a header field, checksum fixed
            pos = rng.randrange(8, 72)
            img[pos] ^= 1 << rng.randrange(8)
            _fix_header_crc(img)
        elif kind in (1, 2):   # bytes of one tuple record's payload, its checksum fixed
            r = rng.randrange(len(recs))
            start = log_at + sum(len(x) for x in recs[:r])
            raw = bytearray(recs[r])
            for _ in range(rng.randint(1, 3)):
                pos = rng.randrange(fmt.RECORD_HEADER_SIZE, len(raw))
                raw[pos] = rng.choice([0, 1, 0xFF, raw[pos] ^ (1 << rng.randrange(8)), rng.randrange(256)])
            fixed = gen.record(fmt.RECORD_TUPLE, bytes(raw[fmt.RECORD_HEADER_SIZE:]))
            img[start:start + len(fixed)] = fixed
        else:              # raw damage anywhere, or a truncated device
            if rng.random() < 0.3:
                img = img[:rng.randrange(len(img))]
            else:
                img[rng.randrange(len(img))] ^= 1 << rng.randrange(8)
        yield bytes(img)


def test_c_reader_accepts_and_rejects_exactly_what_the_python_reader_does(tfs_dump, seed_images, tmp_path):
    rng = random.Random(20240531)
    checked = rejected = 0
    for name in ("tree", "extend", "superseded"):
        for n, img in enumerate(_mutants(seed_images[name], rng, 120)):
            path = tmp_path / f"{name}-{n}.tfs"
            path.write_bytes(img)
            try:
                expected = python_dump(path)
            except UserError:
                expected = None
            result = c_dump(tfs_dump, path)
            if expected is None:
                assert result.returncode == 1, f"{path}: C accepted what Python rejects\n{result.stderr}"
                assert re.fullmatch(r"tfs: corrupt image: .+ at offset 0x[0-9a-f]+\n", result.stdout), result.stdout
                rejected += 1
            else:
                assert result.returncode == 0, f"{path}: C rejected what Python accepts: {result.stdout}{result.stderr}"
                assert result.stdout == expected
            checked += 1
            path.unlink()
    assert rejected > checked // 3     # the mutations really did break images


def test_hostile_counts_and_nesting_are_rejected_without_crashing(tfs_dump, tmp_path):
    """Records the writer can never produce, each with a valid checksum."""
    base = bytearray(gen.write(tmp_path / "base", Dir({"p": File(b"x")}), Boot("/p", ["/p"])))
    h = fmt.Header.parse(bytes(base[:fmt.HEADER_SIZE]))
    log_at = h.log_start * h.block_size
    first_len = len(gen.records(bytes(base))[0])

    def deep(levels: int) -> bytes:   # a tuple nested `levels` deep inside the record's tuple
        body = b"\x00\x00\x00\x00"
        for _ in range(levels):
            body = b"\x01\x00\x00\x00" + b"\x01k" + bytes([fmt.TAG_TUPLE]) + body
        return body

    id1 = (1).to_bytes(4, "little")
    one_key = b"\x01\x00\x00\x00\x01k"           # a tuple of one entry named "k"
    payloads = {   # payload -> the check that must catch it
        id1 + one_key + bytes([fmt.TAG_LIST]) + b"\xff\xff\xff\xff": "a list count runs past",
        id1 + b"\xff\xff\xff\x7f": "a tuple count runs past",
        id1 + one_key + bytes([fmt.TAG_EXTENTS]) + b"\xff\xff\xff\x0f": "an extent count runs past",
        id1 + one_key + bytes([fmt.TAG_STR]) + b"\xff\xff\xff\xff": "a string runs past",
        id1 + one_key + bytes([fmt.TAG_REF]) + bytes(4): "a reference to tuple id 0",
        id1 + one_key + bytes([9]) + bytes(8): "unknown value tag",
        id1 + deep(8): "values nested deeper than 8",
        # Eight levels are fine: the record then fails later, as a root tuple without 'boot'.
        id1 + deep(7): "root tuple lacks a valid 'boot'",
    }
    for payload, what in payloads.items():
        img = bytearray(base)
        rec = gen.record(fmt.RECORD_TUPLE, payload)
        # Replace the first record; shift the rest of the log behind it.
        log = bytes(img[log_at + first_len:log_at + h.log_blocks * h.block_size])
        size = h.log_blocks * h.block_size
        img[log_at:log_at + size] = (rec + log).ljust(size, b"\0")[:size]
        path = tmp_path / "hostile.tfs"
        path.write_bytes(img)
        with pytest.raises(UserError):
            Image(path)
        result = c_dump(tfs_dump, path)
        assert result.returncode == 1 and result.stdout.startswith(f"tfs: corrupt image: {what}"), (what, result)


# ---- version 2 (volumes): commits, torn tails, two header slots, hard links -------------------

def _volume_cases(tmp_path: Path):
    """Volumes as a crash may leave them; yields (name, path). The first appends are committed."""
    from lib.tfs_volume import append, dir_tuple, make_volume, root_dir_id, tuple_record
    base = make_volume(tmp_path / "base.tfs")
    root, children = root_dir_id(base)
    yield "fresh", base
    linked = tmp_path / "linked.tfs"
    linked.write_bytes(base.read_bytes())
    append(linked, [tuple_record(root, dir_tuple({**children, "a2": children["a"]}))])
    yield "hard link", linked
    for name, kw in {
        "no commit": dict(commit=False),
        "wrong seq": dict(seq_delta=2),
        "torn record": dict(damage=lambda d: d[:20] + bytes([d[20] ^ 0xFF]) + d[21:]),
        "torn commit": dict(damage=lambda d: d[:-14] + bytes([d[-14] ^ 1]) + d[-13:]),
        "half written": dict(damage=lambda d: d[:len(d) // 2] + bytes(len(d) - len(d) // 2)),
    }.items():
        path = tmp_path / f"{name.replace(' ', '-')}.tfs"
        path.write_bytes(linked.read_bytes())
        append(path, [tuple_record(root, dir_tuple({"only": children["a"]}))], **kw)
        yield name, path
    dirs_twice = tmp_path / "dir-twice.tfs"
    dirs_twice.write_bytes(base.read_bytes())
    append(dirs_twice, [tuple_record(root, dir_tuple({**children, "d2": children["d"]}))])
    yield "a directory twice", dirs_twice
    slot_b = tmp_path / "slot-b.tfs"          # slot B newer, pointing at the same log
    img = bytearray(linked.read_bytes())
    h = fmt.Header.parse(bytes(img[:fmt.HEADER_SIZE]))
    from unibuild.tfs.writer import build_header
    b = build_header({k: v for k, v in h.items() if not k.startswith("_")} | {"generation": 5})
    img[fmt.HEADER_SLOT_B:fmt.HEADER_SLOT_B + fmt.HEADER_SIZE] = b
    img[0] ^= 0xFF                             # and slot A unreadable
    slot_b.write_bytes(bytes(img))
    yield "slot B", slot_b


def test_c_reader_reads_volumes_as_the_python_reader_does(tfs_dump, tmp_path):
    seen = {}
    for name, path in _volume_cases(tmp_path):
        try:
            expected = python_dump(path)
        except UserError:
            expected = None
        result = c_dump(tfs_dump, path)
        if expected is None:
            assert result.returncode == 1, f"{name}: C accepted what Python rejects: {result.stdout}"
        else:
            assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"
            assert result.stdout == expected, name
        seen[name] = expected
    # What each case must mean (so the two readers cannot agree on a wrong answer).
    assert "node /a file" in seen["fresh"] and "commit 1 " in seen["fresh"]
    assert re.search(r"node /a file \d+ 0644 0 0 0 6 2 ", seen["hard link"])
    for torn in ("no commit", "wrong seq", "torn record", "torn commit", "half written"):
        assert seen[torn] == seen["hard link"], torn        # the torn append is not there
    assert seen["a directory twice"] is None
    assert "generation 5" in seen["slot B"]
