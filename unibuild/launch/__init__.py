"""Booting (stage 6 of the pipeline): QEMU's command line (qemu_cmdline.py), running it under QMP
and decoding the guest's exit report (qemu_run.py), the network backends (network.py, passt.py),
the multiplexed console (console_mux.py) and the child-process plumbing (child.py).

`boot` is the entry point: a kernel, optionally a disk image, and LaunchOptions in, a BootResult
out."""

from .qemu_cmdline import LaunchOptions, QemuCommand, build_command
from .qemu_run import BootResult, boot, run_qemu

__all__ = ["BootResult", "LaunchOptions", "QemuCommand", "boot", "build_command", "run_qemu"]
