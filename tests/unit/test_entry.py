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
