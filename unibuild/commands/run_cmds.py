"""`unibuild run`: resolve PROGRAM's dependencies, write an image, boot it, exit with its status."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..config import load_config, merge_config
from ..pipeline import ImageRequest, run
from .print_qemu import print_run_command
from .base import Command
from .options import (cross_compile_option, debug_option, env_from, image_content_options,
                      launch_options, launch_options_from, platform_option, print_qemu_option,
                      static_ip_from, static_ip_options, warn)


@click.command("run", cls=Command, context_settings={"allow_interspersed_args": False})
@image_content_options
@click.option("-c", "--config", "config", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="JSON file with the same settings (the command line wins).")
@platform_option
@cross_compile_option
@debug_option
@launch_options
@static_ip_options
@print_qemu_option
@click.argument("program")
@click.argument("args", nargs=-1)
@click.pass_context
def run_command(ctx, program, args, config, platform, cross_compile, debug, print_qemu, **kwargs):
    """Build an image for PROGRAM, boot it, and exit with its exit status."""
    if config is not None:
        merge_config(ctx, kwargs, load_config(config))
    static_ip = static_ip_from(kwargs)
    request = ImageRequest(
        program=program, args=tuple(args), env=env_from(kwargs.pop("env")),
        files=tuple(kwargs.pop("files")), dirs=tuple(kwargs.pop("dirs")),
        kernel_options=tuple(kwargs.pop("kopt")), target_root=kwargs.pop("target_root"),
        extras=not kwargs.pop("no_extras"), static_ip=static_ip, workdir=kwargs.pop("workdir"),
    )
    options = launch_options_from(kwargs, static_ip)
    if print_qemu:
        print_run_command(request, options, platform=platform, cross_compile=cross_compile, debug=debug)
        return
    result = run(request, options, platform=platform, cross_compile=cross_compile, debug=debug,
                 echo=sys.stdout, echo_err=sys.stderr, warn=warn, failure_log=sys.stderr)
    if result.error:
        click.echo(f"unibuild: {result.error}", err=True)
    sys.exit(result.status)
