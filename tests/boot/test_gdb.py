"""`unibuild run --gdb PORT --gdb-wait`: the command it prints attaches gdb-multiarch to QEMU's
gdbstub with the kernel's and the program's symbols, and a breakpoint on the program's main
(at its printed load bias) is hit there; the program then runs on to its normal end."""

from __future__ import annotations

import shlex
import shutil
import subprocess

import pytest

from lib.guest import TARGET_ROOT, UNIBUILD
from lib.netutil import free_port

pytestmark = pytest.mark.boot


def test_the_printed_gdb_command_attaches_and_stops_at_main(programs, target_root):
    if shutil.which("gdb-multiarch") is None:
        pytest.fail("gdb-multiarch is needed (deps/apt-packages.txt)")
    port = free_port()
    run = subprocess.Popen([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "90", "--net", "none",
                            "--target-root", str(TARGET_ROOT), "--gdb", str(port), "--gdb-wait",
                            str(programs["hello"]), "a"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not lines or "attach with:" not in lines[-1]:
            line = run.stderr.readline()
            assert line, f"run ended before printing the gdb command: {lines}"
            lines.append(line)
        assert [l.split(": ", 2)[2].split(" ")[0] for l in lines] == ["QEMU's", "kernel", "program", "attach"]
        assert "load bias 0xaaaaaaaa0000" in lines[2]   # hello is a PIE: PIE_BASE, ASLR off
        command = shlex.split(lines[-1].split("attach with: ", 1)[1])
        gdb = subprocess.run([*command, "-batch", "-ex", "hbreak main", "-ex", "continue",
                              "-ex", "info symbol $pc", "-ex", "detach"],
                             capture_output=True, text=True, timeout=60)
        assert "Breakpoint 1, " in gdb.stdout and " in main ()" in gdb.stdout, gdb.stdout + gdb.stderr
        assert f"main in section .text of {programs['hello'].resolve()}" in gdb.stdout
        out, err = run.communicate(timeout=90)
    finally:
        run.kill()
        run.wait()
    assert run.returncode == 0, err
    assert out == "hello world!\nargs:\n  a\n"
