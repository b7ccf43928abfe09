"""The `unibuild` command's entry point. `unibuild --version` is answered here, before click is
imported: click is most of a start-up that is otherwise only Python's own (~20 ms). The answer is
click.version_option's, byte for byte (tests/unit/test_entry.py compares the two). Everything
else, and a version line that cannot be written, goes to cli.main, which owns every error."""

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
    cli_main()
