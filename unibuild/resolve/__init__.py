"""Dependency resolution (stage 4 of the pipeline): what a program loads and reads at run time,
found inside a target root exactly as the guest's glibc ld.so and its packages would.

The public API: `resolve` (the ELF closure and the ld.so.cache that makes the guest find it) and
`program_package_files` (the files the program's Debian packages installed)."""

from ..elf import ElfInfo, read_elf
from .package_files import PackageFiles, program_package_files
from .resolver import ImageFile, LoadedObject, Resolution, resolve
from .search import LoaderPlatform

__all__ = ["ElfInfo", "ImageFile", "LoadedObject", "LoaderPlatform", "PackageFiles", "Resolution",
           "program_package_files", "read_elf", "resolve"]
