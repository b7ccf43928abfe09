"""The pipeline as a library: a program and options in, an image and a boot out.

    toolchain -> kernel build -> target root -> dependency resolution -> image -> boot
    toolchain.py  kernel.py      targetroot/    resolve/                 image/   launch/

`unibuild run` and `unibuild build`, the benchmarks and the tests all call these functions, so
the order (the image first, so a wrong program or a missing library fails before any kernel
build) and the glue (the ld.so.cache in a scratch directory that outlives the image write, the
ELF facts read once and handed on) live here only.

Imports are deliberately late for the stages a warm run skips: an image found in the cache
(image/cache.py) needs neither the resolver (pyelftools) nor the image writer (construct), and
an up-to-date kernel needs no toolchain probe.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO, TextIO
from uuid import UUID

from .errors import UserError
from .early_start import replay, start_early
from .kernel import build_platform_kernel, kernel_build
from .paths import BUILD_DIR
from .launch.network import StaticIp
from .host import probe as host_probe
from .launch.qemu_cmdline import LaunchOptions, build_command
from .platform import load_platform

if TYPE_CHECKING:
    from .timings import Timings
    from .image import Manifest, WriteStats
    from .image.program import PreparedProgram
    from .launch.qemu_run import BootResult

# tfs.format.DEFAULT_BLOCK_SIZE, not imported from there: loading construct costs ~15 ms, which
# a run whose image is cached never needs (tests/unit/test_image_cache.py checks they agree).
DEFAULT_BLOCK_SIZE = 4096


@dataclass(frozen=True)
class ImageRequest:
    """Everything that decides an image's contents, in the command line's own terms."""

    program: str                      # a host file, a path inside the target root, or SRC:DST (static, placed as is)
    args: tuple[str, ...] = ()
    with_programs: tuple[str, ...] = ()   # --with: more programs (PATH or SRC:DST), resolved like `program`
    env: dict[str, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()       # SRC[:DST] specs, as for -f
    dirs: tuple[str, ...] = ()        # SRC[:DST] specs, as for --dir
    kernel_options: tuple[str, ...] = ()   # KEY[=VALUE] specs, as for --kopt
    target_root: str | Path | None = None
    extras: bool = True
    static_ip: StaticIp | None = None
    in_image: bool = False            # `program` is already an image path (placed by files/dirs)
    workdir: str | None = None        # the program's working directory in the image (made if missing)
    keep_mtime: bool = False          # store each file's mtime (run and build), else 0
    # The image's layout (`unibuild build` only; run uses the defaults).
    keep_owner: bool = False
    uuid: UUID | None = None
    block_size: int = DEFAULT_BLOCK_SIZE
    min_size: int = 0
    writable: bool = False            # TFS 2.0: the kernel writes the program's changes back


def manifest_for(request: ImageRequest, scratch: Path) -> tuple[Manifest, PreparedProgram | None]:
    """The manifest for `request`, the program resolved into it (generated files go to
    `scratch`, which must outlive the image write); every ELF in it checked to be aarch64."""
    from .image import Manifest, parse_kernel_option, parse_placement
    from .image.program import check_elf_files
    from .image.programs import add_programs
    m = Manifest(program="", args=list(request.args), env=dict(request.env),
                 keep_mtime=request.keep_mtime, keep_owner=request.keep_owner, uuid=request.uuid,
                 block_size=request.block_size, min_size=request.min_size, writable=request.writable)
    m.files = [parse_placement(f) for f in request.files]
    m.dirs = [parse_placement(d) for d in request.dirs]
    prepared = None
    by_hand = request.in_image or ":" in request.program   # SRC:DST: a static program, no resolution
    programs = add_programs(m, None if by_hand else request.program, request.with_programs,
                            target_root=request.target_root, extras=request.extras, scratch=scratch)
    if request.in_image:
        m.program = request.program
    elif by_hand:
        placement = parse_placement(request.program)
        m.files.append(placement)
        m.program = placement.dst
    else:
        prepared = programs.main
    for f in request.files:
        if parse_placement(f).dst == m.program:
            raise UserError(f"-f {f} would replace the program itself at {m.program}; place it elsewhere")
    m.kernel_options.update(parse_kernel_option(opt) for opt in request.kernel_options)
    from .image.kernel_options import check_kernel_option_names
    check_kernel_option_names(m.kernel_options)
    if request.workdir is not None:
        add_workdir(m, request.workdir, scratch)
    if request.static_ip is not None:
        m.kernel_options.update(request.static_ip.kernel_options())
    check_elf_files(m, prepared.checked if prepared is not None else frozenset())
    return m, prepared


def add_workdir(m: Manifest, workdir: str, scratch: Path) -> None:
    """The kernel starts the program in `workdir` (kernel option cwd); like docker's -w, the
    directory is made (empty, mode 755) when nothing else puts it in the image."""
    from .image import parse_placement
    path = PurePosixPath(workdir)
    if not path.is_absolute() or ".." in path.parts or "\0" in workdir:
        raise UserError(f"--workdir {workdir!r} must be an absolute path inside the image, without '..'")
    m.kernel_options["cwd"] = str(path)
    if str(path) != "/":
        empty = scratch / "workdir"
        empty.mkdir(mode=0o755, exist_ok=True)
        empty.chmod(0o755)
        m.dirs.append(parse_placement(f"{empty}:{path}"))


def scratch_dir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="unibuild-image-")


def build(request: ImageRequest, output: Path, *,
          built_for: Callable[[], dict[str, str]] | None = None) -> WriteStats:
    """`unibuild build`: the image for `request` written to `output`. `built_for`, called once
    the program is resolved (so a wrong program fails before any kernel build), gives the kernel
    record the image keeps (image/built_for.py)."""
    from .image import build_image
    with scratch_dir() as tmp:
        manifest, _ = manifest_for(request, Path(tmp))
        if built_for is not None:
            manifest.built_for = built_for()
        return build_image(manifest, Path(output))


def _cache_key_fields(request: ImageRequest) -> dict:
    """What decides the image besides the files the build reads: the request, and what relative
    paths and the default target root mean here."""
    from .targetroot.location import ENV_VAR
    fields = dataclasses.asdict(request)
    fields["env"] = sorted(request.env.items())
    return {"request": fields, "cwd": os.getcwd(), "target_root_env": os.environ.get(ENV_VAR)}


def _request_paths(request: ImageRequest) -> list[str]:
    """Host paths the request names (present or not): a file appearing there changes the image."""
    specs = [request.program, *request.with_programs, *request.files, *request.dirs]
    return [spec.split(":", 1)[0] for spec in specs if spec]


def cached_image_path(request: ImageRequest) -> tuple[Path, str] | None:
    """Where the image cache keeps `request`'s image (whether or not it is there and valid) and
    its key; None when the cache is off."""
    from .image import cache
    root = cache.cache_root()
    if root is None:
        return None
    key = cache.key_for(_cache_key_fields(request))
    return root / key / cache.IMAGE, key


@contextlib.contextmanager
def built_image(request: ImageRequest, *, use_cache: bool = True, notes: list[str] | None = None,
                key: str | None = None) -> Iterator[Path]:
    """The image for `request`, valid as long as the block: from the image cache when nothing it
    was built from changed (image/cache.py), else built (and cached) in a private directory.
    `notes` receives which it was, for --timings; `key`, the cache key when the caller has it
    already (cached_image_path)."""
    from .image import cache
    notes = [] if notes is None else notes
    root = cache.cache_root() if use_cache else None
    if root is None:
        key = ""
    elif key is None:
        key = cache.key_for(_cache_key_fields(request))
    if root is not None and (hit := cache.lookup(root, key)) is not None:
        notes.append("cached")
        yield hit
        return
    notes.append("built")
    from .image import build_image
    with scratch_dir() as tmp:
        staging = cache.staging_dir(root, key) if root is not None else None
        image = (staging or Path(tmp)) / cache.IMAGE
        if staging is None:
            manifest, _ = manifest_for(request, Path(tmp))
            build_image(manifest, image)
            yield image
            return
        try:
            with cache.recording(outputs=[Path(tmp), staging]) as recorder:
                manifest, _ = manifest_for(request, Path(tmp))
                build_image(manifest, image)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        yield cache.publish(root, key, staging, recorder, extra_inputs=_request_paths(request))


def kernel_image(platform: str = "virt", *, cross_compile: str | None = None, debug: bool = False,
                 failure_log: TextIO | None = None, progress: TextIO | None = None,
                 notes: list[str] | None = None) -> Path:
    """The platform's kernel Image, built if needed. make's lines go to `progress` as they come,
    or without one are kept back and only go to `failure_log` when the build fails."""
    if progress is not None:
        return build_platform_kernel(platform, cross_compile=cross_compile, debug=debug, out=progress,
                                     notes=notes).image
    log = io.StringIO()
    try:
        return build_platform_kernel(platform, cross_compile=cross_compile, debug=debug, out=log,
                                     notes=notes).image
    except UserError:
        if failure_log is not None:
            failure_log.write(log.getvalue())
        raise


def _may_start_early(launch: LaunchOptions) -> bool:
    """Only a plain boot of a read-only image: volumes are locked for the boot that uses them,
    and a gdb stub's port is the user's to see taken once."""
    return not launch.volumes and launch.gdb_port is None and not launch.firmware and launch.disk is None


def run(request: ImageRequest, launch: LaunchOptions = LaunchOptions(), *, platform: str = "virt",
        cross_compile: str | None = None, debug: bool = False, kernel: Path | None = None,
        echo: BinaryIO | TextIO | None = None, echo_err: BinaryIO | TextIO | None = None,
        warn: Callable[[str], None] | None = None, failure_log: TextIO | None = None,
        timings: "Timings | None" = None, stdin: int | None = None, quiet_kernel: bool = False,
        kernel_progress: TextIO | None = None) -> "BootResult":
    """`unibuild run`: image, kernel (unless `kernel` names one), boot; the guest's result.
    `stdin`, a file descriptor, is the program's stdin (None: empty, reads see end of file);
    `quiet_kernel` keeps the kernel's lines off `echo_err`. The result's `timings` has the
    seconds each step took (image, kernel, boot). `kernel_progress` gets make's lines as they
    come (instead of keeping them for `failure_log`) and is closed once the kernel is built.

    A static address in the request also becomes the network backend's view of the guest."""
    from .timings import Timings
    timings = Timings() if timings is None else timings
    profile = load_platform(platform)
    if request.static_ip is not None and launch.net is not None and launch.net.static_ip is None:
        launch = replace(launch, net=replace(launch.net, static_ip=request.static_ip))
    # The launch options first (a wrong --gic or CPU model for this host is one line before any
    # work), then the image: a wrong program or missing library fails before any kernel build.
    with timings.phase("host probe and launch options"):
        host = host_probe.probe_host()
        build_command(profile, Path("/nonexistent/Image"), launch, host, Path("/nonexistent/qmp.sock"))
    steps: dict[str, float] = {}   # seconds per step, for run's --json
    with contextlib.ExitStack() as stack:
        early, key = None, None
        if kernel is None and _may_start_early(launch):
            # QEMU's start-up overlaps the checks below (early_start.py says when it is used).
            with timings.phase("start QEMU early, with the image and kernel of the last run"):
                cached = cached_image_path(request)
                if cached is not None:
                    guess, key = cached
                    early = start_early(profile, guess, kernel_build(platform, BUILD_DIR, debug).image,
                                        launch, host)
                    if early is not None:
                        stack.callback(early.close)
        with timings.phase("image") as notes:
            image = stack.enter_context(built_image(request, notes=notes, key=key))
        steps["image"] = timings.phases[-1][2] - timings.phases[-1][1]
        if kernel is None:
            with timings.phase("kernel") as notes:
                kernel = kernel_image(platform, cross_compile=cross_compile, debug=debug, failure_log=failure_log,
                                      progress=kernel_progress, notes=notes)
                if kernel_progress is not None:
                    kernel_progress.close()
            steps["kernel"] = timings.phases[-1][2] - timings.phases[-1][1]
        with timings.phase("import the QEMU runner"):
            from .launch.qemu_run import boot
        with timings.phase("boot") as notes:
            if early is not None and early.holds(image, kernel):
                notes.append("QEMU started early")
                replay(early.warnings, warn)
                result = early.qemu.run(echo=echo, echo_err=echo_err, stdin=stdin, quiet_kernel=quiet_kernel)
            else:
                if early is not None:
                    early.close()        # its network and ports must be free for this boot's
                result = boot(profile, kernel, replace(launch, disk=image), host=host, echo=echo,
                              echo_err=echo_err, warn=warn, stdin=stdin, quiet_kernel=quiet_kernel)
        steps["boot"] = timings.phases[-1][2] - timings.phases[-1][1]
        for phase in result.phases:
            timings.add("  " + phase[0], phase[1], phase[2])
        result.timings = steps
        return result


__all__ = ["ImageRequest", "build", "built_image", "kernel_image", "manifest_for", "run",
           "scratch_dir"]
