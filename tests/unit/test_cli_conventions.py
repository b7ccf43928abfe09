"""What users of docker, ops and kraft expect of a command line (issue 14, item 8): -h, usage
errors that cannot be confused with a program's status, shell completion."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

COMMANDS = ["doctor", "kernel", "target-root", "target-root create", "target-root add", "target-root ls",
            "ldd", "build", "ls", "cat", "dump", "boot", "run", "ps", "logs", "stop", "rm"]


@pytest.mark.parametrize("command", COMMANDS)
def test_dash_h_is_help_for_every_command(run_cli, command):
    r = run_cli(*command.split(), "-h")
    assert r.returncode == 0 and r.stdout.startswith(f"Usage: unibuild {command}"), r.stderr


def test_a_usage_error_is_unibuilds_own_status_125(run_cli):
    r = run_cli("run", "--no-such-option", "prog")
    assert r.returncode == 125 and r.stderr.count("\n") == 1


def test_bash_completion_offers_the_commands_and_their_subcommands():
    def complete(words: str, cword: int) -> list[str]:
        env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(cword), "_UNIBUILD_COMPLETE": "bash_complete"}
        out = subprocess.run([sys.executable, "-m", "unibuild"], env=env, capture_output=True, text=True,
                             timeout=30).stdout
        return [line.split(",", 1)[1] for line in out.splitlines()]
    assert {"run", "ps", "logs", "stop", "rm", "target-root"} <= set(complete("unibuild ", 1))
    assert complete("unibuild target-root ", 2) == ["add", "create", "ls"]
    env = {**os.environ, "_UNIBUILD_COMPLETE": "bash_source"}
    script = subprocess.run([sys.executable, "-m", "unibuild"], env=env, capture_output=True, text=True,
                            timeout=30).stdout
    assert "complete -o nosort -F _unibuild_completion unibuild" in script
