"""The kernel's TFS reader (kernel/fs/tfs.c) and VFS (kernel/fs/vfs.c).

Oracles: unibuild's Python reader decides which images are valid and what they hold; the host's
own files give sizes, modes and CRC-32s; the host's Linux resolves the same paths (relative
symlinks, "..", trailing slashes, ELOOP after 40 links, ENAMETOOLONG) for the VFS lookup tests.

The fast tests run the same C reader on the host (tests/fuzz/tfs_dump, built with ASan/UBSan);
the boot tests attach an image to the real kernel under QEMU and read the `tfstest` lines.
"""

import dataclasses
import errno
import importlib.util
import io
import os
import random
import re
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from unibuild.errors import UserError
from unibuild.tfs import format as fmt
from unibuild.tfs.reader import Image
from unibuild.tfs.tree import Boot, Dir, File, Meta, Symlink
from unibuild.tfs.writer import write_image

ROOT = Path(__file__).resolve().parents[1]
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


def show(raw: bytes) -> str:
    """tfs_dump's and the kernel's escaping: printable ASCII but backslash as is, else \\xNN."""
    return "".join(chr(b) if 0x20 <= b < 0x7F and b != 0x5C else f"\\x{b:02x}" for b in raw)


def enc(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


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


# ---- the kernel under QEMU --------------------------------------------------------------------

@pytest.fixture(scope="session")
def kernel_image():
    from unibuild.kernel import build_platform_kernel
    return build_platform_kernel("virt", out=io.StringIO()).image


def boot_with_disk(kernel_image, disk: Path, *append: str):
    from unibuild.platform import load_platform
    from unibuild.qemu_cmdline import LaunchOptions, build_command, probe_host
    from unibuild.qemu_run import run_qemu
    options = LaunchOptions(accel="tcg", gic="3", timeout=120, append=("exit=0", *append))
    with tempfile.TemporaryDirectory(prefix="tfs-qmp-") as tmp:
        cmd = build_command(load_platform("virt"), kernel_image, options, probe_host(), Path(tmp) / "qmp.sock")
        argv = cmd.argv + ["-drive", f"file={disk},if=none,format=raw,id=tfs0,readonly=on",
                           "-device", "virtio-blk-pci,drive=tfs0,disable-legacy=on"]
        return run_qemu(dataclasses.replace(cmd, argv=argv))


def tfstest_lines(console: str) -> list[str]:
    lines = [l for l in console.splitlines() if l.startswith("tfstest: ")]
    assert lines and lines[-1] == "tfstest: done", console
    return lines[:-1]


def build(root: Path, out: Path, spec: list[str], block_size: int = 4096) -> Path:
    """An image of host tree `root` whose tfstest option lists `spec`, via the real image builder."""
    from unibuild.image import Manifest, Placement, build_image
    m = Manifest(program="/prog", files=[Placement(root / "prog", "/prog")], dirs=[Placement(root, "/")],
                 kernel_options={"tfstest": ":".join(spec)}, block_size=block_size)
    build_image(m, out)
    return out


def make_host_tree(root: Path) -> None:
    rng = random.Random(7)
    root.mkdir()
    (root / "prog").write_bytes(rng.randbytes(70_000))
    (root / "etc").mkdir()
    (root / "etc" / "hosts").write_bytes(b"127.0.0.1 localhost\n")
    (root / "etc" / "empty").write_bytes(b"")
    (root / "etc" / "secret").write_bytes(b"s")
    (root / "etc" / "secret").chmod(0o600)
    (root / "lib").mkdir()
    (root / "lib" / "big").write_bytes(rng.randbytes(300_000))
    (root / "lib" / "sparse").write_bytes(b"head" + bytes(3 * 8192) + b"tail" + bytes(5000))
    (root / "lib" / "sub").mkdir()
    (root / "lib" / "sub" / "deeper").mkdir()
    (root / "lib" / "sub" / "f").write_bytes(b"f")
    os.symlink("sub/f", root / "lib" / "flink")
    os.symlink("../etc", root / "lib" / "etclink")
    os.symlink("lib/sub", root / "sublink")
    os.symlink("dangling-target", root / "dangling")
    os.symlink("loop", root / "loop")
    os.symlink("hosts", root / "etc" / "hostlink")
    # A chain: chain/l0 -> l1 -> ... -> l40 -> ../etc/hosts (41 links from l0, 40 from l1).
    (root / "chain").mkdir()
    for i in range(41):
        os.symlink(f"l{i + 1}" if i < 40 else "../etc/hosts", root / "chain" / f"l{i}")
    (root / ("x" * 255)).write_bytes(b"long name")


def expected_listing(host: Path, label: str, image: Image, image_path: str, block_size: int) -> list[str]:
    """A directory listing as the kernel prints it: from the host's files (modes, sizes) and the
    rules for what a host cannot say (a directory's size is one block, as on ext4; nlink of the
    image tree; the standard directories every image gets, which the host tree lacks)."""
    node = image.lookup(image_path)
    entries = [(".", node), ("..", image.lookup(image_path.rstrip("/") + "/.."))]
    entries += [(n, image.nodes[node.children[n]]) for n in sorted(node.children, key=enc)]
    out = []
    for name, n in entries:
        hp = host / name if name not in (".", "..") else host.joinpath(name).resolve()
        kind = {"dir": "d", "file": "f", "symlink": "l"}[n.kind]
        if not hp.exists() and n.kind == "dir":   # /run, /tmp, /var: made by the image builder
            out.append(f"tfstest: {label}: d {0o040000 | n.mode:06o} {block_size} "
                       f"{2 + sum(image.nodes[c].kind == 'dir' for c in n.children.values())} {show(enc(name))}")
            continue
        st = os.lstat(hp)
        size = block_size if n.kind == "dir" else st.st_size
        nlink = 2 + sum(image.nodes[c].kind == "dir" for c in n.children.values()) if n.kind == "dir" else 1
        out.append(f"tfstest: {label}: {kind} {st.st_mode & 0o170000 | n.mode:06o} {size} {nlink} {show(enc(name))}")
    return out


@pytest.mark.boot
@pytest.mark.parametrize("block_size", [4096, 65536])
def test_kernel_lists_directories_and_checksums_files_like_the_host(kernel_image, tmp_path, block_size):
    host = tmp_path / "tree"
    make_host_tree(host)
    files = ["/prog", "/etc/hosts", "/etc/empty", "/lib/big", "/lib/sparse", "/lib/flink"]
    dirs = ["/", "/etc", "/lib", "/lib/sub"]
    img_path = build(host, tmp_path / "img.tfs", dirs + files, block_size)
    result = boot_with_disk(kernel_image, img_path)
    assert result.status == 0 and result.kind == "program", result.console
    lines = tfstest_lines(result.console)
    with Image(img_path) as img:
        for d in dirs:
            listing = [l for l in lines if re.match(rf"tfstest: {re.escape(d)}: [dfl] ", l)]
            assert listing == expected_listing(host / d.lstrip("/") if d != "/" else host, d, img, d, block_size)
        for f in files:
            data = (host / f.lstrip("/")).read_bytes()
            assert f"tfstest: {f}: file size {len(data)} crc32 {zlib.crc32(data):08x}" in lines
            node = img.lookup(f)
            blocks = sum(-(-e.length // block_size) for e in node.extents) * block_size // 512
            st = os.stat(host / f.lstrip("/"))
            assert (f"tfstest: {f}: ino {node.id} mode {st.st_mode:06o} uid 0 gid 0 nlink 1 "
                    f"blksize {block_size} blocks {blocks}") in lines
    assert any(re.fullmatch(rf"vfs: / on vda \(TFS 1\.0, {block_size}-byte blocks, \d+ nodes\), program /prog", l)
               for l in result.console.splitlines()), result.console


@pytest.mark.boot
def test_kernel_path_lookup_matches_linux(kernel_image, tmp_path):
    host = tmp_path / "tree"
    make_host_tree(host)
    long_name = "/" + "y" * 256
    long_path = "/" + "a/" * 2048
    paths = [
        "/lib/flink", "@/lib/flink", "/lib/etclink/hosts", "/lib/etclink/../lib/big", "/sublink/f",
        "/sublink/../etc", "/lib/./sub/../sub/f", "/etc/hosts/", "/etc/hosts/.", "/etc/hosts/x",
        "/etc/hostlink/", "/sublink/", "@/sublink/", "@/sublink", "/missing", "/missing/x", "/dangling",
        "@/dangling", "/loop", "@/loop", "/loop/x", "/chain/l1", "/chain/l0", "/" + "x" * 255, long_name,
        long_path, "/..", "/../etc/./hosts", "//etc//hosts", "/lib/sub/deeper/../../../etc",
    ]
    img_path = build(host, tmp_path / "img.tfs", paths)
    result = boot_with_disk(kernel_image, img_path)
    assert result.status == 0, result.console
    lines = tfstest_lines(result.console)
    # ".." at the image root stays there (as at a chroot's root); the host path must not escape.
    on_host = {"/..": "/", "/../etc/./hosts": "/etc/./hosts"}
    for spec in paths:
        path = spec.lstrip("@")
        follow = not spec.startswith("@") or path.endswith("/")   # a trailing slash always follows
        label = spec if len(spec) <= 200 else spec[:200] + "..."
        hp = str(host) + on_host.get(path, path)
        try:
            st = os.stat(hp) if follow else os.lstat(hp)
        except OSError as e:
            assert f"tfstest: {label}: error {e.errno}" in lines, (spec, errno.errorcode[e.errno])
            continue
        real = Path(os.path.realpath(hp)) if follow else Path(os.path.realpath(os.path.dirname(hp))) / os.path.basename(hp.rstrip("/"))
        canon = "/" + str(real.relative_to(host.resolve())).removeprefix(".")
        assert f"tfstest: {label}: at {canon.rstrip('/') or '/'}" in lines, (spec, canon)
        mode_line = [l for l in lines if l.startswith(f"tfstest: {label}: ino ")]
        assert mode_line and f" mode {st.st_mode:06o} " in mode_line[0], spec


@pytest.mark.boot
def test_corrupt_image_stops_the_kernel_with_a_kernel_error(kernel_image, tmp_path):
    host = tmp_path / "tree"
    make_host_tree(host)
    img_path = build(host, tmp_path / "img.tfs", ["/"])
    data = bytearray(img_path.read_bytes())
    h = fmt.Header.parse(bytes(data[:fmt.HEADER_SIZE]))
    data[h.log_start * h.block_size + 40] ^= 0x10          # inside the first record: CRC mismatch
    img_path.write_bytes(data)
    with pytest.raises(UserError) as python_error:
        Image(img_path)
    offset = int(re.search(r"at offset (0x[0-9a-f]+)", str(python_error.value)).group(1), 16)
    result = boot_with_disk(kernel_image, img_path)
    assert result.kind == "kernel-error" and result.status != 0, result.console
    assert f"panic: tfs: corrupt image: record checksum mismatch at offset {offset:#x}" in result.console
    assert "tfstest:" not in result.console


@pytest.mark.boot
def test_disk_that_is_not_an_image_is_a_kernel_error(kernel_image, tmp_path):
    disk = tmp_path / "zeros.img"
    disk.write_bytes(bytes(1 << 20))
    result = boot_with_disk(kernel_image, disk)
    assert result.kind == "kernel-error", result.console
    assert "panic: tfs: corrupt image: not a TFS image: no UNIBTFS magic at offset 0x0" in result.console
