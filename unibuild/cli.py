"""The `unibuild` command line: a click group; commands live in unibuild/commands/."""

import sys

import click

from . import __version__
from .errors import UserError


class _Group(click.Group):
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


# Command families register themselves here (one import + add_command per module).

from .commands.boot_cmds import boot_command  # noqa: E402
from .commands.doctor_cmds import doctor_command  # noqa: E402
from .commands.kernel_cmds import kernel_command  # noqa: E402

main.add_command(kernel_command)
main.add_command(boot_command)
main.add_command(doctor_command)

from .commands.image_cmds import build_cmd, cat_cmd, dump_cmd, ls_cmd  # noqa: E402

main.add_command(build_cmd)
main.add_command(ls_cmd)
main.add_command(cat_cmd)
main.add_command(dump_cmd)

from .commands.root_cmds import ldd_command, target_root_group  # noqa: E402

main.add_command(target_root_group)
main.add_command(ldd_command)

from .commands.run_cmds import run_command  # noqa: E402

main.add_command(run_command)
