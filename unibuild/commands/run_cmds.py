"""`unibuild run`: resolve PROGRAM's dependencies, write an image, boot it, exit with its status."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import replace
from pathlib import Path

import click
from click.core import ParameterSource

from ..errors import UserError
from ..image import Manifest, build_image, parse_kernel_option, parse_placement
from ..kernel import build_platform_kernel
from ..platform import load_platform
from ..program import add_program, check_elf_files, scratch_dir
from ..qemu_run import boot
from .base import Command, cross_compile_option, debug_option, platform_option
from .boot_cmds import launch_options, options_from, static_ip_from, static_ip_options

# Settings a -c/--config JSON file may give; the command line wins over the file.
CONFIG_KEYS = {"target_root", "env", "files", "dirs", "accel", "gic", "cpu", "memory", "smp",
               "timeout", "extras", "ports", "net", "net_backend", "pcap", "ip", "gateway",
               "kernel_options"}


def load_config(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except OSError as e:
        raise UserError(f"cannot read config file {path}: {e.strerror}") from e
    except json.JSONDecodeError as e:
        raise UserError(f"config file {path} is not valid JSON: {e.msg} at line {e.lineno}") from e
    if not isinstance(data, dict):
        raise UserError(f"config file {path} must hold a JSON object")
    unknown = sorted(set(data) - CONFIG_KEYS)
    if unknown:
        raise UserError(f"config file {path}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(CONFIG_KEYS))}")
    return data


def merge_config(ctx: click.Context, kwargs: dict, config: dict) -> None:
    """Config values fill in whatever the command line left at its default."""
    for key, value in config.items():
        if key == "env":
            if not isinstance(value, dict):
                raise UserError("config key env must be an object of strings")
            cli_env = list(kwargs["env"])
            kwargs["env"] = tuple(f"{k}={v}" for k, v in value.items()) + tuple(cli_env)
        elif key in ("files", "dirs"):
            if not isinstance(value, list):
                raise UserError(f"config key {key} must be a list of SRC[:DST] strings")
            kwargs[key] = tuple(value) + tuple(kwargs[key])
        elif key == "ports" and not isinstance(value, list):
            raise UserError('config key ports must be a list like ["8080", "5353:53/udp"]')
        elif key == "kernel_options":
            if not isinstance(value, dict) or not all(isinstance(v, (int, str)) for v in value.values()):
                raise UserError('config key kernel_options must be an object like {"profile": 1}')
            kwargs["kopt"] = tuple(f"{k}={v}" for k, v in value.items()) + tuple(kwargs["kopt"])
        elif key == "extras":
            if ctx.get_parameter_source("no_extras") == ParameterSource.DEFAULT:
                kwargs["no_extras"] = not value
        elif ctx.get_parameter_source(key) == ParameterSource.DEFAULT:
            kwargs[key] = value


def _env_pairs(entries) -> dict[str, str]:
    env = {}
    for entry in entries:
        key, sep, value = entry.partition("=")
        if not key or not sep:
            raise UserError(f"environment entry {entry!r} is not KEY=VALUE")
        env[key] = value
    return env


def manifest_for(program: str, args, env, files, dirs) -> Manifest:
    m = Manifest(program="", args=list(args), env=_env_pairs(env))
    m.files = [parse_placement(f) for f in files]
    m.dirs = [parse_placement(d) for d in dirs]
    return m


def image_options(f):
    """The options that decide what goes into the image (shared by run)."""
    for option in reversed([
        click.option("--target-root", default=None, metavar="DIR",
                     help="arm64 root to resolve libraries in (default $NANOS_TARGET_ROOT or build/target-root)."),
        click.option("-e", "--env", "env", multiple=True, metavar="KEY=VALUE", help="Environment variable."),
        click.option("-f", "--file", "files", multiple=True, metavar="SRC[:DST]", help="Extra host file."),
        click.option("--dir", "dirs", multiple=True, metavar="SRC[:DST]", help="Extra host directory."),
        click.option("--no-extras", is_flag=True, help="Leave out what the ELF files do not name: NSS modules, libgcc_s, /etc files, the program's package files."),
        click.option("--kopt", multiple=True, metavar="KEY[=VALUE]",
                     help="Kernel option, e.g. profile (syscall time summary at exit) or memstats."),
        click.option("-c", "--config", "config", type=click.Path(path_type=Path, dir_okay=False),
                     default=None, help="JSON file with the same settings (the command line wins)."),
    ]):
        f = option(f)
    return f


@click.command("run", cls=Command, context_settings={"allow_interspersed_args": False})
@image_options
@platform_option
@cross_compile_option
@debug_option
@launch_options
@static_ip_options
@click.argument("program")
@click.argument("args", nargs=-1)
@click.pass_context
def run_command(ctx, program, args, config, platform, cross_compile, debug, **kwargs):
    """Build an image for PROGRAM, boot it, and exit with its exit status."""
    if config is not None:
        merge_config(ctx, kwargs, load_config(config))
    target_root, no_extras = kwargs.pop("target_root"), kwargs.pop("no_extras")
    manifest = manifest_for(program, args, kwargs.pop("env"), kwargs.pop("files"), kwargs.pop("dirs"))
    manifest.kernel_options.update(parse_kernel_option(opt) for opt in kwargs.pop("kopt"))
    static_ip = static_ip_from(kwargs)
    options = options_from(kwargs, static_ip)
    if static_ip is not None:
        manifest.kernel_options.update(static_ip.kernel_options())
    profile = load_platform(platform)
    with scratch_dir() as tmp:
        # The image first: a wrong program or missing library fails before any kernel build.
        add_program(manifest, program, target_root=target_root, extras=not no_extras, scratch=Path(tmp))
        check_elf_files(manifest)
        image = Path(tmp) / "image.tfs"
        build_image(manifest, image)
        log = io.StringIO()   # make's lines only matter when the build fails
        try:
            kernel = build_platform_kernel(platform, cross_compile=cross_compile, debug=debug, out=log).image
        except UserError:
            sys.stderr.write(log.getvalue())
            raise
        result = boot(profile, kernel, replace(options, disk=image), echo=sys.stdout, echo_err=sys.stderr)
    if result.error:
        click.echo(f"unibuild: {result.error}", err=True)
    sys.exit(result.status)
