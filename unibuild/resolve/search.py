"""One library lookup, in the order glibc's ld.so (2.36, aarch64) uses.

For a name without a slash, requested by object L:
  1. if L has no DT_RUNPATH: DT_RPATH of L, of the object that loaded L, and so on up to
     the program (RPATH is inherited down the load chain; an object with RUNPATH has none);
  2. LD_LIBRARY_PATH;
  3. DT_RUNPATH of L only (never inherited);
  4. /etc/ld.so.cache, unless L is DF_1_NODEFLIB (here: the ld.so.conf directories, whose
     cache entries unibuild writes itself);
  5. the default directories, unless L is DF_1_NODEFLIB.
In steps 1, 2, 3 and 5 ld.so also tries the legacy hwcap subdirectories of each directory
(tls, the AT_PLATFORM name, hwcap names) before the directory itself.
"""

import posixpath
from dataclasses import dataclass
from typing import Callable

from ..elf import ELF_MAGIC
from ..errors import UserError
from ..targetroot.rootfs import Lookup, RootFS
from .ldconfig import ldconfig_would_index

# ld.so's "system search path" for Debian arm64 (`ld.so --help`).
DEFAULT_DIRS = ("/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib", "/usr/lib")

# $LIB as Debian's arm64 ld.so expands it (the last component of its slibdir).
DST_LIB = "lib/aarch64-linux-gnu"

EM_AARCH64 = 183


@dataclass(frozen=True)
class LoaderPlatform:
    """What the guest's kernel tells ld.so (AT_PLATFORM, AT_HWCAP) that changes the search."""

    name: str | None = "aarch64"
    hwcap_dirs: tuple[str, ...] = ("atomics",)

    def subdirs(self) -> list[str]:
        """Legacy hwcap subdirectories, most specific first, "" (the directory itself) last."""
        comps = ["tls"] + ([self.name] if self.name else []) + list(self.hwcap_dirs)
        out = []
        for mask in range((1 << len(comps)) - 1, -1, -1):
            picked = [c for i, c in enumerate(comps) if mask & (1 << (len(comps) - 1 - i))]
            out.append("/".join(picked))
        return out


def expand_dst(text: str, origin: str, platform: LoaderPlatform) -> str | None:
    """Expand $ORIGIN/$LIB/$PLATFORM (also ${...}); None if one cannot be expanded."""
    values = {"ORIGIN": origin, "LIB": DST_LIB, "PLATFORM": platform.name}
    out = []
    i = 0
    while i < len(text):
        if text[i] == "$":
            for key, val in values.items():
                for form in (key, "{" + key + "}"):
                    end = i + 1 + len(form)
                    if text.startswith(form, i + 1) and (
                        form.startswith("{") or end == len(text) or not (text[end].isalnum() or text[end] == "_")
                    ):
                        if val is None:
                            return None
                        out.append(val)
                        i = end
                        break
                else:
                    continue
                break
            else:
                out.append("$")
                i += 1
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def split_path_list(text: str, origin: str, platform: LoaderPlatform) -> list[str]:
    """A colon (or semicolon) separated search list as ld.so's fillin_rpath builds it."""
    dirs = []
    for elem in text.replace(";", ":").split(":"):
        expanded = expand_dst(elem, origin, platform)
        if expanded is None:
            continue  # ld.so drops elements whose tokens cannot be expanded
        if expanded == "":
            expanded = "."  # an empty element means the current directory
        while len(expanded) > 1 and expanded.endswith("/"):
            expanded = expanded[:-1]
        if expanded not in dirs:
            dirs.append(expanded)
    return dirs


def _elf_header_verdict(lookup: Lookup, shown: str) -> bool:
    """True if ld.so would map this file, False if it silently skips it (other class or
    machine); raises where ld.so would stop with an error (not ELF, wrong byte order)."""
    with open(lookup.host_path, "rb") as f:
        ident = f.read(20)
    if len(ident) < 20 or ident[:4] != ELF_MAGIC:
        raise UserError(f"{shown} is not an ELF file; the guest's ld.so would stop with 'invalid ELF header' — remove it or fix the search path.")
    if ident[4] != 2:  # ELFCLASS64
        return False
    if ident[5] != 1:
        raise UserError(f"{shown} is big-endian; the guest's ld.so would refuse it — use a little-endian aarch64 library.")
    return int.from_bytes(ident[18:20], "little") == EM_AARCH64


@dataclass
class SearchStep:
    """One stage of the search: a label for messages and the directories it tries."""

    label: str
    dirs: list[str]
    hwcap_subdirs: bool = True
    cache: bool = False  # step 4: found through ld.so.cache (only names ldconfig indexes)


@dataclass
class Found:
    path: str  # the guest path ld.so opens (directory + "/" + name)
    lookup: Lookup
    via_cache: bool


def search(fs: RootFS, name: str, steps: list[SearchStep], platform: LoaderPlatform,
           soname_of: Callable[[Lookup], str | None]) -> Found | None:
    """Try each step's directories in order; the first mappable aarch64 file wins."""
    subdirs = platform.subdirs()
    for step in steps:
        for d in step.dirs:
            if step.cache:
                if not ldconfig_would_index(name):
                    break
                candidates = [d]
            elif step.hwcap_subdirs:
                candidates = [f"{d}/{s}" if s else d for s in subdirs]
            else:
                candidates = [d]
            for cdir in candidates:
                path = (cdir.rstrip("/") or "") + "/" + name
                found = fs.is_file(path)
                if found is None:
                    continue
                try:
                    mappable = _elf_header_verdict(found, path)
                except UserError:
                    if step.cache:
                        continue  # ldconfig never puts a non-ELF file into the cache
                    raise
                if not mappable:
                    continue
                if step.cache:
                    # ldconfig keys the cache by DT_SONAME: the file is reachable under this
                    # name only when that is its soname (or it has none).
                    so = soname_of(found)
                    if so is not None and so != name:
                        continue
                return Found(path, found, step.cache)
    return None


def fallback_dirs(runpath: str | None, rpath: str | None, object_path: str,
                  platform: LoaderPlatform = LoaderPlatform()) -> list[str]:
    """Where ld.so looks for a DT_NEEDED name of the object at guest path `object_path` when its
    cache does not hold the name: the object's RUNPATH (else RPATH), then the default directories."""
    search = runpath or rpath or ""
    dirs = split_path_list(search, posixpath.dirname(object_path), platform) if search else []
    return dirs + list(DEFAULT_DIRS)


def describe_steps(steps: list[SearchStep]) -> str:
    parts = []
    for step in steps:
        if step.dirs:
            parts.append(f"{step.label}: {', '.join(step.dirs)}")
    return "; ".join(parts) if parts else "no directories"


__all__ = ["DEFAULT_DIRS", "LoaderPlatform", "SearchStep", "Found", "search", "expand_dst",
           "split_path_list", "fallback_dirs", "describe_steps"]
