"""What `unibuild run --gdb` tells the user: where the kernel's and the program's symbols are,
where the program is loaded, and the gdb-multiarch command that attaches to QEMU's gdbstub.

The load address comes from the kernel's own loader (kernel/exec/elf.c): with --gdb the image
turns ASLR off (the kernel option noaslr), so an ET_DYN program goes exactly to PIE_BASE, minus
its lowest segment rounded down to a page (PAGE_SHIFT in the arch's memlayout.h), and an
ET_EXEC one where its headers say (bias 0). Both constants are read from the kernel source
unibuild builds, as the kernel option names are (image/kernel_options.py), so they cannot drift."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from .elf import read_elf
from .errors import UserError
from .paths import KERNEL_DIR

@dataclass(frozen=True)
class GdbTarget:
    port: int
    kernel_elf: Path
    program: Path   # the program's file on the host (its symbols)
    bias: int       # what to add to the program's link-time addresses

    def command(self) -> str:
        parts = ["gdb-multiarch", "-q", "-ex", "set architecture aarch64", "-ex", f"file {self.kernel_elf}",
                 "-ex", f"add-symbol-file {self.program}" + (f" -o {self.bias:#x}" if self.bias else ""),
                 "-ex", f"target remote 127.0.0.1:{self.port}"]
        return shlex.join(parts)

    def lines(self, waiting: bool) -> list[str]:
        how = "paused until gdb continues it" if waiting else "running (add --gdb-wait to start it paused)"
        return [f"gdb: QEMU's gdbstub on 127.0.0.1:{self.port}, the guest {how}",
                f"gdb: kernel symbols {self.kernel_elf}",
                f"gdb: program symbols {self.program}, load bias {self.bias:#x} (ASLR is off with --gdb)",
                f"gdb: attach with: {self.command()}"]


def _kernel_constant(relative: str, name: str) -> int:
    source = (KERNEL_DIR / relative).read_text()
    m = re.search(rf"#define\s+{name}\s+\(?(?:1UL\s*<<\s*)?(0x[0-9a-fA-F]+|\d+)", source)
    if m is None:
        raise UserError(f"cannot find {name} in kernel/{relative} (needed for --gdb)")
    return int(m.group(1), 0)


def load_bias(program: Path) -> int:
    """Where the kernel's loader puts `program` with ASLR off (kernel/exec/elf.c, map_segments).
    The program is checked as the image builder checks it (a missing, foreign or corrupt file is
    one UserError), before the image is built."""
    from elftools.elf.elffile import ELFFile   # pyelftools, only for --gdb

    read_elf(program)
    with open(program, "rb") as f:
        elf = ELFFile(f)
        if elf["e_type"] != "ET_DYN":
            return 0
        lows = [seg["p_vaddr"] for seg in elf.iter_segments() if seg["p_type"] == "PT_LOAD"]
    page = 1 << _kernel_constant("arch/aarch64/include/memlayout.h", "PAGE_SHIFT")
    return _kernel_constant("exec/elf.c", "PIE_BASE") - (min(lows) // page * page)


def gdb_target(port: int, kernel_image: Path, program: Path) -> GdbTarget:
    elf = kernel_image.with_name("kernel.elf")
    if not elf.is_file():
        raise UserError(f"--gdb: the kernel's symbol file {elf} is missing (rebuild with `unibuild kernel`)")
    return GdbTarget(port, elf, program.resolve(), load_bias(program))
