"""`unibuild volume create|ls|check`: writable TFS volumes for `run -v VOLUME:/PATH`."""

from __future__ import annotations

from pathlib import Path

import click

from ..tfs.volume import DEFAULT_SIZE, SUFFIX, check_volume, create_volume, parse_size, volumes_dir
from .base import Command, Group


@click.group("volume", cls=Group)
def volume_group():
    """Create, list and check volumes: persistent disks a guest mounts with run -v."""


@volume_group.command("create", cls=Command)
@click.argument("volume")
@click.option("--size", default=None, metavar="SIZE",
              help="Capacity, e.g. 64M or 1G (default 64M); the file is sparse.")
@click.option("--from", "from_dir", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              metavar="DIR", help="Start with DIR's files, directories and symlinks (modes and mtimes kept).")
def create_cmd(volume, size, from_dir):
    """Create VOLUME: a NAME (kept in $UNIBUILD_VOLUMES, default ~/.local/share/unibuild/volumes)
    or a FILE path."""
    path = create_volume(volume, parse_size(size) if size else DEFAULT_SIZE, from_dir)
    click.echo(str(path))


@volume_group.command("ls", cls=Command)
def ls_cmd():
    """List the named volumes: name, size, used space, path."""
    d = volumes_dir()
    paths = sorted(d.glob(f"*{SUFFIX}")) if d.is_dir() else []
    for p in paths:
        try:
            r = check_volume(p)
            used = f"{r.used_blocks * r.block_size >> 20}M used"
        except Exception as e:   # noqa: BLE001 - a damaged volume is listed, not fatal to ls
            used = f"unreadable: {str(e).splitlines()[0]}"
        click.echo(f"{p.name[:-len(SUFFIX)]:<20} {p.stat().st_size >> 20:>6}M  {used:<12} {p}")


@volume_group.command("check", cls=Command)
@click.argument("volume")
def check_cmd(volume):
    """Check VOLUME's header, log and tree; exit 1 if it is corrupt."""
    from ..errors import UserError
    from ..tfs.volume import volume_path
    try:
        r = check_volume(volume_path(volume))
    except UserError as e:
        raise UserError(str(e), exit_code=1) from None
    click.echo(f"{r.path}: TFS {r.version}, {r.size >> 20} MiB, {r.files} files, {r.dirs} directories, "
               f"{r.used_blocks} blocks used, {r.free_blocks} free, log {r.log_bytes} bytes, commit {r.last_commit}")
    if r.tail:
        click.echo(f"{r.path}: an unfinished write after the last commit is ignored: {r.tail}")
    click.echo("ok")
