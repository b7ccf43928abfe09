"""The `unibuild` command line: a click group; each command lives in unibuild/commands/ and is
listed below."""

import sys

import click

from . import __version__
from .commands.base import Group
from .commands.boot_cmds import boot_command
from .commands.doctor_cmds import doctor_command
from .commands.export_cmds import export_command
from .commands.image_cmds import build_cmd, cat_cmd, dump_cmd, ls_cmd
from .commands.kernel_cmds import kernel_command
from .commands.root_cmds import ldd_command, target_root_group
from .commands.run_cmds import run_command
from .errors import UserError


class _Group(Group):
    """Turns UserError into one line on stderr and a non-zero exit, never a traceback."""

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


# Every command, in the order of the pipeline they drive (docs/architecture.md): the host and
# its tools, the kernel, the target root, images, booting. Adding a command means adding it here.
for _command in (doctor_command, kernel_command, target_root_group, ldd_command, build_cmd, ls_cmd,
                cat_cmd, dump_cmd, boot_command, run_command, export_command):
    main.add_command(_command)
