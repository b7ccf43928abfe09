"""Which kernel an image was built for, and the check that it is the one booting it.

`unibuild build` records in the image's boot tuple (attribute `built_for`, docs/tfs.md section
5) the platform and the SHA-256 of the kernel Image it built the image beside. `boot IMAGE` (and
its --print-qemu) boots that platform's kernel and refuses, in one line, a kernel whose digest
differs: the image's program, kernel options and the kernel's ABI were chosen together, and a
different kernel (another build, a --debug one, another platform's) is not what was tested.
Images written before the record existed have none and boot with any kernel.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError


@dataclass(frozen=True)
class BuiltFor:
    platform: str
    kernel: str      # "sha256:" + the hex digest of the kernel Image

    def as_tuple(self) -> dict[str, str]:
        return {"platform": self.platform, "kernel": self.kernel}


def kernel_digest(kernel: Path) -> str:
    try:
        data = Path(kernel).read_bytes()
    except OSError as e:
        raise UserError(f"cannot read kernel {kernel}: {e.strerror}") from None
    return "sha256:" + hashlib.sha256(data).hexdigest()


def built_for(platform: str, kernel: Path) -> BuiltFor:
    return BuiltFor(platform, kernel_digest(kernel))


def from_tuple(tup: object) -> BuiltFor | None:
    """The record read back from an image's boot tuple (None: none, or not one we understand)."""
    if not isinstance(tup, dict):
        return None
    platform, kernel = tup.get("platform"), tup.get("kernel")
    if isinstance(platform, str) and isinstance(kernel, str):
        return BuiltFor(str(platform), str(kernel))
    return None


def _short(digest: str) -> str:
    return digest[: len("sha256:") + 12]


def check_kernel(image: Path, recorded: BuiltFor | None, platform: str, kernel: Path) -> None:
    """One line when `kernel` (for `platform`) is not the kernel `image` was built for."""
    if recorded is None:
        return
    if recorded.platform != platform:
        raise UserError(f"{image} was built for platform {recorded.platform}, not {platform}; "
                        f"boot it with --platform {recorded.platform}")
    digest = kernel_digest(kernel)
    if digest != recorded.kernel:
        raise UserError(f"{image} was built for kernel {_short(recorded.kernel)}, but {kernel} is "
                        f"{_short(digest)}; rebuild the image with `unibuild build`, or boot it with "
                        "--kernel and the Image it was built for")
