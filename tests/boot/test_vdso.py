"""The vDSO: glibc's clock_gettime, gettimeofday, time and clock_getres answered in user space.

tests/boot/guest/vdso.c states facts about every clock id (order against the system call,
monotonicity, resolution, errors for ids Linux does not know) that hold on Linux; our output must
equal Linux's (qemu-aarch64-static: there glibc makes the system calls, the facts are the same).
The ELF behind AT_SYSINFO_EHDR is compared with what Linux's arm64 vDSO exports, and the kernel's
own profile shows the calls no longer reach it. Signal handlers installed without SA_RESTORER
return through its __kernel_rt_sigreturn, as on Linux arm64."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, oracle, run

pytestmark = pytest.mark.boot

# Linux's arm64 vDSO (arch/arm64/kernel/vdso/vdso.lds.S): one r-x PT_LOAD, the signal
# trampoline's unwind table behind PT_GNU_EH_FRAME (since 5.8), soname linux-vdso.so.1, these
# symbols at version LINUX_2.6.39 (the names glibc and Go look up). A direct call of an id the
# vDSO cannot answer returns the system call's raw result (-EINVAL).
LINUX_VDSO = {
    "ELF: yes, type ET_DYN, machine aarch64",
    "PT_LOAD flags r-x",
    "PT_GNU_EH_FRAME",
    "soname linux-vdso.so.1",
    "__kernel_clock_gettime@LINUX_2.6.39",
    "__kernel_gettimeofday@LINUX_2.6.39",
    "__kernel_clock_getres@LINUX_2.6.39",
    "__kernel_rt_sigreturn@LINUX_2.6.39",
    "direct call in order with the syscall: yes",
    "direct call of a CPU-time clock = 0, of clock 100 = -22",
}


@pytest.fixture(scope="module", params=["dynamic", "static"])
def probe(request, tmp_path_factory, target_root):
    out = tmp_path_factory.mktemp("vdso") / f"vdso-{request.param}"
    extra = ["-static"] if request.param == "static" else []
    subprocess.run([CC, "-O2", "-Wall", *extra, "-o", str(out), str(GUEST_SOURCES / "vdso.c")], check=True)
    return out


def test_every_clock_behaves_as_on_linux(probe):
    r = run(probe, "clocks")
    assert r.returncode == 0, r.stderr
    assert r.stdout == oracle(probe, "clocks")


def test_the_vdso_exports_what_linux_exports(probe):
    r = run(probe, "elf")
    assert r.returncode == 0, r.stderr
    assert set(r.stdout.splitlines()) == LINUX_VDSO, r.stdout


def test_clock_calls_no_longer_trap(probe):
    """3000 calls of each kind; the profile table lists a call only if it was made at least once."""
    r = run(probe, "loop", "3000", options=("--kopt", "profile"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "loop done (1)\n"
    rows = [line.split()[-1] for line in r.stderr.splitlines() if line.startswith("profile:")]
    assert "write" in rows, r.stderr                    # the table is there...
    for call in ("clock_gettime", "gettimeofday", "clock_getres"):
        assert call not in rows, r.stderr               # ...and no clock call in it


def test_novdso_leaves_it_out(probe):
    r = run(probe, "elf", options=("--kopt", "novdso"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "no AT_SYSINFO_EHDR\n"


def test_handlers_return_through_the_vdso(probe):
    """Linux arm64 (setup_return) sends a handler without SA_RESTORER back to the vDSO's
    __kernel_rt_sigreturn, whose two instructions unwinders look for; one with SA_RESTORER to
    its restorer. qemu-user has no vDSO, so the oracle is only the case without one (ours:
    `novdso`, a trampoline page of its own)."""
    r = run(probe, "sigreturn")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("a handler without SA_RESTORER came back: yes\n"
                        "  through the vDSO's __kernel_rt_sigreturn: mov x8, #139; svc #0 (as unwinders expect)\n"
                        "with SA_RESTORER it came back through the restorer: yes\n")
    r = run(probe, "sigreturn", options=("--kopt", "novdso"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == oracle(probe, "sigreturn")
