"""The nested-KVM host (L1): Debian's arm64 Linux with KVM, booted under this machine's QEMU
(TCG, virtualization=on), running our kernel under `qemu-system-aarch64 -accel kvm` inside it.

Built from Debian's arm64 packages with the target root's apt machinery (no chroot, no
emulation): the kernel's uncompressed Image from /boot, and an initramfs holding busybox-static,
qemu-system-aarch64 with exactly the libraries its ld.so loads (our resolver, against the
unpacked packages), and the runner (tests/kvm/l1_runner.c, static) that plays unibuild's QMP
sequence. That base is cached under build/kvm-l1/KEY, KEY naming the exact package versions.
Each outer boot adds a second archive: our kernel, the images, one directory per inner run.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import select
import shlex
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from newc import NewcWriter
from unibuild.host import HostInfo, KvmStatus
from unibuild.launch.console_mux import ConsoleDemux
from unibuild.launch.network import NetOptions, PortForward, nic_args, slirp_netdev
from unibuild.launch.qemu_cmdline import LaunchOptions, build_command
from unibuild.launch.qemu_run import BootResult, parse_exit_report, result_from_report
from unibuild.paths import BUILD_DIR
from unibuild.platform import load_platform
from unibuild.resolve import resolve
from unibuild.targetroot import download_debs, unpack_deb

PACKAGES = ["linux-image-arm64", "busybox-static", "qemu-system-arm"]
CACHE = BUILD_DIR / "kvm-l1"
BASE_FORMAT = "kvm-l1 base 1"   # change when the base archive's layout changes
QEMU = "/usr/bin/qemu-system-aarch64"
RUNNER_SOURCE = Path(__file__).with_name("l1_runner.c")
TARGET_CC = "aarch64-linux-gnu-gcc"

# The outer machine: KVM in L1 runs in nVHE mode on a Cortex-A72 (like a Raspberry Pi 4) and in
# VHE mode on `max` (FEAT_VHE; impdef pointer authentication keeps TCG fast).
CPUS = {"nvhe": "cortex-a72", "vhe": "max,pauth-impdef=on"}
L1_MEMORY = "2G"
L1_SMP = 2


@dataclass(frozen=True)
class L1Base:
    image: Path        # Debian's arm64 Linux Image
    archive: Path      # the initramfs part that does not change between runs
    versions: str      # "name version" lines of the packages it came from


def build_base(progress=lambda line: None) -> L1Base:
    """Debian's kernel and the base initramfs, built once per set of package versions."""
    debs = download_debs(PACKAGES, progress=progress)
    versions = "".join(f"{p.name} {p.version}\n" for p, _ in sorted(debs, key=lambda d: d[0].name))
    key = hashlib.sha256((BASE_FORMAT + "\n" + versions).encode()).hexdigest()[:16]
    out = CACHE / key
    base = L1Base(out / "Image", out / "base.cpio", versions)
    if (out / "versions.txt").exists():
        return base
    if out.exists():
        shutil.rmtree(out)    # a build that did not finish
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE, prefix="staging-") as staging:
        root = Path(staging)
        for pkg, deb in debs:
            progress(f"  DEB     {pkg.name} {pkg.version}")
            unpack_deb(deb, root)
        images = sorted(root.glob("boot/vmlinuz-*-arm64"))
        if len(images) != 1:
            raise RuntimeError(f"expected one arm64 kernel in /boot, found {images}")
        config = images[0].with_name(images[0].name.replace("vmlinuz", "config")).read_text()
        if "\nCONFIG_KVM=y\n" not in config:
            raise RuntimeError(f"{images[0].name} does not have KVM built in (CONFIG_KVM=y)")
        out.mkdir()
        shutil.copyfile(images[0], base.image)
        with open(base.archive, "wb") as f:
            w = NewcWriter(f)
            for d in ("bin", "dev", "proc", "sys", "tmp", "kvm"):
                w.directory(d)
            w.host_file("bin/busybox", root / "bin/busybox")
            w.symlink("bin/sh", "busybox")
            # qemu-system-aarch64 and exactly what ld.so loads for it (the program first).
            for item in resolve(root, QEMU, extras=False).files:
                if item.symlink is not None:
                    w.symlink(item.path, item.symlink)
                else:
                    w.host_file(item.path, item.host_path)
            w.close()
        (out / "versions.txt").write_text(versions)
    return base


def build_runner(out_dir: Path) -> Path:
    runner = out_dir / "l1_runner"
    subprocess.run([TARGET_CC, "-O2", "-Wall", "-Wextra", "-Werror", "-static", "-o", str(runner),
                    str(RUNNER_SOURCE)], check=True)
    return runner


# The L1 init: mount what qemu needs, bring up loopback (the inner slirp's forwarded ports
# listen on L1's 127.0.0.1), then hand PID 1 to the runner, which powers L1 off when done.
INIT = """#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs tmpfs /tmp
/bin/busybox mount -t debugfs debugfs /sys/kernel/debug
/bin/busybox ip link set lo up
exec /kvm/l1_runner /kvm/runs
"""


@dataclass
class InnerRun:
    """One inner boot: an image, what unibuild would pass QEMU for it, an optional HTTP client."""

    name: str
    image: Path
    http: tuple[int, int, str] | None = None   # (guest port, requests, path)
    verbose: bool = False                        # --verbose: the kernel's boot diagnostics
    smp: int | None = None                       # --smp (None: the platform's default)
    timeout: int = 60


def inner_command(kernel: str, disk: str, qmp: str, http_port: int | None, verbose: bool = False,
                  smp: int | None = None):
    """The argv `build_command` gives for `--accel kvm` on an aarch64 host with /dev/kvm (the
    paths are L1's); a NIC on QEMU's slirp when the run serves HTTP (L1 has no passt)."""
    host = HostInfo("aarch64", KvmStatus(True, "/dev/kvm usable"))
    network = None
    net = None
    if http_port is not None:
        net = NetOptions(ports=(PortForward(http_port, http_port),))
        network = nic_args(slirp_netdev(net), None)
    return build_command(load_platform("virt"), Path(kernel),
                         LaunchOptions(accel="kvm", disk=Path(disk), net=net, verbose=verbose, smp=smp),
                         host, Path(qmp), network=network)


def runs_archive(path: Path, kernel: Path, runner: Path, runs: list[InnerRun]) -> dict[str, list[str]]:
    """The per-boot initramfs part; returns each run's inner argv (for messages)."""
    argvs = {}
    with open(path, "wb") as f:
        w = NewcWriter(f)
        w.file("init", INIT.encode(), 0o755)
        w.host_file("kvm/l1_runner", runner)
        w.host_file("kvm/Image", kernel)
        for i, run in enumerate(runs):
            name = f"{i:02d}-{run.name}"
            disk, qmp = f"/kvm/{name}.img", f"/tmp/{name}.qmp"
            w.host_file(disk, run.image)
            command = inner_command("/kvm/Image", disk, qmp, run.http[0] if run.http else None, run.verbose,
                                    run.smp)
            argvs[name] = command.argv
            d = f"kvm/runs/{name}"
            w.file(f"{d}/argv", b"".join(a.encode() + b"\0" for a in command.argv))
            w.file(f"{d}/qmp", qmp.encode())
            # What qemu_run asks after SHUTDOWN, chosen the same way.
            w.file(f"{d}/monitor", b"info registers -a" if command.smp > 1 else b"info registers")
            w.file(f"{d}/timeout", str(run.timeout).encode())
            if run.http:
                w.file(f"{d}/http", " ".join(map(str, run.http)).encode())
        w.close()
    return argvs


@dataclass
class RunOutcome:
    """What the runner sent back about one inner run, decoded as the host's launcher would."""

    name: str
    outcome: str                 # shutdown, timeout, exited, no-qmp
    wall_ms: int
    console: bytes = b""
    stderr: str = ""
    http: bytes = b""
    registers: str = ""          # the text of `info registers`
    streams: dict[str, str] = field(default_factory=dict)   # stdout, stderr, kernel
    kvm_stats: dict[str, int] = field(default_factory=dict)  # L1's KVM counters for this run
    result: BootResult | None = None

    def describe(self) -> str:
        return (f"inner run {self.name}: {self.outcome} after {self.wall_ms} ms\n"
                f"--- inner console ---\n{self.console.decode(errors='replace')}\n"
                f"--- inner QEMU stderr ---\n{self.stderr}\n--- registers ---\n{self.registers}")


_FRAME = re.compile(r"^@@kvm (console|stderr|http|event|registers) (\S+) ([0-9a-f]*)\r?$", re.M)
_STAT = re.compile(r"^@@kvm stat (\S+) (\S+) (-?\d+)\r?$", re.M)
_END = re.compile(r"^@@kvm end (\S+) (\S+) (\d+)\r?$", re.M)


def parse_frames(console: str) -> dict[str, RunOutcome]:
    """The runner's framed lines out of L1's console; each run decoded with qemu_run's own
    decoder (parse_exit_report, result_from_report)."""
    pieces: dict[tuple[str, str], bytearray] = {}
    for kind, name, data in _FRAME.findall(console):
        pieces.setdefault((kind, name), bytearray()).extend(bytes.fromhex(data))
    runs = {}
    for name, outcome, ms in _END.findall(console):
        get = lambda kind: bytes(pieces.get((kind, name), b""))
        run = RunOutcome(name, outcome, int(ms), get("console"), get("stderr").decode(errors="replace"),
                         get("http"))
        demux = ConsoleDemux()
        for stream, data in demux.feed(run.console):
            run.streams[stream] = run.streams.get(stream, "") + data.decode(errors="replace")
        reply, event = get("registers"), get("event")
        if outcome == "shutdown" and reply and event:
            # As qemu_run does: the event's reason, the report from the registers.
            reason = json.loads(event).get("data", {}).get("reason")
            run.registers = json.loads(reply)["return"]
            run.result = result_from_report(parse_exit_report(run.registers),
                                            run.console.decode(errors="replace"), reason)
        runs[name] = run
    for name, stat, value in _STAT.findall(console):
        if name in runs:
            runs[name].kvm_stats[stat] = int(value)
    return runs


@dataclass
class L1Boot:
    config: str
    gic: str
    console: str
    seconds: float
    timed_out: bool
    runs: dict[str, RunOutcome]
    argvs: dict[str, list[str]]
    l1_ready_s: float | None      # when L1's runner first spoke

    def run(self, short: str) -> RunOutcome:
        for name, run in self.runs.items():
            if name.split("-", 1)[1] == short:
                return run
        raise AssertionError(f"no result for inner run {short!r} ({self.config}); L1 console:\n{self.console}")


def outer_argv(base: L1Base, initrd: Path, gic: str, mode: str) -> list[str]:
    return [
        "qemu-system-aarch64",
        "-machine", f"virt,virtualization=on,gic-version={gic}",
        "-cpu", CPUS[mode], "-smp", str(L1_SMP), "-m", L1_MEMORY,
        "-accel", "tcg",
        # No NIC: QEMU's default one would look for efi-virtio.rom, and L1 needs none.
        "-nic", "none", "-display", "none", "-no-reboot",
        "-kernel", str(base.image), "-initrd", str(initrd),
        # panic=-1 turns an L1 panic into a reset, which -no-reboot makes an exit.
        "-append", "console=ttyAMA0 rdinit=/init panic=-1 loglevel=3",
        "-chardev", "stdio,id=console,signal=off", "-serial", "chardev:console",
    ]


def boot_l1(base: L1Base, kernel: Path, runner: Path, runs: list[InnerRun], gic: str, mode: str,
            work: Path, *, timeout: float) -> L1Boot:
    """One outer boot running every inner run in turn; bounded by `timeout` seconds."""
    runs_part = work / f"runs-{gic}-{mode}.cpio"
    argvs = runs_archive(runs_part, kernel, runner, runs)
    initrd = work / f"initrd-{gic}-{mode}.cpio"
    with open(initrd, "wb") as out:
        for part in (base.archive, runs_part):
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out)
    argv = outer_argv(base, initrd, gic, mode)
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    text = io.StringIO()
    ready = None
    timed_out = False
    assert proc.stdout is not None
    try:
        while True:
            left = started + timeout - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            readable, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
            if readable:
                chunk = proc.stdout.read1(65536)
                if not chunk:
                    break    # QEMU exited (L1 powered off, or QEMU failed)
                text.write(chunk.decode(errors="replace"))
                if ready is None and "@@kvm l1-ready" in text.getvalue()[-4096:]:
                    ready = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
    console = text.getvalue()
    return L1Boot(f"gic{gic}-{mode}", gic, console, time.monotonic() - started, timed_out,
                  parse_frames(console), argvs, ready)


def prepare_by_hand(gic: str, mode: str, images: list[Path], out: Path) -> list[str]:
    """An initrd in `out` with one inner run per image, and the outer argv that boots it."""
    from unibuild.kernel import build_platform_kernel

    out.mkdir(parents=True, exist_ok=True)
    base = build_base(print)
    kernel = build_platform_kernel("virt", out=io.StringIO()).image
    runs = [InnerRun(image.stem, image) for image in images]
    runs_part = out / "runs.cpio"
    runs_archive(runs_part, kernel, build_runner(out), runs)
    initrd = out / "initrd.cpio"
    initrd.write_bytes(base.archive.read_bytes() + runs_part.read_bytes())
    return outer_argv(base, initrd, gic, mode)


def main() -> int:
    """Prints the outer command for running the nested setup by hand (docs/kvm-testing.md)."""
    import argparse

    parser = argparse.ArgumentParser(description="L1 for running the nested-KVM setup by hand")
    parser.add_argument("--gic", choices=("2", "3"), default="3")
    parser.add_argument("--mode", choices=sorted(CPUS), default="vhe")
    parser.add_argument("--shell", action="store_true", help="L1 starts a shell instead of the runner")
    parser.add_argument("images", nargs="*", type=Path, help="unibuild images to run inside L1")
    args = parser.parse_args()
    argv = prepare_by_hand(args.gic, args.mode, args.images, CACHE / "by-hand")
    if args.shell:
        append = argv.index("-append") + 1
        argv[append] = argv[append].replace("rdinit=/init", "rdinit=/bin/sh")
    print(shlex.join(argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
