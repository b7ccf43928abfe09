"""The `unibuild` command line: a click group; each command lives in unibuild/commands/ and is
listed below. A command's module (and whatever it pulls in: the image writer, QEMU control, the
ELF reader) is imported only when that command runs, so `unibuild --version` or `unibuild ls`
does not pay for `unibuild run`'s imports."""

import errno
import importlib
import os
import sys

import click

from . import __version__
from .commands.base import Group
from .errors import EXIT_BROKEN_PIPE, EXIT_FAILED, EXIT_INTERRUPTED, UserError

# Every command, in the order of the pipeline they drive (docs/architecture.md): the host and
# its tools, the kernel, the target root, images, booting, then the instances `run -d` starts.
# Adding a command means adding it here: its name, the module in unibuild/commands/ and the
# click object there.
COMMANDS = {
    "doctor": ("doctor_cmds", "doctor_command"),
    "kernel": ("kernel_cmds", "kernel_command"),
    "target-root": ("root_cmds", "target_root_group"),
    "ldd": ("root_cmds", "ldd_command"),
    "build": ("image_cmds", "build_cmd"),
    "ls": ("image_cmds", "ls_cmd"),
    "cat": ("image_cmds", "cat_cmd"),
    "dump": ("image_cmds", "dump_cmd"),
    "volume": ("volume_cmds", "volume_group"),
    "boot": ("boot_cmds", "boot_command"),
    "run": ("run_cmds", "run_command"),
    "export": ("export_cmds", "export_command"),
    "ps": ("instance_cmds", "ps_command"),
    "logs": ("instance_cmds", "logs_command"),
    "stop": ("instance_cmds", "stop_command"),
    "rm": ("instance_cmds", "rm_command"),
}


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
    stdout is a shell's SIGPIPE status (141) without a message, a full one (/dev/full) one line.
    A command's module is loaded when the command is looked up."""

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name]
        return getattr(importlib.import_module(f"{__package__}.commands.{module}"), attr)

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

