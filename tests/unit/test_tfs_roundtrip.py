"""Random host trees -> image -> Python reader: the host filesystem is the oracle."""

import os
import random
import stat
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unibuild.image import Manifest, Placement, build_image
from unibuild.tfs.reader import Image

BS = 4096
SIZES = st.sampled_from([0, 1, 100, BS - 1, BS, BS + 1, 2 * BS, 65536]) | st.integers(0, 20000)
# A file is a list of (zero?, length) runs; an occasional multi-MiB run exercises chunking.
RUNS = st.lists(st.tuples(st.booleans(), SIZES | st.just(3 << 20 | 123)), max_size=4)
NAMES = st.text(st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)),
                min_size=1, max_size=12).filter(lambda n: n not in (".", "..")
                                                and len(n.encode()) <= 255)
FILES = st.tuples(st.just("file"), RUNS, st.sampled_from([0o644, 0o755, 0o600, 0o4755, 0o444]),
                  st.integers(0, 2**32 - 1), st.booleans())
SYMLINKS = st.tuples(st.just("symlink"), st.text(st.characters(blacklist_characters="\0",
                                                                blacklist_categories=("Cs",)),
                                                  min_size=1, max_size=40))
TREES = st.recursive(
    FILES | SYMLINKS,
    lambda kids: st.tuples(st.just("dir"), st.dictionaries(NAMES, kids, max_size=4),
                           st.sampled_from([0o755, 0o700, 0o555, 0o1777])),
    max_leaves=10,
)
ROOTS = st.dictionaries(NAMES, TREES, max_size=5)


def materialize(spec: dict, where: Path, reverse: bool = False) -> None:
    """Create the tree on the host; `reverse` changes creation order (and so readdir order)."""
    where.mkdir(exist_ok=True)
    for name in sorted(spec, reverse=reverse):
        kind, *rest = spec[name]
        path = where / name
        if kind == "file":
            runs, mode, seed, sparse_input = rest
            rng = random.Random(seed)
            with open(path, "wb") as f:
                for zero, n in runs:
                    if zero and sparse_input:
                        f.seek(n, os.SEEK_CUR)   # a host hole
                    else:
                        f.write(bytes(n) if zero else rng.randbytes(n))
                f.truncate()
            os.chmod(path, mode)
        elif kind == "symlink":
            os.symlink(rest[0], path)
        else:
            children, mode = rest
            materialize(children, path, reverse)
            os.chmod(path, mode)


def host_model(path: Path):
    st_ = os.lstat(path)
    if stat.S_ISLNK(st_.st_mode):
        return ("symlink", os.readlink(path))
    mode = stat.S_IMODE(st_.st_mode)
    if stat.S_ISDIR(st_.st_mode):
        return ("dir", mode, {e.name: host_model(Path(e.path)) for e in os.scandir(path)})
    return ("file", mode, path.read_bytes())


def image_model(img: Image, node):
    if node.kind == "symlink":
        return ("symlink", node.target)
    if node.kind == "dir":
        return ("dir", node.mode, {n: image_model(img, img.nodes[i]) for n, i in node.children.items()})
    return ("file", node.mode, img.read_bytes(node))


def nonzero_block_bytes(data: bytes) -> int:
    """Bytes a sparse writer must store: those in blocks that are not all zero."""
    return sum(len(data[i:i + BS]) for i in range(0, len(data), BS) if any(data[i:i + BS]))


def build(tree_dir: Path, out: Path, **kw) -> None:
    prog = tree_dir.parent / "prog"
    prog.write_bytes(b"\x7fELF program stand-in")
    build_image(Manifest(program="/prog", files=[Placement(prog, "/prog")],
                         dirs=[Placement(tree_dir, "/t")], **kw), out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROOTS)
def test_random_trees_read_back_identical_to_the_host_tree(spec):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        materialize(spec, tmp / "tree")
        build(tmp / "tree", tmp / "img")
        with Image(tmp / "img") as img:
            t = img.lookup("/t", follow=False)
            assert image_model(img, t)[2] == host_model(tmp / "tree")[2]
            for node in img.nodes.values():
                assert (node.uid, node.gid, node.mtime_ns) == (0, 0, 0)
                if node.kind == "file":
                    data = img.read_bytes(node)
                    assert sum(e.length for e in node.extents) == nonzero_block_bytes(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROOTS)
def test_same_tree_created_in_another_order_gives_byte_identical_images(spec):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "a").mkdir()
        (tmp / "b").mkdir()
        materialize(spec, tmp / "a" / "tree")
        materialize(spec, tmp / "b" / "tree", reverse=True)
        os.utime(tmp / "b" / "tree", ns=(1, 123456789))
        build(tmp / "a" / "tree", tmp / "a.img")
        build(tmp / "b" / "tree", tmp / "b.img")
        assert (tmp / "a.img").read_bytes() == (tmp / "b.img").read_bytes()


def test_holes_take_no_space_in_the_image_file(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    with open(tree / "big", "wb") as f:
        f.write(b"head")
        f.seek(64 << 20)
        f.write(b"tail")
    build(tree, tmp_path / "img", min_size=256 << 20)
    st_ = os.stat(tmp_path / "img")
    assert st_.st_size == 256 << 20
    assert st_.st_blocks * 512 < 1 << 20      # 64 MiB hole + 190 MiB of free space not allocated
    with Image(tmp_path / "img") as img:
        node = img.lookup("/t/big")
        assert [e.length for e in node.extents] == [BS, 4]   # one block of head, 4 bytes of tail
        data = img.read_bytes(node)
        assert data == (tree / "big").read_bytes()


def test_mtime_and_owner_are_kept_when_asked(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "f").write_bytes(b"x")
    os.utime(tree / "f", ns=(0, 1_234_567_891_011))
    os.chown(tree / "f", 1234, 5678)
    build(tree, tmp_path / "img", keep_mtime=True, keep_owner=True)
    with Image(tmp_path / "img") as img:
        node = img.lookup("/t/f")
        assert (node.mtime_ns, node.uid, node.gid) == (1_234_567_891_011, 1234, 5678)


def test_given_uuid_and_block_size_are_stored_in_the_header(tmp_path):
    import uuid
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "f").write_bytes(os.urandom(3 * 16384 + 5))
    u = uuid.UUID("12345678-1234-5678-1234-567812345678")
    build(tree, tmp_path / "img", uuid=u, block_size=16384)
    with Image(tmp_path / "img") as img:
        assert img.header.uuid == u and img.header.block_size == 16384
        assert img.read_bytes(img.lookup("/t/f")) == (tree / "f").read_bytes()
        assert all(e.file_offset % 16384 == 0 for e in img.lookup("/t/f").extents)


def test_content_derived_uuid_changes_when_a_file_changes(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "f").write_bytes(b"one")
    build(tree, tmp_path / "a")
    (tree / "f").write_bytes(b"two")
    build(tree, tmp_path / "b")
    with Image(tmp_path / "a") as a, Image(tmp_path / "b") as b:
        assert a.header.uuid != b.header.uuid


def test_symlinks_resolve_inside_the_image_not_on_the_host(tmp_path):
    tree = tmp_path / "tree"
    (tree / "lib").mkdir(parents=True)
    (tree / "lib" / "real.so").write_bytes(b"inside")
    os.symlink("real.so", tree / "lib" / "link.so")
    os.symlink("/t/lib", tree / "abs")
    os.symlink("/etc/hostname", tree / "host")   # exists on the host, not in the image
    build(tree, tmp_path / "img")
    with Image(tmp_path / "img") as img:
        assert img.read_bytes(img.lookup("/t/abs/link.so")) == b"inside"
        assert img.read_bytes(img.lookup("/t/lib/../lib/link.so")) == b"inside"
        assert img.lookup("/t/abs", follow=False).target == "/t/lib"
        import pytest
        from unibuild.errors import UserError
        with pytest.raises(UserError, match="no such file"):
            img.lookup("/t/host")


def test_host_names_that_are_not_utf8_round_trip(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    raw = b"caf\xe9-latin1"
    with open(os.path.join(os.fsencode(tree), raw), "wb") as f:
        f.write(b"x")
    build(tree, tmp_path / "img")
    with Image(tmp_path / "img") as img:
        names = list(img.lookup("/t").children)
        assert [os.fsencode(n) for n in names] == [raw]
        assert img.read_bytes(img.lookup("/t/" + names[0])) == b"x"


def test_writer_streams_a_large_file_through_a_small_buffer(tmp_path):
    import tracemalloc
    tree = tmp_path / "tree"
    tree.mkdir()
    with open(tree / "large", "wb") as f:     # 512 MiB apparent, data every 64 MiB
        for i in range(8):
            f.seek(i * (64 << 20))
            f.write(os.urandom(4096))
        f.truncate(512 << 20)
    tracemalloc.start()
    build(tree, tmp_path / "img")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 << 20, peak
    with Image(tmp_path / "img") as img:
        node = img.lookup("/t/large")
        assert node.size == 512 << 20 and len(node.extents) == 8


def test_keep_mtime_gives_a_files_new_parents_their_source_directories_mtimes(tmp_path):
    root = tmp_path / "root"
    (root / "usr" / "lib").mkdir(parents=True)
    (root / "usr" / "lib" / "libx.so").write_bytes(b"x")
    os.utime(root / "usr" / "lib", ns=(0, 7_000_000_001))
    os.utime(root / "usr", ns=(0, 8_000_000_002))
    placement = Placement(root / "usr" / "lib" / "libx.so", "/usr/lib/libx.so")
    other = tmp_path / "prog"
    other.write_bytes(b"p")
    for keep, want in ((True, (7_000_000_001, 8_000_000_002)), (False, (0, 0))):
        m = Manifest(program="/opt/prog", keep_mtime=keep)
        m.files = [placement, Placement(other, "/opt/prog")]
        build_image(m, tmp_path / "img")
        with Image(tmp_path / "img") as img:
            got = (img.lookup("/usr/lib").mtime_ns, img.lookup("/usr").mtime_ns)
            assert got == want
            assert img.lookup("/opt").mtime_ns == 0   # "opt" is not the source's directory name
