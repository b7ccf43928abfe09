"""The entry point's early `--version` answer (unibuild/entry.py) is click's own, and keeps its
exit statuses when stdout cannot take it; anything else still reaches click."""

import subprocess
import sys

import pytest

CLICK = "from unibuild.cli import main; main()"     # click.version_option answers: the oracle


def run(argv, **kw):
    return subprocess.run([sys.executable, *argv], capture_output=True, text=True, timeout=60, **kw)


def test_version_is_clicks():
    ours, clicks = run(["-m", "unibuild", "--version"]), run(["-c", CLICK, "--version"])
    assert (ours.returncode, ours.stdout, ours.stderr) == (clicks.returncode, clicks.stdout, clicks.stderr)
    assert ours.stdout.startswith("unibuild, version ")


def test_version_without_click():
    code = "import sys; sys.argv = ['unibuild', '--version']\n" \
           "from unibuild.entry import main\n" \
           "try:\n    main()\nexcept SystemExit:\n    pass\n" \
           "print('click' in sys.modules, file=sys.stderr)"
    r = run(["-c", code])
    assert r.stderr.strip() == "False"


@pytest.mark.parametrize("argv", [["--version", "run"], ["--help"], ["--versio"]])
def test_other_arguments_reach_click(argv):
    ours, clicks = run(["-m", "unibuild", *argv]), run(["-c", CLICK, *argv])
    assert (ours.returncode, ours.stdout, ours.stderr) == (clicks.returncode, clicks.stdout, clicks.stderr)


def test_full_stdout_is_one_line_and_125():
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "unibuild", "--version"], stdout=full,
                           stderr=subprocess.PIPE, text=True, timeout=60)
    assert r.returncode == 125
    assert r.stderr.splitlines() == ["unibuild: cannot write output: No space left on device"]


# The entry point ends the process itself once the status is known (entry.exit_now, without the
# interpreter's finalization): what that finalization would have done must still happen.
def _entry_with(setup: str, argv: str = "['unibuild', 'no-such-command']"):
    code = f"import sys, atexit, threading, time\n{setup}\nsys.argv = {argv}\n" \
           "from unibuild.entry import main\nmain()\n"
    return run(["-c", code])


def test_exit_status_and_atexit_functions_survive_the_fast_exit():
    r = _entry_with("atexit.register(lambda: print('atexit ran', flush=True))")
    assert r.returncode == 125
    assert r.stdout == "atexit ran\n"
    assert r.stderr.startswith("unibuild: No such command 'no-such-command'")


def test_a_running_thread_is_waited_for_as_python_would():
    r = _entry_with("threading.Thread(target=lambda: (time.sleep(0.3), print('thread done'))).start()")
    assert r.returncode == 125
    assert r.stdout == "thread done\n"


def test_buffered_output_is_flushed_before_the_fast_exit():
    r = _entry_with("sys.stdout.write('kept in the buffer')")
    assert (r.returncode, r.stdout) == (125, "kept in the buffer")
