"""Which installed packages a program needs at run time, from the dpkg database alone.

  1. owners: the packages whose file lists hold the program's path, a symlink met on the
     way to it, or the file it leads to (/usr/bin/python3 -> python3-minimal, python3.11 ->
     python3.11-minimal);
  2. their full variants: installed packages built from the same source package that
     depend on an owner. Debian splits a program into `X-minimal` (the binary) and `X`
     (what `apt install X` adds: python3.11 brings libpython3.11-stdlib, where json lives);
     someone who installed `X` and runs its binary expects `X`;
  3. the Pre-Depends/Depends closure of those, each clause satisfied by what is installed
     (the first alternative installed, directly or through Provides).

Left out while following dependencies (never as an owner): the C runtime, whose libraries
the ELF resolver already takes exactly as ld.so loads them, and Essential packages, which
Debian never needs to declare, so a declared dependency on one (dpkg, tar) is about
maintainer scripts or versions, not about files the program reads; a unikernel runs one
program and cannot exec another."""

from __future__ import annotations

from ..targetroot.dpkgdb import InstalledPackage

# The C runtime: ld.so, libc and friends, the GCC runtime libraries, glibc's tools.
C_RUNTIME = frozenset({"libc6", "libc-bin", "libgcc-s1", "libstdc++6"})


def owners_of(paths: set[str], lists: dict[str, set[str]]) -> list[str]:
    """Packages whose file list holds one of `paths` (lists: package -> its paths)."""
    return sorted(name for name, listed in lists.items() if paths & listed)


def full_variants(owners: list[str], installed: dict[str, InstalledPackage]) -> list[str]:
    """Installed packages from an owner's source package that depend on that owner."""
    out = []
    for owner in owners:
        source = installed[owner].source
        for pkg in installed.values():
            if pkg.name in owners or pkg.name in out or pkg.source != source:
                continue
            if any(owner in clause for clause in pkg.depends):
                out.append(pkg.name)
    return sorted(out)


def satisfying(clause: tuple[str, ...], installed: dict[str, InstalledPackage],
               providers: dict[str, list[str]]) -> list[str]:
    """The installed packages that satisfy a clause `a | b | ...`: the first alternative
    installed as itself, else the packages providing it; nothing when none is installed."""
    for name in clause:
        if name in installed:
            return [name]
        if name in providers:
            return providers[name]
    return []


def select(owners: list[str], installed: dict[str, InstalledPackage]) -> tuple[str, ...]:
    """The packages to take files from: owners, their full variants, then the closure in the
    order it meets them."""
    providers: dict[str, list[str]] = {}
    for pkg in sorted(installed.values(), key=lambda p: p.name):
        for virtual in pkg.provides:
            providers.setdefault(virtual, []).append(pkg.name)
    chosen = list(owners) + full_variants(owners, installed)
    seen = set(chosen)
    queue = list(chosen)
    while queue:
        for clause in installed[queue.pop(0)].depends:
            for name in satisfying(clause, installed, providers):
                if name in seen:
                    continue
                seen.add(name)
                if name in C_RUNTIME or installed[name].essential:
                    continue
                chosen.append(name)
                queue.append(name)
    return tuple(chosen)
