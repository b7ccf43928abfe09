"""The `unibuild` command line: a click group; each command lives in unibuild/commands/ and is
listed below."""

import errno
import os
import sys

import click

from . import __version__
from .commands.base import Group
from .commands.boot_cmds import boot_command
from .commands.doctor_cmds import doctor_command
from .commands.image_cmds import build_cmd, cat_cmd, dump_cmd, ls_cmd
from .commands.instance_cmds import logs_command, ps_command, rm_command, stop_command
from .commands.kernel_cmds import kernel_command
from .commands.root_cmds import ldd_command, target_root_group
from .commands.run_cmds import run_command
from .errors import EXIT_BROKEN_PIPE, EXIT_FAILED, EXIT_INTERRUPTED, UserError


def _say(line: str) -> None:
    """One line on stderr; a closed or full stderr is not worth a traceback."""
    try:
        click.echo(f"unibuild: {line}", err=True)
    except OSError:
        pass


def _silence_stdout() -> None:
    """Our stdout is gone (a reader such as `head` left): point it at /dev/null so Python's
    final flush at exit does not print 'Exception ignored ... BrokenPipeError'."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class _Group(Group):
    """Runs click in non-standalone mode so every way out is ours: a UserError is one line and
    its status; Ctrl-C is 130 in every command (click's own `Aborted!` is exit 1); a closed
    stdout is a shell's SIGPIPE status (141) without a message, a full one (/dev/full) one line."""

    def main(self, args=None, prog_name=None, **extra):
        try:
            try:
                # Always `unibuild`, also under `python -m unibuild`: in usage lines and in the
                # completion variable (_UNIBUILD_COMPLETE).
                status = super().main(args, prog_name or "unibuild", standalone_mode=False, **extra)
                sys.stdout.flush()
            except UserError as e:
                _say(str(e))
                status = e.exit_code
            except (KeyboardInterrupt, click.exceptions.Abort):
                _say("interrupted")
                status = EXIT_INTERRUPTED
            except click.exceptions.Exit as e:
                status = e.exit_code
            except click.exceptions.NoArgsIsHelpError as e:   # `unibuild` alone: its help
                click.echo(e.format_message())
                status = 0
            except click.ClickException as e:   # only those click raises outside our Commands
                _say(e.format_message())
                status = EXIT_FAILED
        except OSError as e:
            if e.errno == errno.EPIPE:
                _silence_stdout()
                status = EXIT_BROKEN_PIPE
            elif e.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT):
                _silence_stdout()
                _say(f"cannot write output: {e.strerror}")
                status = EXIT_FAILED
            else:
                raise
        sys.exit(status if isinstance(status, int) else 0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="unibuild")
def main():
    """Build aarch64 unikernel images of Linux programs and boot them under QEMU."""


# Every command, in the order of the pipeline they drive (docs/architecture.md): the host and
# its tools, the kernel, the target root, images, booting, then the instances `run -d` starts.
# Adding a command means adding it here.
for _command in (doctor_command, kernel_command, target_root_group, ldd_command, build_cmd, ls_cmd,
                cat_cmd, dump_cmd, boot_command, run_command, ps_command, logs_command, stop_command,
                rm_command):
    main.add_command(_command)
