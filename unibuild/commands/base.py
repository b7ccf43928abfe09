"""What every unibuild command shares: click's usage errors become one-line UserErrors."""

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
            raise UserError(f"{e.format_message()} (see 'unibuild {info_name} --help')") from None


def platform_option(f):
    return click.option(
        "--platform",
        default="virt",
        show_default=True,
        help="Platform to build for and boot (a directory of platforms/ with a platform.toml).",
    )(f)


def cross_compile_option(f):
    return click.option(
        "--cross-compile",
        metavar="PREFIX",
        default=None,
        help="Target toolchain prefix, e.g. aarch64-linux-gnu- (default: $CROSS_COMPILE, "
        "else none on aarch64 hosts and aarch64-linux-gnu- elsewhere).",
    )(f)


def debug_option(f):
    return click.option("--debug", is_flag=True, help="Build the kernel with DEBUG=1.")(f)
