"""`unibuild doctor`: one table of what the host has and what to install."""

from __future__ import annotations

import click

from ..host.doctor import all_required_ok, format_table, run_checks
from .base import Command


@click.command("doctor", cls=Command)
def doctor_command():
    """Check the toolchain, QEMU, KVM, target root and network backend."""
    checks = run_checks()
    click.echo(format_table(checks))
    if not all_required_ok(checks):
        click.get_current_context().exit(1)
