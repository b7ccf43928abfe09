"""`unibuild build`, `ls`, `cat`, `dump`: thin wrappers over unibuild.pipeline and unibuild.tfs."""

import json
import stat
import sys
import tempfile
import time
from pathlib import Path
from uuid import UUID

import click

from ..config import load_config, merge_config
from ..errors import UserError
from ..disk.disk import FORMATS, write_disk
from ..image.built_for import built_for
from ..pipeline import ImageRequest, build
from ..platform import load_platform
from ..tfs.reader import Image, ImageNode
from .base import Command
from .options import (cross_compile_option, debug_option, env_from, image_content_options, platform_option,
                      static_ip_from, static_ip_options)

_KIND_BITS = {"dir": stat.S_IFDIR, "file": stat.S_IFREG, "symlink": stat.S_IFLNK}


def _parse_size(text: str) -> int:
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    num, unit = (t[:-1], t[-1]) if t and t[-1] in units else (t, "")
    if not num.isdigit():
        raise UserError(f"size {text!r} is not a number of bytes (suffixes K, M, G, T allowed)")
    return int(num) * units[unit]


@click.command("build", cls=Command, context_settings={"allow_interspersed_args": False})
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Image file to write.")
@image_content_options
@click.option("--kernel-debug", is_flag=True,
              help="Same as --kopt debug=1: the kernel's debug messages at run time (not a debug build).")
@click.option("--in-image", is_flag=True, help="PROGRAM is already an image path (e.g. from --dir).")
@click.option("--keep-owner", is_flag=True, help="Store host uid/gid instead of 0.")
@click.option("--uuid", "uuid_text", metavar="UUID", help="Filesystem UUID (default: derived from content).")
@click.option("--block-size", default=4096, show_default=True, type=int, help="Filesystem block size.")
@click.option("--size", "size_text", metavar="BYTES", help="Minimum image size (free space is sparse).")
@click.option("--writable", is_flag=True,
              help="A writable image (TFS 2.0): the program's changes persist; boot it with `unibuild boot IMAGE`.")
@static_ip_options
@platform_option
@cross_compile_option
@debug_option
@click.option("--kernel", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The kernel Image the image is for (default: the platform's, built if needed).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="tfs", show_default=True,
              help="tfs: the TFS image; disk: a GPT disk UEFI firmware boots (the kernel in an EFI system "
              "partition, the image in its own); qcow2: that disk as qcow2.")
@click.option("-c", "--config", "config", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="JSON file as for `run -c` (the image's keys are used; the command line wins).")
@click.argument("program", required=False)
@click.argument("args", nargs=-1)
@click.pass_context
def build_cmd(ctx, output, kernel_debug, in_image, keep_mtime, keep_owner, uuid_text, block_size, size_text,
              writable, platform, cross_compile, debug, kernel, fmt, config, **kwargs):
    """Write an image that runs PROGRAM (SRC[:DST], a host file) with ARGS."""
    if config is not None:
        from .run_cmds import run_command   # the boot's keys are checked by run's own parameters
        merge_config(ctx, kwargs, load_config(config), unused_params=run_command.params)
    program, args = kwargs.pop("program"), kwargs.pop("args")
    if program is None:
        raise UserError("missing PROGRAM: give it on the command line or as the config key program "
                        "(see 'unibuild build --help')")
    target_root, env, files, dirs = (kwargs.pop(k) for k in ("target_root", "env", "files", "dirs"))
    no_extras, workdir, kopt = (kwargs.pop(k) for k in ("no_extras", "workdir", "kopt"))
    with_programs = tuple(kwargs.pop("with_programs"))
    net = kwargs
    uuid = None
    if uuid_text:
        try:
            uuid = UUID(uuid_text)
        except ValueError:
            raise UserError(f"{uuid_text!r} is not a UUID") from None
    request = ImageRequest(
        program=program, args=tuple(args), with_programs=with_programs, env=env_from(env),
        files=tuple(files), dirs=tuple(dirs),
        kernel_options=(*kopt, "debug=1") if kernel_debug else tuple(kopt), target_root=target_root,
        extras=not no_extras, static_ip=static_ip_from(net), in_image=in_image, workdir=workdir,
        keep_mtime=keep_mtime, keep_owner=keep_owner, uuid=uuid, block_size=block_size,
        min_size=_parse_size(size_text) if size_text else (64 << 20 if writable else 0), writable=writable,
    )
    kernels: list[Path] = []

    def record() -> dict[str, str]:
        kernels.append(kernel if kernel is not None else platform_kernel(platform, cross_compile, debug))
        return built_for(platform, kernels[0]).as_tuple()

    if fmt == "tfs":
        stats = build(request, output, built_for=record)
        click.echo(f"{output}: {stats.image_size} bytes, {stats.files} files, "
                   f"{stats.data_bytes} data bytes, uuid {stats.uuid}")
        return
    with tempfile.TemporaryDirectory(prefix="unibuild-build-") as tmp:
        image = Path(tmp) / "image.tfs"
        stats = build(request, image, built_for=record)
        size = write_disk(output, image, kernels[0], fmt)
    click.echo(f"{output}: {fmt}, {size} bytes (TFS image {stats.image_size} bytes, {stats.files} files, "
               f"uuid {stats.uuid})")


def platform_kernel(platform: str, cross_compile: str | None, debug: bool) -> Path:
    """The platform's kernel, built if needed (make's lines go to stderr: stdout keeps only the
    summary line)."""
    from ..pipeline import kernel_image
    load_platform(platform)
    return kernel_image(platform, cross_compile=cross_compile, debug=debug, progress=sys.stderr)


def _show(text: str) -> str:
    """A name on one line of its own: host-undecodable bytes (kept by surrogateescape) and the
    bytes of every character that does not print (a newline, a tab, ESC, C1 controls) as \\xNN,
    and a backslash doubled, so each listed name reads back to exactly its bytes."""
    shown = []
    for ch in text:
        if ch == "\\":
            shown.append("\\\\")
        elif "\udc80" <= ch <= "\udcff" or not ch.isprintable():
            shown.extend(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogateescape"))
        else:
            shown.append(ch)
    return "".join(shown)


def _ls_line(img: Image, node: ImageNode, name: str) -> str:
    mode = stat.filemode(_KIND_BITS[node.kind] | node.mode)
    nlink = 2 + sum(img.nodes[c].kind == "dir" for c in node.children.values()) if node.kind == "dir" else node.nlink
    when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(node.mtime_ns // 10**9))
    line = f"{mode} {nlink:>2} {node.uid:>5} {node.gid:>5} {node.size:>10} {when} {_show(name)}"
    return line + (f" -> {_show(node.target)}" if node.kind == "symlink" else "")


@click.command("ls", cls=Command)
@click.argument("image", type=click.Path(path_type=Path))
@click.argument("path", default="/")
def ls_cmd(image, path):
    """List PATH inside IMAGE like `ls -l` (times in UTC)."""
    with Image(image) as img:
        node = img.lookup(path, follow=False)
        if node.kind == "symlink" and path.endswith("/"):
            node = img.lookup(path)
        if node.kind != "dir":
            click.echo(_ls_line(img, node, path))
            return
        for name in sorted(node.children, key=lambda n: n.encode("utf-8", "surrogateescape")):
            click.echo(_ls_line(img, img.nodes[node.children[name]], name))


@click.command("cat", cls=Command)
@click.argument("image", type=click.Path(path_type=Path))
@click.argument("path")
def cat_cmd(image, path):
    """Write the contents of file PATH inside IMAGE to standard output."""
    with Image(image) as img:
        node = img.lookup(path)
        if node.kind != "file":
            raise UserError(f"{path} is a directory in the image, not a file")
        out = click.get_binary_stream("stdout")
        for chunk in img.read(node):
            out.write(chunk)
        out.flush()


def dump_data(img: Image) -> dict:
    """Header, boot manifest and node tree as plain JSON-ready data."""
    h = img.header

    def tree(node: ImageNode, name: str) -> dict:
        d = {"name": name, "id": node.id, "type": node.kind, "mode": f"{node.mode:04o}",
             "uid": node.uid, "gid": node.gid, "mtime_ns": node.mtime_ns,
             "record_offset": node.record_offset}
        if node.kind == "file":
            d["size"] = node.size
            d["extents"] = [{"file_offset": e.file_offset, "block": e.block, "length": e.length}
                            for e in node.extents]
        elif node.kind == "symlink":
            d["target"] = node.target
        else:
            d["children"] = [tree(img.nodes[node.children[n]], n)
                             for n in sorted(node.children, key=lambda n: n.encode("utf-8", "surrogateescape"))]
        return d

    return {
        "header": {"version": f"{h.version[0]}.{h.version[1]}", "uuid": str(h.uuid),
                   "block_size": h.block_size, "image_size": h.image_size,
                   "log_start": h.log_start, "log_blocks": h.log_blocks, "root_id": h.root_id,
                   "log_end": img.log_end, "segments": [list(s) for s in img.segments],
                   **({"generation": h.generation, "last_commit": img.last_seq} if h.writable else {})},
        "boot": None if img.boot is None else {
            "program": img.boot.program, "argv": img.boot.argv, "env": img.boot.env,
            "kernel": img.boot.kernel,
            **({"built_for": img.boot.built_for} if img.boot.built_for is not None else {})},
        "tree": tree(img.root, "/"),
    }


@click.command("dump", cls=Command)
@click.argument("image", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def dump_cmd(image, as_json):
    """Show IMAGE's header, boot manifest and tuple tree."""
    with Image(image) as img:
        data = dump_data(img)
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for k, v in data["header"].items():
        click.echo(f"{k + ':':<12} {v}")
    b = data["boot"]
    if b is None:
        click.echo(f"{'boot:':<12} none (a volume)")
    else:
        click.echo(f"{'program:':<12} {_show(b['program'])}")
        click.echo(f"{'argv:':<12} {json.dumps(b['argv'])}")
        click.echo(f"{'env:':<12} {json.dumps(b['env'])}")
        click.echo(f"{'kernel:':<12} {json.dumps(b['kernel'])}")
    _print_tree(data["tree"], 0)


def _print_tree(d: dict, depth: int) -> None:
    info = f"#{d['id']} {d['type']} {d['mode']} {d['uid']}:{d['gid']} mtime={d['mtime_ns']}"
    if d["type"] == "file":
        ext = ", ".join(f"{e['file_offset']}+{e['length']}@{e['block']}" for e in d["extents"])
        info += f" size={d['size']} extents=[{ext}]"
    elif d["type"] == "symlink":
        info += f" -> {_show(d['target'])}"
    click.echo(f"{'  ' * depth}{_show(d['name'])}  {info}")
    for c in d.get("children", []):
        _print_tree(c, depth + 1)
