"""`unibuild kernel`: build the kernel for one platform."""

from __future__ import annotations

import click

from ..kernel import build_platform_kernel
from .base import Command
from .options import cross_compile_option, debug_option, platform_option


@click.command("kernel", cls=Command)
@platform_option
@cross_compile_option
@debug_option
@click.option("-v", "--verbose", is_flag=True, help="Show full compiler command lines (V=1).")
def kernel_command(platform, cross_compile, debug, verbose):
    """Build the kernel (incremental) and print the path of its Image."""
    build = build_platform_kernel(
        platform, cross_compile=cross_compile, debug=debug, verbose=verbose
    )
    click.echo(build.image)
