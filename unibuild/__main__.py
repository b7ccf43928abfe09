"""`python -m unibuild` is the `unibuild` command."""

from .entry import main

main()
