"""Knowing the kernel is up to date without running make.

A `make` that has nothing to do still costs this machine ~100 ms (make reading every dependency
file, plus the toolchain's three identity queries), more than the rest of a warm `unibuild run`.
After a successful build we record what the build read, as make would judge it: the size and
modification time of every file and directory under the kernel's and the platform's source trees
(a directory's time changes when an entry is added, removed or renamed, so a new header that
shadows another is noticed too), the fetched third-party sources' stamps, the tools' binaries
(an upgraded compiler), the make arguments, and the Image it produced. The next build whose
record matches all of it is skipped; anything else runs make as before.

The record is taken *before* make runs: a source edited while make works makes the record stale,
so the next build runs make again instead of trusting a mix.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

STAMP_NAME = "unibuild-inputs.json"
TOOLS = ("gcc", "ld", "objcopy")


def _stat(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def _tree(root: Path, out: dict[str, list[int] | None]) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        out[dirpath] = _stat(dirpath)
        for name in filenames:
            path = os.path.join(dirpath, name)
            out[path] = _stat(path)


def snapshot(trees: Iterable[Path], cache_dir: Path, prefix: str, make_args: list[str],
             env: Mapping[str, str]) -> dict:
    """What a build with `make_args` depends on, as stat results (None for a missing file)."""
    files: dict[str, list[int] | None] = {}
    for tree in trees:
        _tree(tree, files)
    if cache_dir.is_dir():
        for entry in sorted(os.listdir(cache_dir)):
            files[str(cache_dir / entry / ".fetched")] = _stat(str(cache_dir / entry / ".fetched"))
    path = env.get("PATH", os.defpath)
    tools = {}
    for tool in [prefix + t for t in TOOLS] + ["make"]:
        found = shutil.which(tool, path=path)
        tools[tool] = [found, _stat(found) if found else None]
    return {"make": make_args, "tools": tools, "files": files}


def _stamp(target_dir: Path) -> Path:
    return target_dir / STAMP_NAME


def is_fresh(target_dir: Path, image: Path, now: dict) -> bool:
    """True when the recorded build read exactly what `now` says and left `image` as it is."""
    try:
        recorded = json.loads(_stamp(target_dir).read_text())
    except (OSError, ValueError):
        return False
    return recorded.get("inputs") == now and recorded.get("image") == _stat(str(image))


def record(target_dir: Path, image: Path, before: dict) -> None:
    """After a successful make: the inputs as they were when it started, and its Image."""
    stamp = _stamp(target_dir)
    tmp = stamp.with_suffix(".tmp")
    tmp.write_text(json.dumps({"inputs": before, "image": _stat(str(image))}))
    os.replace(tmp, stamp)


def forget(target_dir: Path) -> None:
    """Before make runs: a build that fails or is interrupted leaves no record behind."""
    try:
        _stamp(target_dir).unlink()
    except FileNotFoundError:
        pass
