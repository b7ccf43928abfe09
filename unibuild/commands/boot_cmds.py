"""`unibuild boot [IMAGE]`: build the kernel if needed and boot it under QEMU, with an image that
`unibuild build` wrote as its disk (a writable one keeps the program's changes from boot to
boot), or without one; `--print-qemu` prints the QEMU command line instead of running it
(unibuild/launch/manual.py says what it leaves out)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from ..errors import UserError
from ..image.built_for import BuiltFor, check_kernel, from_tuple
from ..launch import boot
from ..launch.manual import manual_command
from ..pipeline import kernel_image
from ..platform import load_platform
from ..tfs.reader import Image
from .base import Command
from .options import (cross_compile_option, debug_option, launch_options, launch_options_from,
                      platform_option, print_qemu_option, warn)


def check_image(path: Path) -> tuple[bool, BuiltFor | None]:
    """One line, before any kernel build, when `path` is not a bootable TFS image; else whether
    it is writable (TFS 2.0: attached read-write, its changes persist) and the kernel it was
    built for."""
    if not path.is_file():
        raise UserError(f"image {path} not found; write one with `unibuild build -o {path} PROGRAM`")
    with Image(path) as img:
        if img.boot is None and img.header.writable:
            raise UserError(f"{path} is a volume, not a program image; mount it with run -v")
        if img.boot is None:
            raise UserError(f"{path} has no boot configuration (not written by `unibuild build`)")
        return img.header.writable, from_tuple(img.boot.built_for)


@click.command("boot", cls=Command)
@click.option("--kernel", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Boot this Image instead of building the platform's kernel.")
@platform_option
@cross_compile_option
@debug_option
@launch_options
@print_qemu_option
@click.argument("image", required=False, type=click.Path(path_type=Path, dir_okay=False))
def boot_command(kernel, platform, cross_compile, debug, print_qemu, image, **kwargs):
    """Boot the kernel under QEMU (with IMAGE, from `unibuild build`, as its disk) and exit with
    the status the guest reports."""
    options = launch_options_from(kwargs)
    recorded = None
    if image is not None:
        writable, recorded = check_image(image)
        options = replace(options, disk=image, disk_writable=writable)
        explicit = click.get_current_context().get_parameter_source("platform")
        if recorded is not None and explicit == click.core.ParameterSource.DEFAULT:
            platform = recorded.platform
    profile = load_platform(platform)
    if kernel is None:
        # make's progress goes to stderr so stdout carries only the guest's console.
        kernel = kernel_image(platform, cross_compile=cross_compile, debug=debug, progress=sys.stderr)
    if image is not None:
        check_kernel(image, recorded, platform, kernel)
    if print_qemu:
        click.echo(manual_command(profile, kernel, options), nl=False)
        return
    result = boot(profile, kernel, options, echo=sys.stdout, warn=warn)
    if result.error:
        click.echo(f"unibuild: {result.error}", err=True)
    click.get_current_context().exit(result.status)
