"""`unibuild boot [IMAGE]`: build the kernel if needed and boot it under QEMU, with an image that
already exists (a writable one keeps the program's changes from boot to boot), or without one."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dataclasses import replace

from ..errors import UserError
from ..launch import boot
from ..tfs.reader import Image
from ..pipeline import kernel_image
from ..platform import load_platform
from .base import Command
from .options import (cross_compile_option, debug_option, launch_options, launch_options_from,
                      platform_option, warn)


@click.command("boot", cls=Command)
@click.option("--kernel", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Boot this Image instead of building the platform's kernel.")
@platform_option
@cross_compile_option
@debug_option
@launch_options
@click.argument("image", required=False, type=click.Path(path_type=Path, dir_okay=False))
def boot_command(kernel, platform, cross_compile, debug, image, **kwargs):
    """Boot the kernel under QEMU (with IMAGE, from `unibuild build`, as its disk) and exit with
    the status the guest reports."""
    options = launch_options_from(kwargs)
    if image is not None:
        with Image(image) as img:
            if img.boot is None:
                raise UserError(f"{image} is a volume, not a program image; mount it with run -v")
            options = replace(options, disk=image, disk_writable=img.header.writable)
    profile = load_platform(platform)
    if kernel is None:
        # make's progress goes to stderr so stdout carries only the guest's console.
        kernel = kernel_image(platform, cross_compile=cross_compile, debug=debug, progress=sys.stderr)
    result = boot(profile, kernel, options, echo=sys.stdout, warn=warn)
    if result.error:
        click.echo(f"unibuild: {result.error}", err=True)
    click.get_current_context().exit(result.status)
