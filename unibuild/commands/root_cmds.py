"""`unibuild target-root create` and `unibuild ldd`: the arm64 root and what a program loads from it."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .. import targetroot
from ..resolve import resolve
from .base import Command, Group
from .options import env_from, env_option, target_root_option
from .progress import DownloadBar, on_terminal


@click.group("target-root", cls=Group)
def target_root_group():
    """Manage the arm64 Debian root that programs' libraries come from."""


def _progress(line: str) -> None:
    """Progress goes to stderr, so `R=$(unibuild target-root create)` captures only the path."""
    click.echo(line, err=True)


def _create(root: Path, packages: tuple[str, ...]) -> Path:
    """targetroot.create with its step lines on stderr and, on a terminal, apt's download as a
    progress bar (apt's status lines); each step's time is on its line."""
    started = time.monotonic()
    bar = None

    def download(percent: float, what: str) -> None:
        nonlocal bar
        if bar is None:
            bar = DownloadBar("  APT     downloading")
        bar(percent, what)

    def step(line: str) -> None:
        _progress(line)

    try:
        made = targetroot.create(root, packages, progress=step,
                                 download_status=download if on_terminal() else None)
    finally:
        if bar is not None:
            bar.close()
    if on_terminal():
        _progress(f"  ROOT    ready in {time.monotonic() - started:.1f} s")
    return made


@target_root_group.command("create", cls=Command)
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--package", "packages", multiple=True, metavar="PKG",
              help="Another Debian arm64 package to unpack (repeatable); its Depends come along. "
              "Packages added before stay.")
def create_command(directory, packages):
    """Download Debian bookworm arm64 packages and unpack them into DIRECTORY
    (default $NANOS_TARGET_ROOT, else build/target-root); cached, rebuilt only when the
    package set grows. Prints the root's path (progress goes to stderr)."""
    click.echo(_create(targetroot.chosen_root(directory), tuple(packages)))


@target_root_group.command("add", cls=Command)
@target_root_option
@click.argument("packages", nargs=-1, required=True)
def add_command(target_root, packages):
    """Add Debian arm64 PACKAGES (and their Depends) to the target root; same as
    `create --package`, for the root --target-root, $NANOS_TARGET_ROOT or build/target-root."""
    click.echo(_create(targetroot.chosen_root(target_root), tuple(packages)))


@target_root_group.command("ls", cls=Command)
@target_root_option
def ls_command(target_root):
    """List the target root's packages (NAME VERSION), those asked for by name marked with *."""
    root = targetroot.chosen_root(target_root)
    requested = set(targetroot.requested_packages(root))
    for name, version in targetroot.installed_packages(root):
        click.echo(f"{name} {version}{' *' if name.split(':')[0] in requested else ''}")


@click.command("ldd", cls=Command)
@target_root_option
@env_option
@click.option("--extras/--no-extras", default=False,
              help="Also list what glibc loads without DT_NEEDED (NSS modules).")
@click.option("--with", "with_programs", multiple=True, metavar="PATH",
              help="Another program the image would hold (as run --with); listed after PROGRAM.")
@click.argument("program")
def ldd_command(target_root, env, extras, with_programs, program):
    """List the objects PROGRAM loads in the guest, as its ld.so will find them:
    one `NAME => /path/inside/root` line each, the interpreter last. PROGRAM is an aarch64
    ELF on the host or a path inside the root, or a `#!` script (its interpreter is listed).
    With --with or a script, each program gets a `PATH:` line, as ldd does for several files;
    a program an exec would not find is `PATH => not found` (and the exit status is 1)."""
    root = targetroot.find_root(target_root)
    variables = env_from(env)
    from ..image.programs import provided_by
    from ..image.script import script_chain
    provided = provided_by(with_programs, root)
    chain, missing_interp = script_chain(program, root, provided)
    missing = False
    several = bool(with_programs) or len(chain) > 1
    for path in [*chain, *with_programs]:
        if several:
            click.echo(f"{path}:")
        if path in chain[:-1]:
            click.echo(f"\tscript for {chain[chain.index(path) + 1]}")
            continue
        if path == chain[-1] and missing_interp:
            click.echo(f"\t{path} => not found (add it with --with PATH or its package)")
            missing = True
            continue
        if path != program and path not in with_programs and path in provided:
            click.echo(f"\t=> {provided[path]}")
            continue
        result = resolve(root, path, ld_library_path=variables.get("LD_LIBRARY_PATH"), extras=extras)
        if result.interpreter is None:
            click.echo("\tstatically linked")
            continue
        for line in result.ldd_lines():
            click.echo(f"\t{line}")
    if missing:
        sys.exit(1)
