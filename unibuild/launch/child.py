"""Helper processes (QEMU, passt) must not outlive unibuild: Ctrl-C, a timeout and errors are
handled in Python, but a SIGKILL (a test runner's kill, the OOM killer) skips every handler.
On Linux the kernel can do it instead: PR_SET_PDEATHSIG sends the child SIGKILL when its parent
goes. Elsewhere this is a no-op and the Python-side cleanup is all there is."""

from __future__ import annotations

import ctypes
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """A preexec_fn: runs in the child between fork and exec."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass
