"""Programs from the target root that start others: busybox sh pipelines and subshells, python3's
os.fork and subprocess. os.fork is compared with python3 under qemu-aarch64-static; what needs an
exec cannot be (qemu-user without binfmt_misc cannot execve an aarch64 program), so those
expectations are what the shell and Python define: a pipeline's count, a child's exit code."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import UNIBUILD, run
from unibuild.paths import BUILD_DIR

pytestmark = pytest.mark.boot

BUSYBOX_ROOT = BUILD_DIR / "target-root-busybox"
PYTHON_ROOT = BUILD_DIR / "target-root-python3"

# Pipelines through busybox's applet links, a command substitution, a subshell's status, a
# background job and `wait`, a nested shell.
SHELL = ("seq 1 1000 | wc -l; echo a b c | wc -w; ls /bin | grep -c '^sh$'; x=$(printf '%s-' 1 2); "
         "echo $x; (exit 3); echo $?; sleep 0.1 & wait $!; echo bg $?; "
         "sh -c 'exit 5'; echo nested $?; echo done | cat")
SHELL_OUT = "1000\n3\n1\n1-2-\n3\nbg 0\nnested 5\ndone\n"


def test_busybox_sh_runs_pipelines_and_subshells():
    subprocess.run([*UNIBUILD, "target-root", "create", str(BUSYBOX_ROOT), "--package", "busybox"], check=True,
                   stdout=subprocess.DEVNULL)
    ours = run("/bin/busybox", "sh", "-c", SHELL, target_root=BUSYBOX_ROOT)
    assert (ours.returncode, ours.stdout, ours.stderr) == (0, SHELL_OUT, "")


FORK = """
import os, sys
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.write(w, b"from the child %d" % (os.getppid() == parent))
    os._exit(9)
"""
FORK = "import os\nparent = os.getpid()\n" + FORK + """
os.close(w)
print(os.read(r, 100).decode(), os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
"""
SUBPROCESS = """
import subprocess, sys
r = subprocess.run([sys.executable, "-c", "import sys; print('child', sys.argv[1:]); sys.exit(4)", "a b"],
                   capture_output=True, text=True)
print(repr(r.stdout), r.returncode)
print(subprocess.run([sys.executable, "-c", "import os; os.kill(os.getpid(), 15)"]).returncode)
"""


def test_python3_os_fork_and_subprocess():
    subprocess.run([*UNIBUILD, "target-root", "create", str(PYTHON_ROOT), "--package", "python3"], check=True,
                   stdout=subprocess.DEVNULL)
    oracle = subprocess.run(["qemu-aarch64-static", "-L", str(PYTHON_ROOT), str(PYTHON_ROOT / "usr/bin/python3"),
                             "-c", FORK], capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"})
    assert oracle.stdout == "from the child 1 9\n", oracle.stderr
    ours = run("/usr/bin/python3", "-c", FORK + SUBPROCESS, target_root=PYTHON_ROOT)
    assert ours.stdout == oracle.stdout + "\"child ['a b']\\n\" 4\n-15\n", ours.stderr
    assert (ours.returncode, ours.stderr) == (0, "")
