"""`unibuild run`: resolve PROGRAM's dependencies, write an image, boot it, exit with its status."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import click

from ..config import load_config, merge_config
from ..errors import UserError
from ..pipeline import ImageRequest, kernel_image, run
from ..timings import Timings
from .base import Command
from .progress import StepProgress, on_terminal
from .options import (cross_compile_option, debug_option, env_from, image_content_options,
                      launch_options, launch_options_from, platform_option, print_qemu_option,
                      static_ip_from, static_ip_options, warn)


GDB_DEFAULT_PORT = 1234   # gdb's own habit (`target remote :1234`, QEMU's -s)


class _RunCommand(Command):
    """`run`, whose --gdb takes its PORT only when one follows: `--gdb PROGRAM` must not read the
    program as a port (click's optional values take whatever comes next)."""

    def parse_args(self, ctx, args):
        return super().parse_args(ctx, _gdb_port_explicit(self, args))


def _gdb_port_explicit(command: click.Command, args: list[str]) -> list[str]:
    """args with a bare --gdb (no number after it) as --gdb=1234; only among our options, which
    end at PROGRAM or `--` (what follows is the program's)."""
    takes_value = {name for p in command.params if isinstance(p, click.Option) and not p.is_flag and not p.count
                   for name in p.opts if name != "--gdb"}
    out, i = [], 0
    while i < len(args):
        arg = args[i]
        if arg == "--" or not arg.startswith("-"):
            return out + args[i:]
        if arg == "--gdb" and not (i + 1 < len(args) and args[i + 1].isdigit()):
            arg = f"--gdb={GDB_DEFAULT_PORT}"
        out.append(arg)
        if (arg in takes_value or arg == "--gdb") and i + 1 < len(args):
            out.append(args[i + 1])   # the option's value, whatever it looks like
            i += 1
        i += 1
    return out


@click.command("run", cls=_RunCommand, context_settings={"allow_interspersed_args": False})
@image_content_options
@click.option("-c", "--config", "config", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="JSON file with the same settings, the program and its args included "
              "(the command line wins).")
@platform_option
@cross_compile_option
@debug_option
@launch_options
@static_ip_options
@click.option("-i", "--interactive", is_flag=True,
              help="Pass a terminal's input to the program too (piped or redirected stdin always is).")
@click.option("-q", "--quiet", is_flag=True,
              help="Leave out the kernel's lines (such as en1: assigned ADDR); shown anyway on a kernel error.")
@click.option("--json", "json_file", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              metavar="FILE", help="Write the result (status, kind, timings) as JSON to FILE ('-': a last line on stderr).")
@click.option("-d", "--detach", is_flag=True, help="Start in the background as an instance (see ps, logs, stop, rm).")
@click.option("--name", default=None, metavar="NAME", help="The instance's name with -d (default: PROGRAM's name and a number).")
@click.option("--missing-files", is_flag=True,
              help="At exit, list the paths the program looked for in vain, with the target root's file "
              "(and its package) that would have been found, and the -f to add.")
@click.option("--gdb", "gdb_port", type=int, is_flag=False, flag_value=GDB_DEFAULT_PORT, default=None, metavar="[PORT]",
              help="Start QEMU's gdbstub on 127.0.0.1:PORT (default 1234), turn ASLR off, and print the "
              "kernel's and the program's symbol files, the program's load bias and the gdb-multiarch "
              "command that attaches.")
@click.option("--gdb-wait", is_flag=True, help="With --gdb: keep the guest paused until gdb continues it.")
@click.option("--timings", is_flag=True, default=False,
              help="At the end, list on stderr how long each phase took (image, kernel, QEMU, guest).")
@print_qemu_option
@click.argument("program", required=False)
@click.argument("args", nargs=-1)
@click.pass_context
def run_command(ctx, program, args, config, platform, cross_compile, debug, missing_files, interactive, quiet, json_file,
                detach, name, timings, print_qemu, gdb_port, gdb_wait, **kwargs):
    """Build an image for PROGRAM, boot it, and exit with its exit status."""
    kwargs["program"], kwargs["args"] = program, args
    if config is not None:
        merge_config(ctx, kwargs, load_config(config))
    program, args = kwargs.pop("program"), kwargs.pop("args")
    if program is None:
        raise UserError("missing PROGRAM: give it on the command line or as the config key program "
                        "(see 'unibuild run --help')")
    if name is not None and not detach:
        raise UserError("--name names a background instance; add -d")
    if detach:
        # Only a background run needs the instances module (and print_qemu only --print-qemu):
        # a foreground run's start-up is imports first (issue 17).
        from .. import instances
    if detach and not instances.supervised():
        # The same command line again, in the background under the instance's supervisor
        # (which sees supervised() and runs it in the foreground of its own session).
        click.echo(instances.start(sys.argv[1:], program, name))
        return
    static_ip = static_ip_from(kwargs)
    request = ImageRequest(
        program=program, args=tuple(args), with_programs=tuple(kwargs.pop("with_programs")),
        env=env_from(kwargs.pop("env")),
        files=tuple(kwargs.pop("files")), dirs=tuple(kwargs.pop("dirs")),
        kernel_options=(*kwargs.pop("kopt"), *(("missing_files=1",) if missing_files else ()),
                        *(("noaslr=1",) if gdb_port is not None else ())),   # the printed bias holds
        target_root=kwargs.pop("target_root"),
        extras=not kwargs.pop("no_extras"), static_ip=static_ip, workdir=kwargs.pop("workdir"),
        keep_mtime=kwargs.pop("keep_mtime"),
    )
    options = replace(launch_options_from(kwargs, static_ip), gdb_port=gdb_port, gdb_wait=gdb_wait,
                      terminals=host_terminals())
    if print_qemu:
        from .print_qemu import print_run_command
        print_run_command(request, options, platform=platform, cross_compile=cross_compile, debug=debug)
        return
    # A cold kernel build takes a while: on a terminal its steps show in place, then its time.
    progress = StepProgress("KERNEL") if on_terminal() and not quiet else None
    phases = Timings()
    kernel = None
    try:
        if gdb_port is not None:   # the kernel first: its symbol file is in what we print
            kernel = kernel_image(platform, cross_compile=cross_compile, debug=debug, failure_log=sys.stderr,
                                  progress=progress)
            progress = None
            from ..gdb_attach import gdb_target   # only when asked for
            for line in gdb_target(gdb_port, kernel, _program_file(request)).lines(gdb_wait):
                click.echo(f"unibuild: {line}", err=True)
        result = run(request, options, platform=platform, cross_compile=cross_compile, debug=debug, kernel=kernel,
                     echo=sys.stdout, echo_err=sys.stderr, warn=warn, failure_log=sys.stderr, timings=phases,
                     stdin=program_stdin(interactive), quiet_kernel=quiet, kernel_progress=progress)
    except UserError:
        if progress is not None:
            progress.abandon()   # a failed build: every make line, not just the last one shown
        raise
    if quiet and result.kind != "program" and result.kernel_log:
        sys.stderr.write(result.kernel_log)   # what went wrong is in the kernel's lines
    if missing_files:
        from ..resolve.missing import report as missing_files_report   # only when asked for
        for line in missing_files_report(result.console, _root_or_none(request.target_root)):
            click.echo(line, err=True)
    if result.error:
        click.echo(f"unibuild: {result.error}", err=True)
    if timings:
        phases.report(sys.stderr)
    if json_file is not None:
        write_result_json(json_file, result)
    sys.exit(result.status)


def write_result_json(path: str, result) -> None:
    """The run's outcome for scripts: status, kind ("program", "kernel-error" or null), what
    went wrong, and the seconds each step took."""
    record = {"status": result.status, "kind": result.kind, "error": result.error,
              "timed_out": result.timed_out, "interrupted": result.interrupted,
              "timings": {k: round(v, 3) for k, v in result.timings.items()}}
    line = json.dumps(record)
    if path == "-":
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
        return
    try:
        Path(path).write_text(line + "\n")
    except OSError as e:
        raise UserError(f"cannot write --json {path}: {e.strerror}") from None


def host_terminals() -> tuple[int, ...]:
    """Which of our standard descriptors are terminals: the program's are too, the rest are
    pipes in the guest (a program's `isatty` and buffering as when run here directly)."""
    return tuple(fd for fd in (0, 1, 2) if os.isatty(fd))   # a closed descriptor is False


def program_stdin(interactive: bool) -> int | None:
    """Our stdin's descriptor when the program gets it: always when it is a pipe or a file (as
    a shell's `cmd < file` or `echo x | cmd`); a terminal only with -i (docker's rule), so a
    program reading stdin under a bare `unibuild run` sees end of file instead of waiting."""
    try:
        fd = sys.stdin.fileno()
        os.fstat(fd)
    except (AttributeError, OSError, ValueError):
        return None   # no stdin at all (closed): the program's is empty
    if os.isatty(fd) and not interactive:
        return None
    return fd


def _program_file(request: ImageRequest) -> Path:
    """The program's file on the host, as the image builder picks it: the root's for an
    absolute path the target root has, else the host file."""
    root = _root_or_none(request.target_root)
    if request.program.startswith("/") and root is not None:
        from ..targetroot.rootfs import RootFS
        found = RootFS(root).is_file(request.program)
        if found is not None:
            return found.host_path
    return Path(request.program)


def _root_or_none(option: Path | None) -> Path | None:
    """The target root the run used, if there is one (a static program needs none)."""
    from ..targetroot.location import find_root
    try:
        return find_root(option)
    except UserError:
        return None
