"""`unibuild run` end to end: real programs in the real kernel under qemu TCG.

Expected values come from an oracle where one exists: the same probe under qemu-aarch64-static
(real Linux syscall semantics on this host's kernel) or values the host computes itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from lib.guest import oracle, run

pytestmark = pytest.mark.boot


@pytest.mark.parametrize("gic", ["2", "3"])
@pytest.mark.parametrize("variant", ["hello", "hello-static"])
def test_hello_prints_greeting_and_args_and_exits_zero(programs, target_root, gic, variant):
    r = run(programs[variant], "arg1", "arg 2", options=("--gic", gic))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hello world!\nargs:\n  arg1\n  arg 2\n"
    assert r.stderr == ""   # a good run is quiet


@pytest.mark.parametrize("variant", ["probe", "probe-static", "probe-static-pie"])
def test_argv_and_environment_reach_the_program(programs, target_root, variant):
    r = run(programs[variant], "args", "x y", "", options=("-e", "PROBE_A=1", "-e", "PROBE_B=two words"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "argc=4", f"argv[0]=/{variant}", "argv[1]=args", "argv[2]=x y", "argv[3]=",
        "env PROBE_A=1", "env PROBE_B=two words",
    ]


def test_auxv_describes_the_real_kernel(programs, target_root):
    r = run(programs["probe"], "auxv")
    assert r.returncode == 0, r.stderr
    values = dict(line.split("=", 1) for line in r.stdout.splitlines() if line.count("=") == 1)
    assert values["pagesz"] == "4096" and values["sysconf_pagesize"] == "4096"
    assert values["hwcap_fp"] == "1" and values["random_nonzero"] == "1"
    assert values["platform"] == "aarch64" and values["execfn"] == "/probe"
    assert values["secure"] == "0"
    assert "machine=aarch64 sysname=Linux" in r.stdout


@pytest.mark.parametrize("status", [0, 3, 255])
def test_exit_status_is_the_programs(programs, target_root, status):
    assert run(programs["probe-static"], "exit", str(status)).returncode == status


def test_segfault_exits_139_with_a_message(programs, target_root):
    r = run(programs["probe"], "segv")
    assert r.returncode == 139
    assert "segfault at 0x8 pc 0x" in r.stdout + r.stderr


def test_errno_values_match_linux(programs, target_root):
    r = run(programs["probe"], "errors")
    assert r.returncode == 0, r.stderr
    assert r.stdout == oracle(programs["probe"], "errors")


def test_bad_pointers_give_efault(programs, target_root):
    r = run(programs["probe"], "efault")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "write_bad_pointer=-1 errno=EFAULT\nopenat_bad_pointer=-1 errno=EFAULT\n"


def test_file_contents_read_from_the_image_match_the_host(programs, target_root, tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 123)
    (tmp_path / "blob").write_bytes(data)
    r = run(programs["probe"], "read", "/data/blob", options=("--file", f"{tmp_path / 'blob'}:/data/blob"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"size={len(data)} crc={zlib.crc32(data):08x} st_size={len(data)} regular=1\n"


def test_stat_and_readdir_agree_with_linux(programs, target_root):
    ours = run(programs["probe"], "stat", "/etc/passwd")
    assert ours.returncode == 0 and ours.stdout == oracle(programs["probe"], "stat", "/etc/passwd")
    listing = run(programs["probe"], "ls", "/etc")
    names = {line.split()[0] for line in listing.stdout.splitlines()}
    assert {".", "..", "passwd", "group", "ld.so.cache", "nsswitch.conf"} <= names


def test_64_gib_prot_none_reservation_then_mprotect_and_touch(programs, target_root):
    r = run(programs["probe"], "reserve")
    assert r.returncode == 0 and r.stdout == "reserve ok 1\n", r.stdout + r.stderr


def test_malloc_of_256_mib_is_usable(programs, target_root):
    r = run(programs["probe"], "malloc", options=("-m", "1G"))
    assert r.returncode == 0 and r.stdout == "malloc ok 1\n", r.stdout + r.stderr


def test_clock_advances_across_nanosleep(programs, target_root):
    r = run(programs["probe"], "clock")
    assert r.returncode == 0 and r.stdout == "slept_at_least_50ms=1\n", r.stdout + r.stderr


def test_foreign_elf_is_one_clear_error(tmp_path, target_root):
    host_binary = shutil.which("true")
    r = run(Path(host_binary))
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "not aarch64" in r.stderr or "EM_X86_64" in r.stderr


@pytest.mark.parametrize("args, status", [(("abort",), 134), (("raise", "15"), 143),
                                          (("raise", "10", "ignore"), 0), (("raise", "17"), 0)])
def test_signal_default_actions_match_linux(programs, target_root, args, status):
    r = run(programs["probe"], *args)
    expected = subprocess.run(["qemu-aarch64-static", "-L", str(target_root), str(programs["probe"]), *args],
                              capture_output=True, text=True, timeout=60)
    linux_status = 128 - expected.returncode if expected.returncode < 0 else expected.returncode
    assert r.returncode == linux_status == status
    assert r.stdout.replace("killed by SIGABRT\n", "").replace("killed by SIGTERM\n", "") == expected.stdout


def test_the_image_is_writable_like_a_linux_root(programs, target_root):
    """Changes stay in memory; the results are those of a writable Linux root filesystem."""
    r = run(programs["probe"], "writes")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "mkdir_existing=-1 EEXIST", "mkdir_new=0 -", "mkdir_missing_parent=-1 ENOENT",
        "unlink_existing=0 -", "unlink_missing=-1 ENOENT", "create_file=0 -",
        "rename_existing=-1 ENOENT", "fsync_readonly_fd=-1 EBADF",   # /etc/passwd is gone by then
    ]


def test_proc_self_exe_mremap_getrandom_cwd(programs, target_root):
    r = run(programs["probe"], "misc")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "exe=/probe len=6", "mremap_kept=1 grown=1", "getrandom=64", "nprocs=1", "access_x_bin=0",
        "cwd=/", "chdir_etc=0", "relative_open=1", "cwd=/etc",
    ]


def test_resolv_conf_shows_the_dns_servers_dhcp_gave(programs, target_root):
    r = run(programs["probe"], "cat", "/etc/resolv.conf", options=("--net-backend", "slirp"))
    assert r.returncode == 0, r.stderr
    size, *lines = r.stdout.splitlines()
    assert "nameserver 10.0.2.3" in lines   # slirp's DNS, from its DHCP offer
    assert int(size.removeprefix("size=")) == len(r.stdout) - len(size) - 1   # fstat agrees with read
    image_only = run(programs["probe"], "cat", "/etc/resolv.conf")   # --net none: the image's file
    assert image_only.returncode == 0 and "from DHCP" not in image_only.stdout



def test_profile_option_summarises_kernel_time_on_stderr_only(programs, target_root):
    """--kopt profile: an strace -c style table on stderr at exit, stdout untouched."""
    r = run(programs["hello"], "x", options=("--kopt", "profile"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hello world!\nargs:\n  x\n"
    rows = {}
    for line in r.stderr.splitlines():
        fields = line.split()
        if line.startswith("profile:") and len(fields) == 7 and fields[1][0].isdigit():
            rows[fields[6]] = (int(fields[4]), int(fields[5]))     # calls, errors
    # stdout is a pipe here (the test captures it), so the guest's is too: glibc buffers it
    # fully and writes once at exit, as on Linux (on a terminal it writes a line at a time).
    assert rows["write"] == (1, 0), r.stderr
    # ld.so's access("/etc/ld.so.preload") fails with ENOENT: errors are counted per call.
    assert rows["faccessat"] == (1, 1), r.stderr
    assert "page faults" in r.stderr


def test_strace_option_lists_each_system_call_with_its_result(programs, target_root):
    r = run(programs["hello-static"], options=("--kopt", "strace"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hello world!\nargs:\n"
    calls = [l for l in r.stderr.splitlines() if l.startswith("[1] ")]
    writes = [l for l in calls if l.startswith("[1] write(")]
    assert writes == ['[1] write(1, "hello world!\\nargs:\\n", 19) = 19']   # a pipe: one buffered write
    assert any(l.startswith("[1] brk(") for l in calls)


@pytest.mark.parametrize("net", [("--net", "none"), ("--net-backend", "slirp")])
def test_hello_runs_in_8_mib(programs, target_root, net):
    """The smallest guest the launcher allows: the kernel, its tables and buffers fit with room."""
    r = run(programs["hello"], "x", options=("--memory", "8M", "--kopt", "memstats", *net))
    assert r.returncode == 0, r.stderr
    assert r.stdout.endswith("hello world!\nargs:\n  x\n"), r.stdout
    assert "memstats:" in r.stderr + r.stdout
