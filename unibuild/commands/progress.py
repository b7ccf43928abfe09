"""Progress of slow steps on stderr, only when stderr is a terminal (a log or a pipe gets none).

Like kraft's per-step lines: the step's newest line of work is shown in place while it runs,
the slow ones that are worth keeping (make's FETCH of third-party sources) stay, and one line
with the step's time closes it. A download with a known size gets click's progress bar."""

from __future__ import annotations

import io
import shutil
import sys
import time

import click

KEEP = ("  FETCH",)   # lines that stay on screen: they take long and say what came from where


def on_terminal(stream=None) -> bool:
    stream = sys.stderr if stream is None else stream
    return hasattr(stream, "isatty") and stream.isatty()


class StepProgress(io.TextIOBase):
    """A text stream for a step's lines (make's, for the kernel build). close() ends the step
    with its time, if it did any work; abandon() (the step failed) prints every line it got,
    since the transient ones are gone from the screen."""

    def __init__(self, title: str, stream=None):
        self._title = title
        self._stream = sys.stderr if stream is None else stream
        self._started = time.monotonic()
        self._lines: list[str] = []
        self._partial = ""
        self._shown = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *complete, self._partial = (self._partial + text).split("\n")
        for line in complete:
            self._lines.append(line)
            self._show(line)
        return len(text)

    def _show(self, line: str) -> None:
        width = shutil.get_terminal_size((80, 24)).columns - 1
        if line.startswith(KEEP):
            self._stream.write(f"\r\x1b[K{line[:width]}\n")
        else:
            self._stream.write(f"\r\x1b[K{line[:width]}")
            self._shown = True
        self._stream.flush()

    def close(self) -> None:
        if self.closed:
            return
        if self._lines:
            self._stream.write(f"\r\x1b[K  {self._title:<7} done in {time.monotonic() - self._started:.1f} s "
                               f"({len(self._lines)} steps)\n")
            self._stream.flush()
        super().close()

    def abandon(self) -> None:
        if self.closed:
            return
        if self._shown:
            self._stream.write("\r\x1b[K")
        self._stream.write("".join(f"{line}\n" for line in self._lines))
        self._stream.flush()
        super().close()


class DownloadBar:
    """A status callback (percent, what) for apt's downloads, drawn by click's progress bar."""

    def __init__(self, label: str):
        self._bar = click.progressbar(length=100, label=label, file=sys.stderr, show_eta=True,
                                      show_percent=True, width=30)
        self._bar.__enter__()
        self._done = 0

    def __call__(self, percent: float, what: str) -> None:
        step = int(percent) - self._done
        if step > 0:
            self._bar.update(step)
            self._done += step

    def close(self) -> None:
        self._bar.__exit__(None, None, None)
