"""Which kernel options (`--kopt KEY[=VALUE]`, config key kernel_options) the kernel reads.

The kernel's own parsing is the authority: kernel/bootargs.c reads each option of the image's
boot record with `kernel_option(boot, "NAME", ...)`. Reading the names from there (the source
tree unibuild builds its kernel from) keeps this list from drifting when an option is added;
a name the kernel never reads would be ignored silently, so it is an error instead."""

from __future__ import annotations

import functools
import re

from ..errors import UserError
from ..paths import KERNEL_DIR

_READS = re.compile(r'\bkernel_option\(\s*\w+\s*,\s*"([A-Za-z0-9_.-]+)"')


@functools.cache
def known_kernel_options() -> frozenset[str] | None:
    """The names the kernel reads; None when its source is not there to ask (nothing is checked)."""
    try:
        source = (KERNEL_DIR / "bootargs.c").read_text()
    except OSError:
        return None
    return frozenset(_READS.findall(source))


def check_kernel_option_names(names) -> None:
    known = known_kernel_options()
    if known is None:
        return
    for name in names:
        if name not in known:
            raise UserError(f"unknown kernel option '{name}'; the kernel reads {', '.join(sorted(known))}")
