"""A cache of built images, keyed by what the build was asked for and checked against what it read.

`unibuild run` of the same program twice should not resolve its libraries and write its image
twice (with the imports that takes, most of a warm run's own time). An entry is found by a key
(the request, this Python, and unibuild's own source files: a changed builder makes new images)
and is used only if every input the build observed is still as it was then:

- every file the build opened for reading and every directory it listed, seen through Python's
  audit hooks (`open`, `os.listdir`, `os.scandir`), with its size, mtime and inode at that moment;
- every path the target root was asked about (`RootFS.lookup`'s lstat of each component), hits
  *and misses*: a library appearing earlier on the search path changes the resolution;
- the request's own host paths (the program, -f and --dir sources), present or not.

Files the build writes (the scratch directory, the image) are outputs, not inputs. An entry is
an `image.tfs` with its `inputs.json`, published by renaming a finished directory into place, so
concurrent runs see a whole entry or none; a run never replaces a valid entry (a concurrent run
may be booting it) and keeps its own image as a leftover instead. QEMU opens the image read-only. Entries beyond
MAX_ENTRIES are removed oldest first, but never one used in the last KEEP_RECENT seconds (a run
may be booting it). UNIBUILD_IMAGE_CACHE names the directory; an empty value turns caching off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

ENV = "UNIBUILD_IMAGE_CACHE"
MAX_ENTRIES = 16
KEEP_RECENT = 600.0
IMAGE = "image.tfs"
INPUTS = "inputs.json"
_PACKAGE = Path(__file__).resolve().parent.parent
# Where the modules this process imports live: unibuild itself, this Python's prefixes and any
# site-packages directory on sys.path (not the working directory: a program's own .py files
# are inputs).
_PYTHON_HOMES = tuple(sorted({str(_PACKAGE) + os.sep, sys.prefix + os.sep, sys.base_prefix + os.sep,
                              sys.exec_prefix + os.sep} |
                             {os.path.abspath(p) + os.sep for p in sys.path
                              if p and os.path.basename(os.path.normpath(p)) in ("site-packages", "dist-packages")}))


def cache_root() -> Path | None:
    """The cache directory, or None when caching is off."""
    configured = os.environ.get(ENV)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "unibuild" / "images"


def _stat(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino]


def _lstat_record(st: os.stat_result | None) -> list[int] | None:
    return None if st is None else [st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino]


def _code_stamp() -> list:
    """unibuild's own sources: an edited image builder must not reuse an old image."""
    out = []
    for dirpath, dirnames, filenames in os.walk(_PACKAGE):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                out.append([path, _stat(path)])
    return out


def key_for(request_fields: dict) -> str:
    """The entry's name: the request plus what builds it (this Python, unibuild's sources)."""
    text = json.dumps({"request": request_fields, "python": sys.version, "code": _code_stamp()},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class Recorder:
    """Collects what a build observes while `active` (audit hooks cannot be removed, so the one
    hook this module installs stays and does nothing between builds)."""

    def __init__(self, outputs: Iterable[Path]):
        self.inputs: dict[str, list[int] | None] = {}
        self._outputs = tuple(str(Path(p).resolve()) for p in outputs)

    def _is_output(self, path: str) -> bool:
        return any(path == o or path.startswith(o + os.sep) for o in self._outputs)

    @staticmethod
    def _is_python_import(path: str) -> bool:
        """A module the build imported on the way: not an input of the image (unibuild's own
        sources are in the key; a bytecode file appears after its first import)."""
        return path.endswith((".py", ".pyc")) and path.startswith(_PYTHON_HOMES)

    def saw_path(self, path) -> None:
        if isinstance(path, int):          # an open descriptor: what it names was seen already
            return
        path = os.path.abspath(os.fsdecode(path))
        if path not in self.inputs and not self._is_output(path) and not self._is_python_import(path):
            self.inputs[path] = _stat(path)

    def saw_lstat(self, path: Path, st: os.stat_result | None) -> None:
        key = "lstat:" + str(path)
        if key not in self.inputs:
            self.inputs[key] = _lstat_record(st)

    def audit(self, event: str, args: tuple) -> None:
        if event == "open":
            path, mode = args[0], args[1]
            if path is not None and (mode is None or not any(c in str(mode) for c in "wax+")):
                if isinstance(mode, int) or mode is None:
                    flags = args[2] if len(args) > 2 else 0
                    if isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                        return
                self.saw_path(path)
        elif event in ("os.listdir", "os.scandir"):
            path = os.path.abspath(os.fsdecode(args[0] if args and args[0] is not None else "."))
            # The import system lists sys.path's directories to find modules: not an input.
            if path not in {os.path.abspath(p) for p in sys.path if isinstance(p, str)}:
                self.saw_path(path)


_active: Recorder | None = None
_hook_installed = False


def _hook(event: str, args: tuple) -> None:
    if _active is not None and (event == "open" or event.startswith("os.")):
        _active.audit(event, args)


@contextlib.contextmanager
def recording(outputs: Iterable[Path]) -> Iterator[Recorder]:
    """Records the inputs of the build run inside the block."""
    from ..targetroot import rootfs   # only a build looks paths up: a cache hit never needs it
    global _active, _hook_installed
    if not _hook_installed:
        sys.addaudithook(_hook)
        _hook_installed = True
    recorder = Recorder(outputs)
    _active = recorder
    rootfs.observer = recorder.saw_lstat
    try:
        yield recorder
    finally:
        _active = None
        rootfs.observer = None


def _valid(inputs: dict[str, list[int] | None]) -> bool:
    for path, recorded in inputs.items():
        if path.startswith("lstat:"):
            try:
                now = _lstat_record(os.lstat(path[len("lstat:"):]))
            except OSError:
                now = None
        else:
            now = _stat(path)
        if now != recorded:
            return False
    return True


def _entry_valid(entry: Path) -> bool:
    try:
        inputs = json.loads((entry / INPUTS).read_text())
    except (OSError, ValueError):
        return False
    return _valid(inputs)


def lookup(root: Path, key: str) -> Path | None:
    """The cached image for `key` if every input it recorded is unchanged."""
    entry = root / key
    if not _entry_valid(entry):
        return None
    with contextlib.suppress(OSError):
        os.utime(entry)                 # recently used: pruning leaves it alone
    return entry / IMAGE


def staging_dir(root: Path, key: str) -> Path | None:
    """A private directory inside the cache to build the entry in (so publishing it is a rename
    on one file system), or None when the cache cannot be written."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
    except OSError:
        return None


def publish(root: Path, key: str, staging: Path, recorder: Recorder, extra_inputs: Iterable[str] = ()) -> Path:
    """Makes `staging` (holding IMAGE) the entry for `key`, with the inputs its build recorded;
    returns the image's path, valid for this run in any case."""
    for path in extra_inputs:
        recorder.saw_path(path)
    entry = root / key
    try:
        (staging / INPUTS).write_text(json.dumps(recorder.inputs))
        if entry.exists() and _entry_valid(entry):
            return staging / IMAGE       # another run published a good one meanwhile: theirs stays
        if entry.exists():               # a stale entry (its inputs changed): ours replaces it
            trash = Path(tempfile.mkdtemp(prefix=f".{key}-old-", dir=root))
            os.rename(entry, trash / "entry")
            shutil.rmtree(trash, ignore_errors=True)
        os.rename(staging, entry)
    except OSError:                      # another run published this key at the same moment
        return staging / IMAGE           # ours stays valid for this run; pruned as a leftover
    _prune(root)
    return entry / IMAGE


def _prune(root: Path) -> None:
    now = time.time()
    entries = []
    # Other runs share the directory: an entry may vanish between the listing and its stat.
    try:
        listing = list(os.scandir(root))
    except OSError:
        return
    for entry in listing:
        with contextlib.suppress(OSError):
            if entry.name.startswith("."):
                if now - entry.stat().st_mtime > KEEP_RECENT:   # a staging directory left by a crash
                    shutil.rmtree(entry.path, ignore_errors=True)
                continue
            entries.append((entry.stat().st_mtime, entry.path))
    entries.sort(reverse=True)
    for mtime, path in entries[MAX_ENTRIES:]:
        if now - mtime > KEEP_RECENT:
            shutil.rmtree(path, ignore_errors=True)
