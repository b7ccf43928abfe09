"""Progress of slow steps (issue 14, item 5): apt's status lines followed through
APT::Status-Fd, make's lines shown in place on a terminal, and nothing when stderr is no
terminal."""

from __future__ import annotations

import io

from unibuild.commands.progress import StepProgress, on_terminal
from unibuild.targetroot.builder import _run_with_status

# Stands in for apt-get: writes status lines to the descriptor named by its last argument
# (`-o APT::Status-Fd=N`, as apt reads it), and ordinary output to stdout.
FAKE_APT = ['bash', '-c', 'fd=${2#APT::Status-Fd=}; eval "echo dlstatus:1:12.5:Retrieving libc6 >&$fd"; '
            'eval "echo pmstatus:x:0:ignored >&$fd"; eval "echo dlstatus:2:100:Done >&$fd"; echo out', 'sh']


def test_apts_download_status_lines_reach_the_callback_as_percent_and_what():
    seen = []
    p = _run_with_status(FAKE_APT, {"PATH": "/usr/bin:/bin"}, lambda pct, what: seen.append((pct, what)))
    assert p.returncode == 0 and p.stdout == "out\n"
    assert seen == [(12.5, "Retrieving libc6"), (100.0, "Done")]


def test_make_lines_are_shown_in_place_fetches_kept_and_the_step_closes_with_its_time():
    screen = io.StringIO()
    step = StepProgress("KERNEL", screen)
    step.write("  FETCH   lwip 2.1.3 (Debian source package)\n  CC      main.c\n  LD   Image\n")
    step.close()
    out = screen.getvalue()
    assert "  FETCH   lwip 2.1.3 (Debian source package)\n" in out   # kept on its own line
    assert "\r\x1b[K  CC      main.c" in out and "main.c\n" not in out   # shown, then overwritten
    assert out.endswith(" (3 steps)\n") and "KERNEL  done in " in out


def test_a_failed_step_prints_every_line_it_got():
    screen = io.StringIO()
    step = StepProgress("KERNEL", screen)
    step.write("  CC      a.c\nerror: a.c:1: boom\n")
    step.abandon()
    assert screen.getvalue().endswith("  CC      a.c\nerror: a.c:1: boom\n")


def test_an_up_to_date_step_says_nothing_and_a_pipe_is_no_terminal():
    screen = io.StringIO()
    StepProgress("KERNEL", screen).close()
    assert screen.getvalue() == ""
    assert not on_terminal(io.StringIO())
