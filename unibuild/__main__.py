"""`python -m unibuild` is the `unibuild` command."""

from .cli import main

main()
