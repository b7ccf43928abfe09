"""Reading a target root from the host without ever leaving it.

A target root is a directory tree that will become `/` in the guest. Paths inside it are
guest paths ("/lib/libc.so.6"); symlinks are followed as the guest kernel would follow them,
so an absolute link target is re-rooted and `..` stops at the root. Nothing outside the
root is ever opened.
"""

import os
import posixpath
import stat
from dataclasses import dataclass
from pathlib import Path

# Linux gives up after 40 symlinks in one lookup (ELOOP); so do we.
MAX_SYMLINKS = 40

# Called with (host path, lstat result or None) for every component a lookup examines, when set:
# the image cache (unibuild/image/cache.py) records what a resolution depended on, misses too.
observer = None


@dataclass(frozen=True)
class Symlink:
    """A symlink met on the way to a file: the guest path of the link and its target text."""

    path: str
    target: str


@dataclass(frozen=True)
class Lookup:
    """Where a guest path really leads inside the root."""

    path: str  # the guest path as asked for (normalised)
    real_path: str  # the guest path after every symlink was followed
    host_path: Path  # the file on the host (inside the root)
    symlinks: tuple[Symlink, ...]  # every link followed, in order


class RootFS:
    """A read-only view of a target root directory addressed by guest paths."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def host(self, real_path: str) -> Path:
        """Host path of a guest path that has no symlinks left in it."""
        return self.root / real_path.lstrip("/")

    def lookup(self, path: str, cwd: str = "/") -> Lookup | None:
        """Follow `path` inside the root; None when it does not exist (or loops)."""
        # No normpath: "a/link/.." must mean the parent of the link's target, as in the kernel.
        path = posixpath.join(cwd, path)
        todo = [c for c in path.split("/") if c]
        done: list[str] = []
        links: list[Symlink] = []
        while todo:
            comp = todo.pop(0)
            if comp == ".":
                continue
            if comp == "..":
                if done:
                    done.pop()
                continue
            guest = "/" + "/".join(done + [comp])
            try:
                st = os.lstat(self.host(guest))
            except OSError:
                if observer is not None:
                    observer(self.host(guest), None)
                return None
            if observer is not None:
                observer(self.host(guest), st)
            if stat.S_ISLNK(st.st_mode):
                if len(links) >= MAX_SYMLINKS:
                    return None
                target = os.readlink(self.host(guest))
                links.append(Symlink(guest, target))
                if target.startswith("/"):
                    done = []
                todo = [c for c in target.split("/") if c] + todo
                continue
            if todo and not stat.S_ISDIR(st.st_mode):
                return None
            done.append(comp)
        real = "/" + "/".join(done)
        return Lookup(path, real, self.host(real), tuple(links))

    def is_file(self, path: str) -> Lookup | None:
        """Like lookup, but only a regular file counts (what ld.so can map)."""
        found = self.lookup(path)
        if found is None or not found.host_path.is_file():
            return None
        return found

    def is_dir(self, path: str) -> bool:
        found = self.lookup(path)
        return found is not None and found.host_path.is_dir()

    def listdir(self, path: str) -> list[str]:
        found = self.lookup(path)
        if found is None or not found.host_path.is_dir():
            return []
        return sorted(os.listdir(found.host_path))

    def read_text(self, path: str) -> str | None:
        found = self.is_file(path)
        if found is None:
            return None
        return found.host_path.read_text(errors="replace")
