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
from unibuild.tfs.reader import Image
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
        lines = [f"block_size {bs}", f"program {show(enc(img.boot.program))}"]
        lines += [f"argv {show(enc(a))}" for a in img.boot.argv]
        lines += [f"env {show(enc(e))}" for e in img.boot.env]
        for k, v in img.boot.kernel.items():
            lines.append(f"kernel {show(enc(k))} " + (str(v) if isinstance(v, int) else f"'{show(enc(v))}'"))
        queue = [(img.root, "/")]
        for node, p in queue:
            for name in sorted(node.children, key=enc):
                queue.append((img.nodes[node.children[name]], ("" if p == "/" else p) + "/" + show(enc(name))))
        for node, p in queue:
            nlink = 2 + sum(img.nodes[c].kind == "dir" for c in node.children.values()) if node.kind == "dir" else 1
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
