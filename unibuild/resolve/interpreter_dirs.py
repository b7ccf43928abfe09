"""The library directories an interpreter searches by itself, whichever package filled them.

python3.11 looks in /usr/lib/python3.11 (its standard library, from libpython3.11-stdlib and
-minimal) and the dist-packages directories; perl in the @INC of Debian's perl. None of that
follows from the interpreter's package: python3.11-minimal does not depend on the standard
library, and a root without a dpkg database names no package at all. So the directories come
with the interpreter, recognised by its file name, with what the root has in them."""

from __future__ import annotations

import posixpath
import re

from ..targetroot.rootfs import RootFS

PYTHON = re.compile(r"^python(\d+)\.(\d+)$")
PERL = re.compile(r"^perl(5\.\d+)\.\d+$|^perl$")
MULTIARCH = "aarch64-linux-gnu"


def interpreter_library_dirs(fs: RootFS, program: str) -> list[str]:
    """Guest directories of the root the interpreter at `program` reads its modules from
    (those that exist), or [] for a program that is none of the interpreters known here."""
    found = fs.lookup(program)
    name = posixpath.basename(found.real_path if found is not None else program)
    if m := PYTHON.match(name):
        version = f"{m.group(1)}.{m.group(2)}"
        candidates = [f"/usr/lib/python{version}", f"/usr/lib/python{m.group(1)}/dist-packages",
                      f"/usr/local/lib/python{version}/dist-packages"]
    elif m := PERL.match(name):
        # Debian's perl -V @INC; the version directories are the ones the root has.
        versions = [m.group(1)] if m.group(1) else _perl_versions(fs)
        candidates = ["/etc/perl", "/usr/share/perl5", f"/usr/lib/{MULTIARCH}/perl-base"]
        for v in versions:
            candidates += [f"/usr/lib/{MULTIARCH}/perl5/{v}", f"/usr/lib/{MULTIARCH}/perl/{v}",
                           f"/usr/share/perl/{v}"]
    else:
        return []
    return [d for d in candidates if fs.is_dir(d)]


def _perl_versions(fs: RootFS) -> list[str]:
    """5.36 for /usr/lib/aarch64-linux-gnu/perl/5.36 (libperl's directory) or perl5/5.36."""
    names = fs.listdir(f"/usr/lib/{MULTIARCH}/perl") + fs.listdir(f"/usr/lib/{MULTIARCH}/perl5")
    return sorted({n for n in names if re.fullmatch(r"5\.\d+", n)})
