"""`run --gdb`'s load bias, from the kernel loader's own constants (kernel/exec/elf.c PIE_BASE,
PAGE_SHIFT): a PIE goes to PIE_BASE with ASLR off, a fixed-address program stays where it was
linked. tests/boot/test_gdb.py checks the same bias against a breakpoint hit in the guest."""

from __future__ import annotations

import re
import subprocess

import pytest

from unibuild.gdb_attach import load_bias
from unibuild.paths import KERNEL_DIR

CC = "aarch64-linux-gnu-gcc"


@pytest.fixture(scope="module")
def pie_base() -> int:
    return int(re.search(r"#define\s+PIE_BASE\s+(0x[0-9a-f]+)", (KERNEL_DIR / "exec/elf.c").read_text()).group(1), 16)


@pytest.mark.parametrize("flags, pie", [(["-pie", "-fPIE"], True), (["-static", "-no-pie"], False),
                                        (["-static-pie"], True)])
def test_load_bias_is_pie_base_for_a_pie_and_zero_for_a_fixed_program(tmp_path, pie_base, flags, pie):
    src = tmp_path / "m.c"
    src.write_text("int main(void) { return 0; }\n")
    prog = tmp_path / "m"
    subprocess.run([CC, *flags, "-o", str(prog), str(src)], check=True)
    elf_type = subprocess.run(["aarch64-linux-gnu-readelf", "-h", str(prog)], capture_output=True, text=True,
                              check=True).stdout
    assert ("DYN" in elf_type) == pie
    assert load_bias(prog) == (pie_base if pie else 0)


@pytest.mark.parametrize("args, expected", [
    (["--gdb", "prog", "a"], ["--gdb=1234", "prog", "a"]),
    (["--gdb", "4000", "prog"], ["--gdb", "4000", "prog"]),
    (["--gdb", "--gdb-wait", "prog"], ["--gdb=1234", "--gdb-wait", "prog"]),
    (["-e", "--gdb", "--gdb", "prog"], ["-e", "--gdb", "--gdb=1234", "prog"]),   # -e's value is left alone
    (["prog", "--gdb"], ["prog", "--gdb"]),                                        # the program's own
    (["--", "--gdb"], ["--", "--gdb"]),
])
def test_a_bare_gdb_takes_the_default_port_and_never_the_program(args, expected):
    from unibuild.commands.run_cmds import _gdb_port_explicit, run_command
    assert _gdb_port_explicit(run_command, args) == expected
