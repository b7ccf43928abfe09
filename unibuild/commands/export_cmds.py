"""`unibuild export`: an image from `unibuild build` handed to libvirt or KubeVirt
(unibuild/export/; docs/deploy.md)."""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import click

from ..errors import UserError
from ..disk.inspect import inspect_image
from ..export.kubevirt import TAG, build_layout, vm_manifest
from ..export.libvirt import domain_xml
from ..export.settings import machine_for
from ..image.built_for import check_kernel
from ..launch.firmware import firmware_path
from ..pipeline import kernel_image
from ..platform import load_platform
from .base import Command
from .options import cross_compile_option, debug_option, launch_options, launch_options_from, platform_option

# What both libvirt domain names and Kubernetes object names (DNS-1123 labels) accept.
NAME = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


@click.command("export", cls=Command)
@click.option("--libvirt", "libvirt_name", metavar="NAME", default=None,
              help="Write a libvirt domain XML named NAME to -o FILE (the kernel is copied beside it).")
@click.option("--kubevirt", "kubevirt_name", metavar="NAME", default=None,
              help="Write a KubeVirt VirtualMachine NAME to -o DIR/vm.yaml and its OCI image layout to DIR/oci.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, metavar="PATH",
              help="The XML file (--libvirt) or a new directory (--kubevirt).")
@click.option("--image-ref", default=None, metavar="REF",
              help="Where the OCI image will be pushed, as the manifest names it (default: NAME:latest).")
@click.option("--kernel", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="Export this Image instead of building the platform's kernel.")
@platform_option
@cross_compile_option
@debug_option
@launch_options
@click.argument("image", type=click.Path(path_type=Path, dir_okay=False))
def export_command(libvirt_name, kubevirt_name, output, image_ref, kernel, platform, cross_compile, debug,
                   image, **kwargs):
    """Export IMAGE (from `unibuild build`) with the kernel and launch options that boot it."""
    if (libvirt_name is None) == (kubevirt_name is None):
        raise UserError("export needs exactly one of --libvirt NAME and --kubevirt NAME")
    name = libvirt_name or kubevirt_name
    if not NAME.fullmatch(name):
        raise UserError(f"name {name!r} must be lower-case letters, digits and '-' (at most 63, "
                        "no '-' at either end)")
    if libvirt_name is not None and image_ref is not None:
        raise UserError("--image-ref is for --kubevirt (libvirt uses the image file itself)")
    found = inspect_image(image)
    options = replace(launch_options_from(kwargs), disk=image)
    profile = load_platform(platform)
    machine = machine_for(profile, options)
    if found.firmware:
        # A disk carries its kernel and boots through UEFI firmware: libvirt only.
        if kubevirt_name is not None:
            raise UserError(f"{image} is a bootable disk; --kubevirt takes the TFS image from "
                            "`unibuild build` (without --format)")
        if kernel is not None:
            raise UserError("--kernel is for a TFS image: a disk boots the kernel in its EFI system partition")
        output.write_text(domain_xml(name, None, image.resolve(), machine, firmware=firmware_path(),
                                     disk_format=found.disk_format))
        click.echo(f"{output}: libvirt domain {name} (UEFI boot of {image.resolve()})")
        return
    if kernel is None:
        kernel = kernel_image(platform, cross_compile=cross_compile, debug=debug, progress=sys.stderr)
    check_kernel(image, found.built_for, platform, kernel)
    if libvirt_name is not None:
        # The build's Image changes with every kernel build: the domain gets a copy of its own.
        kernel_copy = output.with_suffix(".Image")
        shutil.copyfile(kernel, kernel_copy)
        output.write_text(domain_xml(name, kernel_copy.resolve(), image.resolve(), machine))
        click.echo(f"{output}: libvirt domain {name} (kernel {kernel_copy}, disk {image.resolve()})")
        return
    if output.exists():
        raise UserError(f"{output} already exists; remove it or pick another -o")
    ref = image_ref or f"{name}:{TAG}"
    manifest = vm_manifest(name, ref, machine)   # its refusals come before anything is written
    output.mkdir(parents=True)
    build_layout(output / "oci", kernel, image)
    (output / "vm.yaml").write_text(manifest)
    click.echo(f"{output}/vm.yaml: KubeVirt VirtualMachine {name} (image {ref}); "
               f"{output}/oci: its OCI image layout, tag {TAG}")
