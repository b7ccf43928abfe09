"""`unibuild ps`, `logs`, `stop`, `rm`: the background instances `run -d` starts (unibuild/instances.py)."""

from __future__ import annotations

import sys
import time

import click

from .. import instances
from .base import Command


@click.command("ps", cls=Command)
@click.option("-a", "--all", "show_all", is_flag=True, help="Also the instances that have ended, with their exit status.")
def ps_command(show_all):
    """List the running instances (started with `unibuild run -d`)."""
    rows = [("NAME", "STATUS", "STARTED", "PROGRAM")]
    for i in instances.list_instances(include_stopped=show_all):
        rows.append((i.name, i.state, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(i.started)), i.program))
    widths = [max(len(r[c]) for r in rows) for c in range(3)]
    for r in rows:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths)) + "  " + r[3])


@click.command("logs", cls=Command)
@click.option("-f", "--follow", is_flag=True, help="Keep printing as the instance writes, until it ends.")
@click.argument("name")
def logs_command(follow, name):
    """Show an instance's output (its stdout and stderr, as they came)."""
    instance = instances.get(name)
    if follow:
        instances.follow(instance, sys.stdout.buffer)
    else:
        sys.stdout.buffer.write(instance.log.read_bytes())
        sys.stdout.flush()


@click.command("stop", cls=Command)
@click.argument("names", nargs=-1, required=True)
def stop_command(names):
    """Stop instances: their guests are stopped through QMP (exit status 130), killed if they do not obey."""
    for name in names:
        instances.stop(name)
        click.echo(name)


@click.command("rm", cls=Command)
@click.option("-f", "--force", is_flag=True, help="Stop a running instance first.")
@click.argument("names", nargs=-1, required=True)
def rm_command(force, names):
    """Remove instances that have ended (their log and status)."""
    for name in names:
        instances.remove(name, force=force)
        click.echo(name)
