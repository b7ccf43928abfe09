"""The Linux calls a peer unikernel's runtime tests use (tagged-address prctl, preadv/pwritev and
their v2 forms, fallocate, copy_file_range, sched_setaffinity, syncfs, record locks and flock,
lseek on a directory, binding twice, SO_REUSEADDR on accepted sockets, a raised RLIMIT_NOFILE,
queued real-time signals),
against Linux: tests/boot/guest/breadth.c under qemu-aarch64-static in a tmpfs directory (our file
tree behaves as tmpfs does; ext4 differs, e.g. it allows SEEK_END on a directory)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from lib.guest import CC, GUEST_SOURCES, UNIBUILD

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "breadth.c"

# qemu-user (Debian's 7.2) has no preadv2/pwritev2: glibc falls back to preadv/pwritev and says
# EOPNOTSUPP for any flag. Linux accepts these flags on tmpfs (RWF_APPEND appends, so the size
# that follows grows by the 6 bytes written).
QEMU_USER_PREADV2 = {
    "   preadv2 RWF_HIPRI = -1 EOPNOTSUPP": "   preadv2 RWF_HIPRI = 16",
    "   pwritev2 RWF_DSYNC = -1 EOPNOTSUPP": "   pwritev2 RWF_DSYNC = 6",
    "   pwritev2 RWF_APPEND at 0 = -1 EOPNOTSUPP": "   pwritev2 RWF_APPEND at 0 = 6",
    "   size 16": "   size 22",
}

# Section 8 cannot come from the oracle: raising the hard limit needs CAP_SYS_RESOURCE, which this
# sandbox's root lacks, and qemu-user holds descriptors of its own. Linux's rules for a root
# process with 0, 1 and 2 open: the hard limit may go up to fs.nr_open (1048576), descriptors
# then run from 3 to 59999, dup2 past the soft limit is EBADF and F_DUPFD EINVAL.
RLIMIT_SECTION = """8. RLIMIT_NOFILE
   raise to 60000/1048576 = 0
   dup succeeded 59997 times, last 59999, then EMFILE
   dup2 to 59999 = 59999
   dup2 to 60000 = -1 EBADF
   F_DUPFD from 60000 = -1 EINVAL
   close_range 3.. = 0
   dup after closing = 3
   raise the hard limit past nr_open = -1 EPERM
   soft above hard = -1 EINVAL
   back to 1024 = 0
   dup2 to 1024 now = -1 EBADF
"""


def tmpfs_dir() -> Path:
    for line in Path("/proc/mounts").read_text().splitlines():
        fields = line.split()
        if fields[2] == "tmpfs" and fields[1] in ("/dev/shm", "/run/shm", "/tmp"):
            return Path(tempfile.mkdtemp(dir=fields[1], prefix="unibuild-oracle-"))
    pytest.skip("no tmpfs mounted at /dev/shm or /tmp for the Linux oracle")


def compile_probe(out_dir: Path, name: str, *flags: str, link: str = "-static") -> Path:
    """tests/boot/guest/NAME.c, linked statically (no target root needed), for the oracle and us."""
    probe = out_dir / name
    subprocess.run([CC, "-O2", link, *flags, "-o", str(probe), str(GUEST_SOURCES / f"{name}.c")], check=True)
    return probe


def linux_output(probe: Path) -> str:
    """The probe's stdout on Linux (qemu-aarch64-static), run in a fresh tmpfs directory."""
    workdir = tmpfs_dir()
    try:
        return subprocess.run(["qemu-aarch64-static", str(probe), str(workdir)], capture_output=True, text=True,
                              timeout=120, check=True).stdout
    finally:
        subprocess.run(["rm", "-rf", str(workdir)], check=True)


def ours(probe: Path, *args: str, options=()) -> subprocess.CompletedProcess:
    return subprocess.run([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "120", "--net", "none", *options,
                           str(probe), *args], capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[str, subprocess.CompletedProcess]:
    probe = compile_probe(tmp_path_factory.mktemp("breadth"), "breadth", "-Wall", "-Wno-stringop-overread", "-pthread")
    oracle = linux_output(probe)
    r = ours(probe, "/tmp")
    assert r.returncode == 0, r.stderr
    return oracle, r


def sections(text: str) -> dict[str, str]:
    """The probe's output by numbered section ("1. tagged addresses" -> its lines)."""
    out: dict[str, str] = {}
    key = ""
    for line in text.splitlines(keepends=True):
        if line[:1].isdigit():
            key = line.split(".")[0]
        out[key] = out.get(key, "") + line
    return out


def as_on_linux(oracle: str) -> dict[str, str]:
    lines = [QEMU_USER_PREADV2.get(line, line) for line in oracle.splitlines()]
    fixed = sections("\n".join(lines) + "\n")
    fixed["8"] = RLIMIT_SECTION
    return fixed


@pytest.mark.parametrize("section, what", [
    ("1", "tagged-address ABI"), ("2", "preadv/pwritev and v2"), ("3", "fallocate"), ("4", "copy_file_range"),
    ("5", "sched_setaffinity and syncfs"), ("6", "record locks and flock"),
    ("7", "lseek on a directory, bind twice, SO_REUSEADDR on accept"), ("8", "RLIMIT_NOFILE"),
    ("9", "real-time signals queue"),
])
def test_linux_breadth_calls_behave_as_on_linux(outputs, section, what):
    oracle, r = outputs
    assert sections(r.stdout).get(section) == as_on_linux(oracle)[section], what


def test_breadth_probe_runs_quietly(outputs):
    _, r = outputs
    assert r.stderr == ""


@pytest.fixture(scope="module")
def layout_probe(tmp_path_factory) -> Path:
    return compile_probe(tmp_path_factory.mktemp("layout"), "layout", link="-static-pie")


def layout(probe: Path, *options: str) -> dict[str, int]:
    r = ours(probe, options=options)
    assert r.returncode == 0, r.stderr
    words = r.stdout.split()
    return {words[i]: int(words[i + 1], 16) for i in range(0, len(words), 2)}


def test_each_boot_places_program_heap_mmap_and_stack_at_random(layout_probe):
    first, second = layout(layout_probe), layout(layout_probe)
    for what in ("main", "heap", "mmap", "stack"):
        assert first[what] != second[what], what
    for run in (first, second):
        # Linux arm64's neighbourhoods: PIEs at 2/3 of the 48-bit space plus up to 1 GiB, the stack
        # within 1 GiB of the top, the heap within 1 GiB past the program.
        assert 0xaaaaaaaa0000 <= run["main"] < 0xaaaaaaaa0000 + (1 << 30) + (1 << 20)
        assert (1 << 48) - (1 << 30) - (1 << 21) < run["stack"] < 1 << 48
        assert run["main"] < run["heap"] < run["main"] + (1 << 30) + (1 << 21)
        assert run["heap"] < run["mmap"] < run["stack"]


def test_kernel_option_noaslr_keeps_the_layout(layout_probe):
    assert layout(layout_probe, "--kopt", "noaslr") == layout(layout_probe, "--kopt", "noaslr")


def test_a_robust_mutex_whose_owner_exited_says_eownerdead(tmp_path):
    # Linux walks a dying thread's robust list (exit_robust_list). qemu-user cannot be the oracle:
    # it answers set_robust_list with ENOSYS, so glibc's robust mutexes just stay locked there.
    r = ours(compile_probe(tmp_path, "robust", "-pthread"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("lock after the owner exited: EOWNERDEAD\nconsistent: 0\nunlock: 0\n"
                        "waiter while the owner exits: EOWNERDEAD\nlock again: 0\n")


# Where qemu-user is not Linux: it locks a whole user buffer before a read (EFAULT, nothing
# read) where Linux copies up to the fault and returns a short count, and its rt_sigreturn does
# not check the restored pstate (Linux's valid_user_regs: a bad frame, SIGSEGV; SEGV_ACCERR since
# the stack is mapped).
QEMU_USER_HOSTILE = {
    "file read crossing into an unmapped page = -1 EFAULT": "file read crossing into an unmapped page = 10",
    "offset after it = 0": "offset after it = 10",
    "forged pstate: returned normally": "forged pstate: SIGSEGV code 2",
}


def test_bad_buffers_and_addresses_get_linux_errors_without_losing_data(tmp_path):
    probe = compile_probe(tmp_path, "hostile", "-Wno-nonnull")
    expected = "".join(QEMU_USER_HOSTILE.get(line, line) + "\n" for line in linux_output(probe).splitlines())
    r = ours(probe, "/tmp")
    assert r.returncode == 0, r.stderr
    assert r.stdout == expected


def test_running_out_of_memory_at_a_page_fault_is_sigkill(tmp_path):
    r = ours(compile_probe(tmp_path, "hostile", "-Wno-nonnull"), "oom", options=("-m", "64"))
    assert r.returncode == 128 + 9, r.stderr
    assert "out of memory: killed at page fault" in r.stderr


def test_workdir_is_where_the_program_starts(tmp_path):
    # docker run -w: the program's relative paths are relative to it, and getcwd names it.
    source = tmp_path / "cwd.c"
    source.write_text('#include <stdio.h>\n#include <unistd.h>\nint main(void) { char b[256], c[256]; FILE *f = fopen("x", "r");\n'
                      '  printf("%s %s\\n", getcwd(b, sizeof(b)), f && fgets(c, sizeof(c), f) ? c : "none"); return 0; }\n')
    probe = tmp_path / "cwd"
    subprocess.run([CC, "-O2", "-static", "-o", str(probe), str(source)], check=True)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x").write_text("found")
    r = ours(probe, options=("--dir", f"{tmp_path / 'data'}:/srv/data", "--workdir", "/srv/data"))
    assert (r.returncode, r.stdout) == (0, "/srv/data found\n"), r.stderr
