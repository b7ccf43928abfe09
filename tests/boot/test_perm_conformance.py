"""File permission checks errno for errno against Linux: tests/boot/guest/permconf.c makes files
and directories with chosen modes and owners as root, then forks children that take
unprivileged ids (supplementary groups, real vs effective ids) or drop capabilities and try
each operation: search permission on every directory walked, open's read/write/O_TRUNC/
O_NOATIME/O_CREAT/O_TMPFILE, access and faccessat2 (AT_EACCESS), making and removing names
(protected hard links), sticky directories, chmod/chown/utimensat/truncate (EPERM vs EACCES),
set-id bits cleared by writes, truncation, chown and chmod, set-group-ID directories,
CAP_DAC_OVERRIDE/DAC_READ_SEARCH/FOWNER/CHOWN/FSETID and setfsuid, execve's EACCES and
ETXTBSY, /proc/<pid>/environ of another user, user.* and trusted.* attributes, AF_UNIX
connect and bind, inotify_add_watch. The oracle is the same program under
qemu-aarch64-static in a fresh tmpfs directory, run as root; ours runs in /tmp, one boot."""

from __future__ import annotations

import os
import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, oracle_in_tmpfs, replace_lines, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "permconf.c"

# Where qemu-user (Debian's 7.2), not Linux 6.1, answers: each line as Linux gives it to a
# native arm64 program.
# - qemu translates open's flags through a table that knows O_ACCMODE values 0, 1 and 2 only,
#   so 3 reaches the host as O_RDONLY; Linux asks read and write permission for it (ACC_MODE:
#   the host's kernel answers a native program EACCES).
# - qemu runs the probe as data: the host's process executes qemu, so nothing denies writes to
#   the probe's file; Linux refuses a writer for every live process's executable (ETXTBSY, as
#   the host's kernel answers for a native program it runs).
QEMU_USER = {
    "   root644 O_ACCMODE 3 = 0": "   root644 O_ACCMODE 3 = -1 EACCES",
    "   open of the running program O_WRONLY = 0": "   open of the running program O_WRONLY = -1 ETXTBSY",
}

SECTIONS = [("1", "search permission"), ("2", "opening files"), ("3", "access and faccessat2"),
            ("4", "making and removing names"), ("5", "sticky directories"),
            ("6", "chmod, chown, utimensat, truncate"), ("7", "set-id bits"), ("8", "capabilities and fsuid"),
            ("9", "execve and ETXTBSY"), ("10", "/proc/<pid> of another user"),
            ("11", "extended attributes"), ("12", "AF_UNIX names and inotify watches")]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[dict[str, str], subprocess.CompletedProcess]:
    if os.geteuid() != 0:
        pytest.skip("the oracle's probe changes ids and owners: it runs as root")
    probe = tmp_path_factory.mktemp("permconf") / "permconf"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-o", str(probe), str(SOURCE)], check=True)
    linux = replace_lines(oracle_in_tmpfs(probe), QEMU_USER)
    ours = run(probe, "/tmp")
    assert ours.returncode == 0, ours.stderr
    return sections(linux), ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_permission_checks_answer_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert sections(ours.stdout).get(section) == linux[section], what


def test_permconf_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""
