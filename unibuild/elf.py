"""What the dynamic loader reads from one ELF file, and the check that it belongs on aarch64.

Every object that goes into an image passes `read_elf`: anything that is not a 64-bit
little-endian EM_AARCH64 ELF is refused with one sentence naming the file and its machine.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

from construct.core import ConstructError
from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSegment
from elftools.elf.elffile import ELFFile

from .errors import UserError

ELF_MAGIC = b"\x7fELF"

# DF_1_NODEFLIB: the object asks ld.so not to search the cache or the default directories.
DF_1_NODEFLIB = 0x800


@dataclass
class ElfInfo:
    """The dynamic-linking facts of one ELF, as ld.so sees them."""

    interpreter: str | None = None
    needed: list[str] = field(default_factory=list)
    soname: str | None = None
    rpath: str | None = None  # already None when DT_RUNPATH exists: ld.so ignores it then
    runpath: str | None = None
    nodeflib: bool = False


def _describe_machine(elf: ELFFile) -> str:
    bits = "64-bit" if elf.elfclass == 64 else "32-bit"
    endian = "little-endian" if elf.little_endian else "big-endian"
    return f"{elf['e_machine']} {bits} {endian}"


def read_elf(host_path: Path, shown_as: str | None = None) -> ElfInfo:
    """Parse `host_path`, insisting on ELFCLASS64 / little-endian / EM_AARCH64.

    `shown_as` is the name used in error messages (for example the path inside the root)."""
    name = shown_as or str(host_path)
    try:
        f = open(host_path, "rb")
    except OSError as e:
        raise UserError(f"cannot read {name}: {e.strerror}.") from e
    with f:
        try:
            elf = ELFFile(f)
        except (ELFError, ConstructError) as e:
            raise UserError(f"{name} is not an ELF file ({e}); only aarch64 programs and libraries can go into an image.") from e
        if elf.elfclass != 64 or not elf.little_endian or elf["e_machine"] != "EM_AARCH64":
            raise UserError(
                f"{name} is built for {_describe_machine(elf)}, not aarch64 (EM_AARCH64 64-bit little-endian); "
                "rebuild it for aarch64 or use the arm64 package."
            )
        try:
            _check_segments_in_file(elf, os.fstat(f.fileno()).st_size, name)
            return _dynamic_info(elf)
        except (ELFError, ConstructError, ValueError) as e:
            raise UserError(f"{name} is a corrupt ELF file ({e}).") from e


def _check_segments_in_file(elf: ELFFile, size: int, name: str) -> None:
    """A truncated file (a copy cut short): the kernel would map bytes that are not there."""
    for seg in elf.iter_segments():
        end = seg["p_offset"] + seg["p_filesz"]
        if seg["p_type"] == "PT_LOAD" and end > size:
            raise UserError(f"{name} is truncated: a loadable segment ends at byte {end}, past the file's "
                            f"{size} bytes.")


def _dynamic_info(elf: ELFFile) -> ElfInfo:
    info = ElfInfo()
    for seg in elf.iter_segments():
        if seg["p_type"] == "PT_INTERP":
            info.interpreter = seg.get_interp_name()
        elif isinstance(seg, DynamicSegment):
            rpath = None
            for tag in seg.iter_tags():
                kind = tag.entry.d_tag
                if kind == "DT_NEEDED":
                    info.needed.append(tag.needed)
                elif kind == "DT_SONAME":
                    info.soname = tag.soname
                elif kind == "DT_RPATH":
                    rpath = tag.rpath
                elif kind == "DT_RUNPATH":
                    info.runpath = tag.runpath
                elif kind == "DT_FLAGS_1":
                    info.nodeflib = bool(tag.entry.d_val & DF_1_NODEFLIB)
            # glibc's get-dynamic-info drops DT_RPATH when DT_RUNPATH is present, everywhere
            # (also when this object is an ancestor in another object's RPATH chain).
            info.rpath = None if info.runpath is not None else rpath
    return info
