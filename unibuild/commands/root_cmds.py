"""`unibuild target-root create` and `unibuild ldd`: the arm64 root and what a program loads from it."""

from __future__ import annotations

from pathlib import Path

import click

from .. import targetroot
from ..resolve import resolve
from .base import Command, Group
from .options import env_from, env_option, target_root_option


@click.group("target-root", cls=Group)
def target_root_group():
    """Manage the arm64 Debian root that programs' libraries come from."""


@target_root_group.command("create", cls=Command)
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--package", "packages", multiple=True, metavar="PKG",
              help="Another Debian arm64 package to unpack (repeatable); its Depends come along.")
def create_command(directory, packages):
    """Download Debian bookworm arm64 packages and unpack them into DIRECTORY
    (default build/target-root); cached, rebuilt only when the package set changes."""
    root = targetroot.create(directory or targetroot.DEFAULT_ROOT, tuple(packages), progress=click.echo)
    click.echo(root)


@click.command("ldd", cls=Command)
@target_root_option
@env_option
@click.option("--extras/--no-extras", default=False,
              help="Also list what glibc loads without DT_NEEDED (NSS modules).")
@click.argument("program")
def ldd_command(target_root, env, extras, program):
    """List the objects PROGRAM loads in the guest, as its ld.so will find them:
    one `NAME => /path/inside/root` line each, the interpreter last. PROGRAM is an aarch64
    ELF on the host or a path inside the root."""
    root = targetroot.find_root(target_root)
    variables = env_from(env)
    result = resolve(root, program, ld_library_path=variables.get("LD_LIBRARY_PATH"), extras=extras)
    if result.interpreter is None:
        click.echo("\tstatically linked")
        return
    for line in result.ldd_lines():
        click.echo(f"\t{line}")
