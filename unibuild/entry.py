"""The `unibuild` command's entry point. `unibuild --version` is answered here, before click is
imported: click is most of a start-up that is otherwise only Python's own (~20 ms). The answer is
click.version_option's, byte for byte (tests/unit/test_entry.py compares the two). Everything
else, and a version line that cannot be written, goes to cli.main, which owns every error.

Once cli.main has decided the exit status, the process ends at once (exit_now): the interpreter's
own finalization (tearing down every module a `run` loaded, asyncio and click included) takes
15-20 ms here, longer than everything the image cache and the kernel stamp check together."""

import sys

from . import __version__


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        try:
            sys.stdout.write(f"unibuild, version {__version__}\n")
            sys.stdout.flush()
        except OSError:
            pass                   # a closed or full stdout: cli.main says so as it always does
        else:
            sys.exit(0)
    from .cli import main as cli_main
    try:
        cli_main()
    except SystemExit as done:
        exit_now(done)
        raise


def exit_now(done: SystemExit) -> None:
    """Ends the process with `done`'s status without the interpreter's finalization, doing first
    what that finalization would do for us: flush stdout and stderr, wait for non-daemon threads,
    run the atexit functions (logging's shutdown, ...). Returns (the caller re-raises, the exit
    Python would have made) whenever that is not plain: a status that is not a number (Python
    prints it), a flush that fails (Python reports it), a non-daemon thread still running."""
    import atexit
    import os
    import threading
    code = 0 if done.code is None else done.code
    if not isinstance(code, int):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    if any(t is not threading.main_thread() and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return
    atexit._run_exitfuncs()
    os._exit(code & 0xFF)
