"""The kernel's TFS reader (kernel/fs/tfs.c) and VFS (kernel/fs/vfs.c) in the real kernel: an
image attached under QEMU, read through the kernel's `tfstest` option.

Oracles: unibuild's Python reader decides which images are valid and what they hold; the host's
own files give sizes, modes and CRC-32s; the host's Linux resolves the same paths (relative
symlinks, "..", trailing slashes, ELOOP after 40 links, ENAMETOOLONG) for the VFS lookup tests.
"""

import dataclasses
import errno
import os
import random
import re
import tempfile
import zlib
from pathlib import Path

import pytest

from lib.tfs_text import enc, show
from unibuild.errors import UserError
from unibuild.tfs import format as fmt
from unibuild.tfs.reader import Image


def boot_with_disk(kernel_image, disk: Path, *append: str):
    from unibuild.platform import load_platform
    from unibuild.host import probe_host
    from unibuild.launch import LaunchOptions, build_command, run_qemu
    options = LaunchOptions(accel="tcg", gic="3", timeout=120, append=("exit=0", *append))
    with tempfile.TemporaryDirectory(prefix="tfs-qmp-") as tmp:
        cmd = build_command(load_platform("virt"), kernel_image, options, probe_host(), Path(tmp) / "qmp.sock")
        # On virtio-mmio, where the launcher puts a TCG boot's disk: the command it built has no
        # PCI device, so it told the kernel pci=off.
        argv = cmd.argv + ["-drive", f"file={disk},if=none,format=raw,id=tfs0,readonly=on",
                           "-global", "virtio-mmio.force-legacy=false", "-device", "virtio-blk-device,drive=tfs0"]
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
    # The kernel's own trees (kfile_publish) join the root when the image lacks them, with
    # Linux's modes (/dev 0755, /proc and /sys 0555; dev holds pts/ and shm/; proc holds sys/
    # and sysvipc/ before the first process exists, when tfstest runs; sys has devices/), after the
    # image's names, and count in the root's link count.
    root = image.lookup("/")
    root_extra = [(name, mode, nlink) for name, mode, nlink in
                  (("dev", 0o755, 4), ("proc", 0o555, 4), ("sys", 0o555, 3)) if name not in root.children]
    kernel_dirs = root_extra if image_path == "/" else []
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
        if n is root:
            nlink += len(root_extra)
        out.append(f"tfstest: {label}: {kind} {st.st_mode & 0o170000 | n.mode:06o} {size} {nlink} {show(enc(name))}")
    for name, mode, nlink in kernel_dirs:
        out.append(f"tfstest: {label}: d {0o040000 | mode:06o} {block_size} {nlink} {name}")
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
    assert result.status == 0 and result.kind == "boot", result.console
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
