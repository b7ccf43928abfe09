"""The kernel build driver: runs the kernel's make for one platform (docs/host-kernel-contract.md).

Make does the real work and its incrementality; this module picks the arguments, streams make's
progress lines, and hands back where the artifacts are. When nothing the build reads has changed
since the last successful one (kernel_stamp.py) make is not run at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from . import kernel_stamp
from .build_lock import exclusive
from .errors import UserError
from .host.probe import host_arch
from .paths import BUILD_DIR, KERNEL_DIR
from .platform import Platform, load_platform
from .toolchain import Toolchain, choose_prefix, find_toolchain


@dataclass(frozen=True)
class KernelBuild:
    """Where one platform's kernel build lives. Target and host outputs never share a directory."""

    platform: str
    build_dir: Path  # build/<platform>
    target_dir: Path  # build/<platform>/target: aarch64 artifacts
    host_dir: Path  # build/<platform>/host: tools that run on the build machine

    @property
    def image(self) -> Path:
        """The Linux arm64 Image QEMU's -kernel loads."""
        return self.target_dir / "Image"

    @property
    def elf(self) -> Path:
        """The same kernel with symbols, for debuggers."""
        return self.target_dir / "kernel.elf"


def kernel_build(platform: str, build_root: Path = BUILD_DIR, debug: bool = False) -> KernelBuild:
    # A debug kernel gets its own tree: make only compares timestamps, so objects built with
    # other flags in the same directory would silently be reused.
    build_dir = build_root.resolve() / (f"{platform}-debug" if debug else platform)
    return KernelBuild(platform, build_dir, build_dir / "target", build_dir / "host")


def _stamp_inputs(platform: Platform, prefix: str, build: KernelBuild, kernel_dir: Path,
                  make_args: list[str]) -> dict:
    """What decides the build (kernel_stamp.py); -jN is left out, it changes nothing built."""
    args = [a for a in make_args if not a.startswith("-j")]
    return kernel_stamp.snapshot([kernel_dir, platform.directory], build.build_dir.parent / "cache",
                                 prefix, args, os.environ)


def make_command(
    platform: Platform,
    toolchain: Toolchain,
    build: KernelBuild,
    *,
    kernel_dir: Path = KERNEL_DIR,
    debug: bool = False,
    verbose: bool = False,
    jobs: int | None = None,
) -> list[str]:
    """The make invocation the contract defines; BUILD_DIR is absolute so make may cd freely."""
    jobs = jobs or os.cpu_count() or 1
    argv = [
        "make",
        f"-j{jobs}",
        "--no-print-directory",
        "-C",
        str(kernel_dir),
        f"PLATFORM={platform.name}",
        f"CROSS_COMPILE={toolchain.prefix}",
        f"BUILD_DIR={build.build_dir}",
    ]
    if debug:
        argv.append("DEBUG=1")
    if verbose:
        argv.append("V=1")
    return argv


def build_kernel(
    platform: Platform,
    toolchain: Toolchain,
    *,
    build_root: Path = BUILD_DIR,
    kernel_dir: Path = KERNEL_DIR,
    debug: bool = False,
    verbose: bool = False,
    out: TextIO | None = None,
) -> KernelBuild:
    """Runs the kernel's make, echoing its lines to `out` as they come, and checks the result."""
    out = sys.stdout if out is None else out
    if not (kernel_dir / "Makefile").is_file():
        raise UserError(f"no kernel sources at {kernel_dir} (Makefile missing); is the checkout complete?")
    if shutil.which("make") is None:
        raise UserError("make not found on PATH: install the Debian package make")
    build = kernel_build(platform.name, build_root, debug)
    argv = make_command(
        platform, toolchain, build, kernel_dir=kernel_dir, debug=debug, verbose=verbose
    )
    inputs = _stamp_inputs(platform, toolchain.prefix, build, kernel_dir, argv)
    build.target_dir.mkdir(parents=True, exist_ok=True)
    kernel_stamp.forget(build.target_dir)
    # Line by line rather than inherited stdout, so callers (tests, the CLI under capture)
    # see progress through whatever stream they gave us.
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as proc:
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                out.write(line)
                out.flush()
            status = proc.wait()
        except KeyboardInterrupt:
            # make shares our process group, so it got the same Ctrl-C and is stopping too.
            proc.wait()
            raise UserError("kernel build interrupted", exit_code=130) from None
    if status != 0:
        raise UserError(f"kernel build failed (make exited {status}); see make's messages above")
    if not build.image.is_file():
        raise UserError(f"the kernel build finished but {build.image} is missing")
    kernel_stamp.record(build.target_dir, build.image, inputs)
    return build


def fresh_kernel(platform: Platform, cross_compile: str | None, *, build_root: Path = BUILD_DIR,
                 kernel_dir: Path = KERNEL_DIR, debug: bool = False) -> KernelBuild | None:
    """The platform's kernel build when nothing it read changed since it succeeded, else None
    (make must run). Costs a walk of the source trees, no process."""
    build = kernel_build(platform.name, build_root, debug)
    prefix = choose_prefix(cross_compile, os.environ, host_arch())
    stand_in = Toolchain(prefix, Path(), Path(), Path(), "")
    argv = make_command(platform, stand_in, build, kernel_dir=kernel_dir, debug=debug)
    inputs = _stamp_inputs(platform, prefix, build, kernel_dir, argv)
    return build if kernel_stamp.is_fresh(build.target_dir, build.image, inputs) else None


def build_platform_kernel(
    platform_name: str,
    *,
    cross_compile: str | None = None,
    debug: bool = False,
    verbose: bool = False,
    out: TextIO | None = None,
    notes: list[str] | None = None,
) -> KernelBuild:
    """The whole `unibuild kernel` job: profile, toolchain check, make. `notes` receives whether
    make ran, for --timings."""
    notes = [] if notes is None else notes
    platform = load_platform(platform_name)
    if not verbose and (fresh := fresh_kernel(platform, cross_compile, debug=debug)) is not None:
        notes.append("up to date, make not run")
        return fresh
    toolchain = find_toolchain(cross_compile)
    build = kernel_build(platform.name, BUILD_DIR, debug)
    stream = sys.stdout if out is None else out
    with exclusive(build.build_dir.parent / f".{build.build_dir.name}.lock",
                   lambda: stream.write(f"  WAIT    another unibuild is building {build.build_dir}\n")):
        # Whoever held the lock may just have built exactly this.
        if not verbose and (fresh := fresh_kernel(platform, cross_compile, debug=debug)) is not None:
            notes.append("built by another unibuild, make not run")
            return fresh
        notes.append("make")
        return build_kernel(platform, toolchain, debug=debug, verbose=verbose, out=out)
