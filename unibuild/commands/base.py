"""The class every unibuild command is made with: click's usage errors become one-line UserErrors.
(The options commands share are in options.py.)"""

from __future__ import annotations

import click

from ..errors import UserError


class Command(click.Command):
    """A click command whose bad options (wrong type, bad choice) are reported in one line.

    click's own report is a usage block plus the error; we keep the promise that every user
    error is a single `unibuild: ...` line. --help still works: it is not a UsageError.
    """

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as e:
            raise UserError(f"{e.format_message()} (see '{_command_path(parent, info_name)} --help')") from None


class Group(click.Group):
    """A command group (`unibuild` itself, `target-root`) whose subcommands are Commands and whose
    own usage errors (an unknown subcommand) are one line too; with no subcommand it shows its
    help, as click does."""

    command_class = Command

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as e:
            raise UserError(f"{e.format_message()} (see '{_command_path(parent, info_name)} --help')") from None

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as e:
            raise UserError(f"{e.format_message()} (see '{_command_path(ctx.parent, ctx.info_name)} --help')") from None


def _command_path(parent, info_name) -> str:
    """`unibuild`, `unibuild run`, `unibuild target-root create`: the command, named as the user types it."""
    if parent is None:   # the program itself, however it was started (python -m, a script)
        return "unibuild"
    names = [info_name]
    while parent.parent is not None:
        names.insert(0, parent.info_name)
        parent = parent.parent
    return " ".join(["unibuild", *names])
