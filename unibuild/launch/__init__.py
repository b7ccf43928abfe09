"""Booting (stage 6 of the pipeline): QEMU's command line (qemu_cmdline.py), starting it paused
(qemu_start.py), running the guest under QMP and decoding its exit report (qemu_run.py), the network backends (network.py, passt.py),
the multiplexed console (console_mux.py) and the child-process plumbing (child.py).

`boot` is the entry point: a kernel, optionally a disk image, and LaunchOptions in, a BootResult
out. The runner's names are loaded on first use: qemu_run brings asyncio and QMP (a third of a
warm `unibuild run`'s imports), which parsing options, checking a port spec or building a
command line never need."""

from .qemu_cmdline import LaunchOptions, QemuCommand, build_command

_RUNNER = ("BootResult", "boot", "run_qemu")


def __getattr__(name: str):
    if name in _RUNNER:
        from . import qemu_run
        return getattr(qemu_run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["BootResult", "LaunchOptions", "QemuCommand", "boot", "build_command", "run_qemu"]
