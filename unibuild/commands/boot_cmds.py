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
from ..disk.inspect import BootImage, inspect_image
from ..image.built_for import check_kernel, kernel_digest
from ..launch.firmware import firmware_path
from ..launch import boot
from ..launch.manual import manual_command
from ..pipeline import kernel_image
from ..platform import load_platform
from .base import Command
from .options import (cross_compile_option, debug_option, launch_options, launch_options_from,
                      platform_option, print_qemu_option, warn)


def check_disk_kernel(disk: Path, found: BootImage, platform: str, kernel: Path | None) -> None:
    """One line when the disk's own kernel is not the one its image was built for, or --kernel
    names another (firmware boots the disk's, nothing else)."""
    rec = found.built_for
    if rec is not None and rec.platform != platform:
        raise UserError(f"{disk} was built for platform {rec.platform}, not {platform}")
    if rec is not None and rec.kernel != found.kernel_digest:
        raise UserError(f"{disk}: its EFI system partition's kernel {found.kernel_digest[:19]} is not "
                        f"the kernel {rec.kernel[:19]} its image was built for")
    if kernel is not None and kernel_digest(kernel) != found.kernel_digest:
        raise UserError(f"{disk} boots the kernel in its EFI system partition ({found.kernel_digest[:19]}), "
                        f"not {kernel}; rebuild the disk with `unibuild build --format disk --kernel {kernel}`")


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
    found = None
    if image is not None:
        found = inspect_image(image)
        options = replace(options, disk=image, disk_writable=found.writable, disk_format=found.disk_format,
                          firmware=found.firmware)
        explicit = click.get_current_context().get_parameter_source("platform")
        if found.built_for is not None and explicit == click.core.ParameterSource.DEFAULT:
            platform = found.built_for.platform
    profile = load_platform(platform)
    if found is not None and found.firmware:
        # A disk boots the kernel in its EFI system partition: that one must be the image's.
        check_disk_kernel(image, found, platform, kernel)
        kernel = firmware_path()
    else:
        if kernel is None:
            # make's progress goes to stderr so stdout carries only the guest's console.
            kernel = kernel_image(platform, cross_compile=cross_compile, debug=debug, progress=sys.stderr)
        if found is not None:
            check_kernel(image, found.built_for, platform, kernel)
    if print_qemu:
        click.echo(manual_command(profile, kernel, options), nl=False)
        return
    result = boot(profile, kernel, options, echo=sys.stdout, warn=warn)
    if result.error:
        click.echo(f"unibuild: {result.error}", err=True)
    click.get_current_context().exit(result.status)
