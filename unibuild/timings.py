"""Where a command's time went, phase by phase (`unibuild run --timings`).

A phase is a named interval on one clock (time.monotonic); the report lists each with its start
relative to the first moment unibuild's code ran (the `unibuild` package import: Python's own
start-up comes before it and is not ours to see) and its length, so a reader sees both what is
slow and what overlaps. Boot phases come from the QEMU run's own marks (BootResult.phases).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import TextIO

from . import STARTED


class Timings:
    def __init__(self) -> None:
        self.phases: list[tuple[str, float, float]] = [("imports and options", STARTED, time.monotonic())]

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[list[str]]:
        """Times the block; the yielded list may receive a word for the report ("cached")."""
        start = time.monotonic()
        notes: list[str] = []
        try:
            yield notes
        finally:
            label = f"{name} ({', '.join(notes)})" if notes else name
            self.phases.append((label, start, time.monotonic()))

    def add(self, name: str, start: float, end: float) -> None:
        self.phases.append((name, start, end))

    def report(self, out: TextIO) -> None:
        end = time.monotonic()
        out.write(f"unibuild: timings (ms; from the first line of unibuild's code, {(end - STARTED) * 1000:.1f} ms in all)\n")
        for name, start, stop in self.phases:
            out.write(f"unibuild:   {(start - STARTED) * 1000:7.1f} +{(stop - start) * 1000:7.1f}  {name}\n")
