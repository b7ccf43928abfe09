"""The `unibuild` command line: a click group; each command lives in unibuild/commands/ and is
listed below. A command's module (and whatever it pulls in: the image writer, QEMU control, the
ELF reader) is imported only when that command runs, so `unibuild --version` or `unibuild ls`
does not pay for `unibuild run`'s imports."""

import importlib
import sys

import click

from . import __version__
from .commands.base import Group
from .errors import UserError

# Every command, in the order of the pipeline they drive (docs/architecture.md): the host and
# its tools, the kernel, the target root, images, booting. Adding a command means adding it
# here: its name, the module in unibuild/commands/ and the click object there.
COMMANDS = {
    "doctor": ("doctor_cmds", "doctor_command"),
    "kernel": ("kernel_cmds", "kernel_command"),
    "target-root": ("root_cmds", "target_root_group"),
    "ldd": ("root_cmds", "ldd_command"),
    "build": ("image_cmds", "build_cmd"),
    "ls": ("image_cmds", "ls_cmd"),
    "cat": ("image_cmds", "cat_cmd"),
    "dump": ("image_cmds", "dump_cmd"),
    "boot": ("boot_cmds", "boot_command"),
    "run": ("run_cmds", "run_command"),
}


class _Group(Group):
    """Turns UserError into one line on stderr and a non-zero exit, never a traceback; loads a
    command's module when the command is looked up."""

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name]
        return getattr(importlib.import_module(f"{__package__}.commands.{module}"), attr)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UserError as e:
            click.echo(f"unibuild: {e}", err=True)
            sys.exit(e.exit_code)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="unibuild")
def main():
    """Build aarch64 unikernel images of Linux programs and boot them under QEMU."""
