"""SysV IPC's own reports against Linux: tests/boot/guest/sysvinfo.c prints IPC_INFO's limits,
SHM_INFO/MSG_INFO/SEM_INFO's counts, the *_STAT and *_STAT_ANY commands by index (as root and
unprivileged), what removal and id reuse do to them, /proc/sysvipc/{shm,msg,sem}, and SHM_LOCK/SHM_UNLOCK
under RLIMIT_MEMLOCK. One boot.

The oracle is the same probe built for this host and run natively in a fresh IPC namespace
(`unshare --ipc`): there it sees only its own objects, so ids, indexes and counts are
deterministic, and it can never touch the host's. Native rather than qemu-aarch64-static, which
does not pass *_STAT_ANY through (EINVAL) and converts the rest: these calls are generic kernel
code, their answers the same on arm64, and the probe prints values, not layouts."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, native_oracle, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "sysvinfo.c"
SECTIONS = [("1", "IPC_INFO"), ("2", "INFO counts, STAT by index"), ("3", "/proc/sysvipc"),
            ("4", "permissions, removal, reuse"), ("5", "SHM_LOCK, SHM_UNLOCK")]


def linux(tmp) -> str:
    if subprocess.run(["unshare", "--ipc", "true"], capture_output=True).returncode != 0:
        pytest.skip("no IPC namespace for the Linux oracle (unshare --ipc needs CAP_SYS_ADMIN)")
    return native_oracle(SOURCE, tmp, wrap=("unshare", "--ipc"), timeout=60)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sysvinfo")
    probe = tmp / "sysvinfo"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-o", str(probe), str(SOURCE)], check=True)
    expected = linux(tmp)
    ours = run(probe)
    assert ours.returncode == 0, ours.stderr
    return sections(expected), ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_sysv_ipc_reports_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert sections(ours.stdout).get(section) == linux[section], what


def test_sysvinfo_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""
