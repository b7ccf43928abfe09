"""`unibuild run --print-qemu`: the image and kernel `run` would boot, kept, and the QEMU command
line that boots them by hand."""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from ..image.built_for import built_for
from ..launch import LaunchOptions
from ..launch.manual import manual_command
from ..pipeline import ImageRequest, build, kernel_image
from ..platform import load_platform


def print_run_command(request: ImageRequest, options: LaunchOptions, *, platform: str,
                      cross_compile: str | None, debug: bool) -> None:
    """`run` deletes its image when the guest is done; this one is written to a directory of its
    own that stays (its path is in the printed comment), so the printed line keeps working."""
    profile = load_platform(platform)
    if request.static_ip is not None and options.net is not None and options.net.static_ip is None:
        options = replace(options, net=replace(options.net, static_ip=request.static_ip))
    image = Path(tempfile.mkdtemp(prefix="unibuild-printed-")) / "image.tfs"
    kernels: list[Path] = []

    def record() -> dict[str, str]:
        kernels.append(kernel_image(platform, cross_compile=cross_compile, debug=debug, progress=sys.stderr))
        return built_for(platform, kernels[0]).as_tuple()

    build(request, image, built_for=record)   # recorded, so `boot IMAGE` later checks its kernel
    kernel = kernels[0]
    click.echo(f"# The image: {image} (kept; `unibuild boot {image}` boots it too; remove it when done).")
    click.echo(manual_command(profile, kernel, replace(options, disk=image)), nl=False)
