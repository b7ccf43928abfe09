"""`unibuild boot`: build the kernel if needed and boot it under QEMU (no program image)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..launch import boot
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
def boot_command(kernel, platform, cross_compile, debug, **kwargs):
    """Boot the kernel under QEMU and exit with the status the guest reports."""
    options = launch_options_from(kwargs)
    profile = load_platform(platform)
    if kernel is None:
        # make's progress goes to stderr so stdout carries only the guest's console.
        kernel = kernel_image(platform, cross_compile=cross_compile, debug=debug, progress=sys.stderr)
    result = boot(profile, kernel, options, echo=sys.stdout, warn=warn)
    if result.error:
        click.echo(f"unibuild: {result.error}", err=True)
    click.get_current_context().exit(result.status)
