"""unibuild: aarch64 unikernel images of Linux programs, built and booted from any host."""

import time as _time

__version__ = "0.1.0"
# When unibuild's own code began to run (timings.py measures phases from here).
STARTED = _time.monotonic()
