"""Dependency resolution exactly as the guest's glibc ld.so does it, inside a target root."""

from .elfcheck import ElfInfo, read_elf
from .resolver import ImageFile, LoadedObject, Resolution, resolve
from .search import Platform

__all__ = ["ElfInfo", "ImageFile", "LoadedObject", "Platform", "Resolution", "read_elf", "resolve"]
