"""/proc, /proc/self, /proc/sys/kernel, /dev and /sys/devices/system/cpu list as Linux lists them
(getdents64), and busybox's df, ps and free work in the guest with Linux's output shape. The
oracle is the same program under qemu-aarch64-static: there the host's /proc, /dev and /sys, so
each name we list must be one Linux lists too, with the same d_type; what qemu-user fakes
(/proc/self/stat and comm) is checked against proc_pid_stat(5) instead."""

from __future__ import annotations

import re
import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, UNIBUILD, oracle, run
from unibuild.paths import BUILD_DIR

pytestmark = pytest.mark.boot

BUSYBOX_ROOT = BUILD_DIR / "target-root-busybox"


def entries(out: str) -> dict[tuple[str, str], int]:
    found = {}
    for line in out.splitlines():
        if line.startswith("entry "):
            _, directory, name, dtype = line.split(" ")
            found[(directory, name)] = int(dtype)
    return found


def test_proc_dev_and_sys_list_names_linux_has_with_linux_types(tmp_path):
    prog = tmp_path / "proclist"
    subprocess.run([CC, "-O2", "-Wall", "-o", str(prog), str(GUEST_SOURCES / "proclist.c")], check=True)
    r = run(prog, "one", "two")
    assert r.returncode == 0, r.stderr
    ours, linux = entries(r.stdout), entries(oracle(prog, "one", "two"))
    assert {(d, n): t for (d, n), t in ours.items() if not n.isdigit()} == \
        {(d, n): linux.get((d, n)) for (d, n) in ours if not n.isdigit()}
    dirs = ("/proc", "/dev", "/sys/devices/system/cpu", "/proc/self", "/proc/sys/kernel")
    names = {d: {n for (dd, n) in ours if dd == d} for d in dirs}
    assert {"self", "thread-self", "meminfo", "mounts", "cpuinfo", "loadavg", "1"} <= names["/proc"]
    assert {"status", "stat", "statm", "cmdline", "environ", "auxv", "comm", "limits", "mounts", "mountinfo",
            "maps", "exe", "cwd", "root", "fd", "fdinfo", "task"} <= names["/proc/self"]
    assert {"ostype", "osrelease", "hostname", "pid_max"} <= names["/proc/sys/kernel"]
    assert {"null", "zero", "urandom", "random", "console", "tty"} <= names["/dev"]
    assert {"online", "possible", "present", "cpu0"} <= names["/sys/devices/system/cpu"]
    facts = [l for l in r.stdout.splitlines() if not l.startswith("entry ")]
    assert facts == ["self names the pid: 1", "pid directory is a directory: 1", "stat fields: 52",
                     "stat pid is getpid: 1", "stat comm: (proclist)", "cmdline is argv: 1", "comm: proclist",
                     "relative open of a device: 1", "online CPUs agree with sysconf: 1"]


@pytest.fixture(scope="module")
def busybox_root():
    subprocess.run([*UNIBUILD, "target-root", "create", str(BUSYBOX_ROOT), "--package", "busybox"],
                   check=True, stdout=subprocess.DEVNULL)
    return BUSYBOX_ROOT


def busybox(root, applet: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    ours = run("/bin/busybox", applet, target_root=root)
    linux = subprocess.run(["qemu-aarch64-static", "-L", str(root), str(root / "bin/busybox"), applet],
                           capture_output=True, text=True, timeout=60, check=True).stdout.splitlines()
    return ours, linux


def test_busybox_df_shows_the_root(busybox_root):
    ours, linux = busybox(busybox_root, "df")
    assert ours.returncode == 0, ours.stderr
    lines = ours.stdout.splitlines()
    assert lines[0] == linux[0]
    assert re.fullmatch(r"/dev/vda +\d+ +\d+ +\d+ +\d+% /", lines[1]), lines
    # Linux's lines have the same shape (which mounts it lists is the host's own: in a chroot,
    # say, none is at /; a long device name puts the figures on a line of their own).
    assert any(re.search(r" \d+ +\d+ +\d+ +\d+% /\S*$", l) for l in linux[1:]), linux


def test_busybox_ps_lists_the_program(busybox_root):
    ours, linux = busybox(busybox_root, "ps")
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.splitlines()[0] == linux[0]
    assert ours.stdout.splitlines()[1:] == ["    1 root     /bin/busybox ps"]
    assert re.fullmatch(r" +1 root +\S.*", linux[1])   # Linux's pid 1 row has the same shape


def test_busybox_free_reports_memory(busybox_root):
    ours, linux = busybox(busybox_root, "free")
    assert ours.returncode == 0, ours.stderr
    lines = ours.stdout.splitlines()
    assert [l.split()[0] for l in lines] == [l.split()[0] for l in linux]   # total / Mem: / Swap:
    assert lines[0] == linux[0]
    total, used, free = (int(x) for x in lines[1].split()[1:4])
    assert total > 0 and used + free <= total
