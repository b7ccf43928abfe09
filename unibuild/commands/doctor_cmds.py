"""`unibuild doctor`: one table of what the host has and what to install."""

from __future__ import annotations

import dataclasses
import json

import click

from ..host.doctor import all_required_ok, format_table, run_checks
from .base import Command


@click.command("doctor", cls=Command)
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object instead of the table: ok, and each check's name, ok, value, advice, required.")
def doctor_command(as_json):
    """Check the toolchain, QEMU, KVM (and on aarch64 the GIC it gives guests), target root and network backend."""
    checks = run_checks()
    if as_json:
        click.echo(json.dumps({"ok": all_required_ok(checks),
                               "checks": [dataclasses.asdict(c) for c in checks]}, indent=2))
    else:
        click.echo(format_table(checks))
    if not all_required_ok(checks):
        click.get_current_context().exit(1)
