"""The QEMU command line printed for running by hand (pure; QEMU is not started here)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from unibuild.host.probe import HostInfo, KvmStatus
from unibuild.launch.manual import NOTE, manual_argv, manual_command
from unibuild.launch.network import net_options
from unibuild.launch.qemu_cmdline import LaunchOptions, build_command
from unibuild.platform import load_platform

X86 = HostInfo("x86_64", KvmStatus(False, "host is x86_64, KVM needs an aarch64 host"))


@pytest.fixture(scope="module")
def virt():
    return load_platform("virt")


def test_our_control_parts_are_left_out_and_the_console_is_plain_stdio(virt):
    argv = build_command(virt, Path("/k/Image"), LaunchOptions(disk=Path("/d.img")), X86, Path("/s/qmp.sock")).argv
    manual = manual_argv(argv)
    for gone in ("-qmp", "-S", "-no-shutdown", "-chardev", "chardev:console"):
        assert gone not in manual
    assert manual[manual.index("-serial") + 1] == "stdio"
    assert manual[manual.index("-append") + 1] == "quiet program pci=off"   # console=mux is unibuild's to undo
    # Everything else is the same, in the same order.
    def rest(args):
        out, skip = [], 0
        for i, a in enumerate(args):
            if skip:
                skip -= 1
            elif a in ("-qmp", "-chardev", "-serial", "-append"):
                skip = 1
            elif a not in ("-S", "-no-shutdown"):
                out.append(a)
        return out
    assert rest(manual) == rest(argv)


def test_the_line_is_shell_quoted_with_absolute_paths_and_slirp_forwards(virt, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    net = net_options("user", "passt", ("8080",))
    text = manual_command(virt, Path("my kernel/Image"), LaunchOptions(disk=Path("a b.img"), net=net,
                                                                      append=("x=1",)), host=X86)
    assert text.startswith(NOTE)
    argv = shlex.split(text.splitlines()[-1])
    assert argv[argv.index("-kernel") + 1] == str(tmp_path / "my kernel/Image")
    assert f"file={tmp_path / 'a b.img'}," in argv[argv.index("-drive") + 1]
    netdev = argv[argv.index("-netdev") + 1]
    assert netdev.startswith("user,") and "hostfwd=tcp:127.0.0.1:8080-" in netdev
    assert argv[argv.index("-append") + 1] == "x=1 quiet program"
