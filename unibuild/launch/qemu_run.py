"""Running QEMU: console pass-through, QMP control, and the guest's exit status.

The sequence (docs/host-kernel-contract.md): QEMU starts paused (-S) with a QMP socket; we
connect, attach a SHUTDOWN listener, then `cont`, so no event can be missed. When the guest
powers off, -no-shutdown keeps the VM around paused and we read the reporting CPU's registers
(x4 = "UNIB" magic, x5 = status, x6 = kind; KVM overwrites x0..x3) over QMP before sending `quit`.

QEMU runs in its own session, so the terminal and its Ctrl-C belong to us; on Ctrl-C or timeout
we stop the guest through QMP and kill QEMU only if it ignores us. QEMU's stdin is a pipe of
ours: with a multiplexed console it carries the program's stdin, framed (console_mux.py), from
a thread that reads our own stdin (a thread, since a terminal or a file cannot be waited on
like a pipe). When our stdout or stderr closes (`| head`) or fails (`/dev/full`), the console
goes on being read and discarded, so QEMU never blocks on it, and the guest is stopped.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TextIO

from ..errors import EXIT_BROKEN_PIPE, EXIT_FAILED, UserError
from ..host.probe import HostInfo
from ..platform import Platform
from .console_mux import END_OF_INPUT, ConsoleDemux, encode_input
from .qemu_cmdline import LaunchOptions, QemuCommand
from .qemu_start import Launched, launched, spawned

UNIB_MAGIC = 0x554E4942
KIND_PROGRAM = 0
KIND_KERNEL_ERROR = 1
KIND_NO_PROGRAM = 2   # the boot ended without running a program (exit=N, the kernel smoke test)

STATUS_NO_REPORT = 125  # guest or QEMU ended without telling us a status
STATUS_TIMEOUT = 124  # like timeout(1)
STATUS_INTERRUPTED = 130  # like a shell after SIGINT

CONNECT_TIMEOUT = 10.0  # seconds for QEMU to create and answer its QMP socket
QUIT_GRACE = 3.0  # seconds QEMU gets to obey `quit` before we kill it


def _load_session_modules() -> None:
    """asyncio and QMP, which only the session with a started QEMU uses. They cost ~40 ms of
    imports, about what QEMU takes to open its control socket, so run_qemu loads them after
    starting QEMU, while it starts (module globals from here on: every coroutine below and the
    except clauses naming QMPError run after this)."""
    global asyncio, EventListener, QMPClient, QMPError
    import asyncio
    from qemu.qmp import EventListener, QMPClient, QMPError


@dataclass(frozen=True)
class ExitReport:
    """What the guest left in the registers of the CPU that powered off."""

    cpu: int
    status: int
    kind: int


@dataclass
class BootResult:
    status: int  # what `unibuild` exits with
    kind: str | None  # "program", "kernel-error", "boot" (no program ran), or None when the guest did not report
    console: str  # everything the guest printed
    timed_out: bool = False
    interrupted: bool = False
    error: str | None = None  # one line for the user when status is not the program's own
    shutdown_reason: str | None = None  # QEMU's SHUTDOWN event reason, if one came
    # (seconds since QEMU was started, line) for each complete console line; for benchmarks.
    line_times: list[tuple[float, str]] = field(default_factory=list)
    # (name, start, end) on time.monotonic() for the run's steps; for --timings (timings.py).
    phases: list[tuple[str, float, float]] = field(default_factory=list)
    kernel_log: str = ""   # the kernel's own messages (the console's kernel stream, when multiplexed)
    timings: dict[str, float] = field(default_factory=dict)   # seconds per pipeline step (pipeline.run)


_CPU_HEADER = re.compile(r"^CPU#(\d+)\s*$", re.MULTILINE)
_REGISTER = re.compile(r"\b(X0[1-6])=([0-9a-fA-F]+)")
# Where the report may be, in order: x4..x6 survive KVM's PSCI handler (it writes x0..x3 on
# SYSTEM_OFF) and TCG's; x1..x3 are the older contract, still what a TCG-only guest may use.
_REPORT_SLOTS = (("X04", "X05", "X06"), ("X01", "X02", "X03"))


def parse_exit_report(info_registers: str) -> ExitReport | None:
    """Finds the CPU holding the magic (x4, else x1) in `info registers [-a]` output."""
    headers = list(_CPU_HEADER.finditer(info_registers))
    if headers:
        blocks = []
        for i, h in enumerate(headers):
            end = headers[i + 1].start() if i + 1 < len(headers) else len(info_registers)
            blocks.append((int(h.group(1)), info_registers[h.end() : end]))
    else:
        blocks = [(0, info_registers)]
    for cpu, text in blocks:
        regs = {name: int(value, 16) for name, value in _REGISTER.findall(text)}
        for magic, status, kind in _REPORT_SLOTS:
            if regs.get(magic) == UNIB_MAGIC and status in regs and kind in regs:
                return ExitReport(cpu, regs[status], regs[kind])
    return None


NO_PROGRAM_ERROR = ("the guest powered off without starting the program: the kernel found nothing to run "
                    "(--verbose shows its boot)")


def result_from_report(report: ExitReport | None, console: str, reason: str | None,
                       expects_program: bool = False) -> BootResult:
    """Turns the guest's report into our exit status and the line (if any) to tell the user.
    `expects_program`: an image was attached to run its program, so a boot that ran none is a
    failure whatever status it carried."""
    if report is None:
        why = "reset" if reason == "guest-reset" else "powered off"
        return BootResult(
            STATUS_NO_REPORT, None, console, shutdown_reason=reason,
            error=f"the guest {why} without reporting an exit status (no UNIB magic in x4 or x1)",
        )
    if report.status > 255:
        return BootResult(
            STATUS_NO_REPORT, None, console, shutdown_reason=reason,
            error=f"the guest reported exit status {report.status}, outside 0..255",
        )
    if report.kind == KIND_PROGRAM:
        return BootResult(report.status, "program", console, shutdown_reason=reason)
    if report.kind == KIND_NO_PROGRAM:
        if expects_program:
            return BootResult(STATUS_NO_REPORT, None, console, shutdown_reason=reason, error=NO_PROGRAM_ERROR)
        return BootResult(report.status, "boot", console, shutdown_reason=reason)
    if report.kind == KIND_KERNEL_ERROR:
        # A kernel error must never look like success, whatever status it carried.
        status = report.status or STATUS_NO_REPORT
        return BootResult(
            status, "kernel-error", console, shutdown_reason=reason,
            error="kernel error (see console)",
        )
    return BootResult(
        STATUS_NO_REPORT, None, console, shutdown_reason=reason,
        error=f"the guest reported an unknown exit kind {report.kind}",
    )


def qemu_error_line(stderr: str) -> str:
    """QEMU's own complaint, whole, as one line: every non-empty stderr line without the program
    name, joined by "; ". Some errors span lines ("Invalid gic-version value" then "Valid values
    are 3, 2, host, max."), and either line alone leaves out half of what to fix."""
    lines = [re.sub(r"^qemu-system-\w+:\s*", "", line.strip()) for line in stderr.splitlines() if line.strip()]
    return "; ".join(lines) if lines else "no message on stderr"


EFI_STUB_PREFIXES = ("efi: ", "acpi: ")   # kernel/efi/efi_stub.c's lines, acpi_fdt.c's for the ACPI tables


class _Console:
    """Copies QEMU's serial output to the sinks as it arrives and keeps a decoded copy.

    With a multiplexed console (`console=mux`) the program's stdout goes to `sink` and its stderr
    and the kernel's messages to `err_sink`; otherwise everything goes to `sink`."""

    def __init__(self, sink: BinaryIO | TextIO | None, started: float, *,
                 err_sink: BinaryIO | TextIO | None = None, mux: bool = False, quiet_kernel: bool = False,
                 firmware_prelude: str = ""):
        self._sink = sink
        self._err_sink = err_sink if err_sink is not None else sink
        self._quiet_kernel = quiet_kernel   # the kernel's lines are kept (kernel_log), not shown
        self.kernel_log = io.StringIO()
        self._started = started
        self._demux = ConsoleDemux("firmware" if firmware_prelude else "kernel") if mux else None
        self._show_firmware = firmware_prelude == "show"
        self._decoders: dict[str, codecs.IncrementalDecoder] = {}
        self._partial: dict[str, str] = {}
        self._text = io.StringIO()
        self.line_times: list[tuple[float, str]] = []
        # The first failed write to a sink (EPIPE: the reader left); from then on output is
        # only kept, not echoed, and `closed` tells the run to stop the guest.
        self.write_error: OSError | None = None
        self.closed = asyncio.Event()
        self.input_open = asyncio.Event()   # the kernel takes stdin now (console_mux.py)

    def _echo(self, sink, chunk: bytes, text: str) -> None:
        if sink is None or self.write_error is not None:
            return
        try:
            self._write(sink, chunk, text)
        except OSError as e:
            self.write_error = e
            self.closed.set()
        except ValueError:   # the sink was closed by its owner
            self.write_error = OSError(errno.EPIPE, os.strerror(errno.EPIPE))
            self.closed.set()

    @staticmethod
    def _write(sink, chunk: bytes, text: str) -> None:
        if isinstance(sink, io.TextIOBase):
            buffer = getattr(sink, "buffer", None)
            if buffer is None:  # e.g. click's test runner: text only
                sink.write(text)
                sink.flush()
                return
            sink.flush()  # keep order with anything already written as text
            buffer.write(chunk)
            buffer.flush()
        else:
            sink.write(chunk)
            sink.flush()

    def _piece(self, stream: str, chunk: bytes) -> None:
        decoder = self._decoders.setdefault(stream, codecs.getincrementaldecoder("utf-8")(errors="replace"))
        text = decoder.decode(chunk)
        self._text.write(text)
        if stream in ("kernel", "firmware"):
            self.kernel_log.write(text)
        shown = self._show_firmware if stream == "firmware" else not (stream == "kernel" and self._quiet_kernel)
        if shown:
            self._echo(self._sink if stream == "stdout" else self._err_sink, chunk, text)
        now = time.monotonic() - self._started
        # Lines are assembled per stream, so stdout and kernel lines never merge into one.
        *complete, self._partial[stream] = (self._partial.get(stream, "") + text).split("\n")
        self.line_times.extend((now, line.rstrip("\r")) for line in complete)
        if stream == "firmware" and not shown:
            # The kernel's EFI stub speaks through the firmware's console, before any stream
            # switch: its (error) lines are ours and always shown.
            for line in complete:
                if line.startswith(EFI_STUB_PREFIXES):
                    self._echo(self._err_sink, (line.rstrip("\r") + "\n").encode(), line.rstrip("\r") + "\n")

    def feed(self, chunk: bytes) -> None:
        if self._demux is None:
            self._piece("stdout", chunk)
            return
        for stream, piece in self._demux.feed(chunk):
            self._piece(stream, piece)
        if self._demux.input_open:
            self.input_open.set()

    async def pump(self, stream: asyncio.StreamReader) -> None:
        while chunk := await stream.read(4096):
            self.feed(chunk)

    @property
    def text(self) -> str:
        return self._text.getvalue() + "".join(d.decode(b"", final=True) for d in self._decoders.values())


async def _connect_qmp(command: QemuCommand, exited: asyncio.Task) -> QMPClient | None:
    """Connects once QEMU has made its socket; None if QEMU exits first."""
    deadline = time.monotonic() + CONNECT_TIMEOUT
    qmp = QMPClient("unibuild")
    while time.monotonic() < deadline:
        if exited.done():
            return None
        if command.qmp_socket.exists():
            try:
                await qmp.connect(str(command.qmp_socket))
                return qmp
            except (QMPError, OSError):
                pass  # socket made but not listening yet, or QEMU is dying: look again
        await asyncio.sleep(0.004)   # QEMU opens it ~50 ms in: a coarse poll would add up to a poll
    raise UserError(f"QEMU did not open its control socket within {CONNECT_TIMEOUT:g} s")


async def _stop(qmp: QMPClient | None, proc: subprocess.Popen, exited: asyncio.Task) -> None:
    """Asks QEMU to quit, then kills it if it has not gone within QUIT_GRACE seconds."""
    if qmp is not None and not exited.done():
        with contextlib.suppress(QMPError, OSError, EOFError, asyncio.TimeoutError):
            await asyncio.wait_for(qmp.execute("quit"), QUIT_GRACE)
    try:
        await asyncio.wait_for(asyncio.shield(exited), QUIT_GRACE)
    except asyncio.TimeoutError:
        proc.kill()
        await exited


def _install_interrupt(loop: asyncio.AbstractEventLoop, interrupted: asyncio.Event) -> list[int]:
    """Routes SIGINT/SIGTERM to an event so we can stop the guest cleanly (main thread only)."""
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, interrupted.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    return installed


def _read_stdin(fd: int, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue) -> None:
    """A daemon thread: our stdin's chunks into `queue`, then b"" at its end (or on an error).
    It may stay blocked in read() after the run (a terminal); being a daemon, it never holds up
    the exit."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b""
        try:
            loop.call_soon_threadsafe(queue.put_nowait, chunk)
        except RuntimeError:   # the run's loop has closed
            return
        if not chunk:
            return


async def _feed_stdin(writer: asyncio.StreamWriter, stdin: int | None, ready: asyncio.Event) -> None:
    """The program's stdin into QEMU's serial input, framed, once the kernel said it takes
    input (`ready`: bytes sent earlier could be lost in the UART's reset); DLE 'z' at its end
    (at once when there is none). A QEMU that has gone ends it quietly: the run reports QEMU's fate."""
    try:
        await ready.wait()
        if stdin is not None:
            loop = asyncio.get_running_loop()
            queue: asyncio.Queue = asyncio.Queue()
            threading.Thread(target=_read_stdin, args=(stdin, loop, queue), daemon=True,
                             name="unibuild-stdin").start()
            while chunk := await queue.get():
                writer.write(encode_input(chunk))
                await writer.drain()
        writer.write(END_OF_INPUT)
        await writer.drain()
    except (OSError, ConnectionError):
        pass


async def _reader(loop, pipe) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    return reader


async def _writer(loop, pipe) -> asyncio.StreamWriter:
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, pipe)
    return asyncio.StreamWriter(transport, protocol, None, loop)


async def _run(command: QemuCommand, proc: subprocess.Popen, started: float,
               sink: BinaryIO | TextIO | None, err_sink: BinaryIO | TextIO | None = None,
               stdin: int | None = None, quiet_kernel: bool = False) -> BootResult:
    assert proc.stdout is not None and proc.stderr is not None
    loop = asyncio.get_running_loop()
    qemu_out, qemu_err = await _reader(loop, proc.stdout), await _reader(loop, proc.stderr)
    qemu_in = await _writer(loop, proc.stdin) if proc.stdin is not None else None
    console = _Console(sink, started, err_sink=err_sink, mux=command.console_mux, quiet_kernel=quiet_kernel,
                       firmware_prelude=command.firmware_prelude)
    pump = asyncio.create_task(console.pump(qemu_out))
    feeder = asyncio.create_task(_feed_stdin(qemu_in, stdin, console.input_open)) if qemu_in is not None else None
    output_closed = asyncio.create_task(console.closed.wait())
    stderr = asyncio.create_task(qemu_err.read())
    exited = asyncio.create_task(asyncio.to_thread(proc.wait))   # a Popen: its wait blocks
    interrupted = asyncio.Event()
    signals = _install_interrupt(loop, interrupted)
    qmp: QMPClient | None = None
    outcome: str
    report: ExitReport | None = None
    reason: str | None = None
    resumed = False  # QEMU dying before the guest ran is a start failure, not a guest problem
    marks = {"spawned": time.monotonic()}
    try:
        qmp = await _connect_qmp(command, exited)
        marks["connected"] = time.monotonic()
        if qmp is None:
            outcome = "died-early"
        else:
            listener = EventListener(("SHUTDOWN",))
            qmp.register_listener(listener)
            if not command.gdb_wait:   # else gdb's `continue` starts the guest
                await qmp.execute("cont")
            resumed = True
            marks["resumed"] = time.monotonic()
            shutdown = asyncio.create_task(listener.get())
            interrupt = asyncio.create_task(interrupted.wait())
            done, _ = await asyncio.wait(
                {shutdown, exited, interrupt, output_closed},
                timeout=command.timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
            for task in (shutdown, interrupt):
                if task not in done:
                    task.cancel()
            if output_closed in done and shutdown not in done:
                outcome = "output-closed"
            elif shutdown in done:
                marks["shutdown"] = time.monotonic()
                outcome = "shutdown"
                reason = shutdown.result().get("data", {}).get("reason")
                which = "info registers -a" if command.smp > 1 else "info registers"
                registers = await qmp.execute("human-monitor-command", {"command-line": which})
                report = parse_exit_report(str(registers))
            elif interrupt in done:
                outcome = "interrupted"
            elif exited in done:
                outcome = "died"
            else:
                outcome = "timeout"
    except (QMPError, OSError) as e:
        # QEMU vanishing mid-conversation shows up as a QMP/socket error; give the exit a
        # moment to be reaped, then judge by its stderr.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(exited), 1.0)
        outcome = ("died" if resumed else "died-early") if exited.done() else "qmp-error"
        if outcome == "qmp-error":
            reason = str(e)
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
        output_closed.cancel()
        if feeder is not None:
            feeder.cancel()
        try:
            await _stop(qmp, proc, exited)
        finally:
            if proc.returncode is None:
                proc.kill()
                await exited
            if qmp is not None:
                with contextlib.suppress(QMPError, OSError, EOFError):
                    await qmp.disconnect()
    await pump  # QEMU has exited, so its stdout is at EOF: everything the guest wrote is in
    errors = (await stderr).decode(errors="replace")
    text = console.text

    if outcome == "died-early":
        raise UserError(f"QEMU failed to start: {qemu_error_line(errors)}")
    if outcome == "output-closed":
        e = console.write_error
        if e is not None and e.errno == errno.EPIPE:
            # The reader left, as `head` does: silent, with a shell's SIGPIPE status.
            result = BootResult(EXIT_BROKEN_PIPE, None, text, error=None)
        else:
            why = e.strerror if e is not None and e.strerror else str(e)
            result = BootResult(EXIT_FAILED, None, text,
                                error=f"cannot write the program's output: {why}; guest stopped")
    elif outcome == "shutdown":
        result = result_from_report(report, text, reason, command.expects_program)
    elif outcome == "timeout":
        result = BootResult(
            STATUS_TIMEOUT, None, text, timed_out=True,
            error=f"timed out after {command.timeout:g} s",
        )
    elif outcome == "interrupted":
        result = BootResult(
            STATUS_INTERRUPTED, None, text, interrupted=True, error="interrupted; guest stopped"
        )
    elif outcome == "died":
        result = BootResult(
            STATUS_NO_REPORT, None, text,
            error=f"QEMU exited (status {proc.returncode}) before the guest reported: "
            f"{qemu_error_line(errors)}",
        )
    else:
        result = BootResult(STATUS_NO_REPORT, None, text, error=f"lost contact with QEMU: {reason}")
    result.line_times = console.line_times
    result.kernel_log = console.kernel_log.getvalue()
    result.phases = _phases(started, marks, console.line_times)
    return result


def _phases(started: float, marks: dict[str, float], line_times: list[tuple[float, str]]) -> list[tuple[str, float, float]]:
    end = time.monotonic()
    out = [("QEMU: start until its control socket answers", started, marks.get("connected", end))]
    if "resumed" in marks:
        out.append(("QEMU: guest started (QMP cont)", marks["connected"], marks["resumed"]))
        if line_times:
            out.append(("guest: boot until its first console line", marks["resumed"], started + line_times[0][0]))
        out.append(("guest: running until it powered off", marks["resumed"], marks.get("shutdown", end)))
    out.append(("QEMU: exit report and teardown", marks.get("shutdown", marks.get("resumed", started)), end))
    return out


def run_launched(qemu: Launched, echo: BinaryIO | TextIO | None, echo_err: BinaryIO | TextIO | None,
                 stdin: int | None, quiet_kernel: bool) -> BootResult:
    """Launched.run's work: the session with a started QEMU, to its end."""
    try:
        _load_session_modules()
        return asyncio.run(_run(qemu.command, qemu.proc, qemu.started, echo, echo_err, stdin, quiet_kernel))
    except KeyboardInterrupt:
        # Only in the instant before our own SIGINT handler is installed; _run's cleanup
        # has already stopped QEMU by the time this arrives, unless it came before _run began.
        raise UserError("interrupted", exit_code=130) from None


def run_qemu(command: QemuCommand, *, echo: BinaryIO | TextIO | None = None,
             echo_err: BinaryIO | TextIO | None = None, stdin: int | None = None,
             quiet_kernel: bool = False) -> BootResult:
    """Runs one resolved QEMU command to completion (Launched.run says what the rest means)."""
    with spawned(command) as qemu:
        return qemu.run(echo=echo, echo_err=echo_err, stdin=stdin, quiet_kernel=quiet_kernel)


def boot(
    platform: Platform,
    kernel: Path,
    options: LaunchOptions = LaunchOptions(),
    *,
    host: HostInfo | None = None,
    echo: BinaryIO | TextIO | None = None,
    echo_err: BinaryIO | TextIO | None = None,
    qemu_binary: str | None = None,
    warn: Callable[[str], None] | None = None,
    stdin: int | None = None,
    quiet_kernel: bool = False,
) -> BootResult:
    """Boots `kernel` on `platform`: the library entry point for the CLI, tests and benchmarks
    (unibuild/pipeline.py puts an image and a kernel build in front of it). `warn` receives the
    network's one-line warnings."""
    with launched(platform, kernel, options, host=host, qemu_binary=qemu_binary, warn=warn) as qemu:
        return qemu.run(echo=echo, echo_err=echo_err, stdin=stdin, quiet_kernel=quiet_kernel)
