"""Where the target root is (--target-root, $NANOS_TARGET_ROOT, build/target-root) and the check
that a directory is one: an arm64 glibc root, judged by its dynamic loader."""

import os
from pathlib import Path

from ..errors import UserError
from ..paths import BUILD_DIR

DEFAULT_ROOT = BUILD_DIR / "target-root"
ENV_VAR = "NANOS_TARGET_ROOT"
INTERPRETER = "/lib/ld-linux-aarch64.so.1"
CREATE_HINT = "create one with `unibuild target-root create` or point --target-root/NANOS_TARGET_ROOT at an arm64 root"


def chosen_root(option: str | Path | None = None) -> Path:
    """The root a command means, checked or not: --target-root, $NANOS_TARGET_ROOT, build/target-root."""
    return Path(option or os.environ.get(ENV_VAR) or DEFAULT_ROOT)


def find_root(option: str | Path | None = None) -> Path:
    """The target root to use: --target-root, else $NANOS_TARGET_ROOT, else build/target-root;
    checked to be an arm64 root."""
    chosen = option or os.environ.get(ENV_VAR) or DEFAULT_ROOT
    return check_root(Path(chosen))


def check_root(root: Path) -> Path:
    """Refuse a missing root or one whose dynamic loader is not aarch64."""
    from ..elf import read_elf      # pyelftools: only when a root is really checked
    from .rootfs import RootFS      # as is the lookup (a cached run reads ENV_VAR, nothing else)
    if root.exists() and not root.is_dir():
        raise UserError(f"target root {root} is a file, not a directory; {CREATE_HINT}.")
    if not root.is_dir():
        raise UserError(f"target root {root} does not exist; {CREATE_HINT}.")
    found = RootFS(root).is_file(INTERPRETER)
    if found is None:
        raise UserError(f"target root {root} has no {INTERPRETER}, so it is not an arm64 glibc root; {CREATE_HINT}.")
    try:
        read_elf(found.host_path, f"{root}{INTERPRETER}")
    except UserError as e:
        raise UserError(f"target root {root} is not arm64: {e} {CREATE_HINT[0].upper() + CREATE_HINT[1:]}.") from e
    return root
