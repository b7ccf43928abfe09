"""Signal calls against Linux: tests/boot/guest/sigconf.c sweeps rt_sigaction (bad numbers,
sigsetsize, what is kept of the flags and the mask, SA_RESETHAND, SA_NODEFER, SA_SIGINFO),
SA_RESTART against EINTR for read, nanosleep, wait4, futex, epoll_wait, accept, sigsuspend and
pause, rt_sigprocmask, sigpending, rt_sigtimedwait, kill/tkill/tgkill/rt_sigqueueinfo errnos and
si_code rules, delivery order (lowest first, real-time instances queued in order), SIGCHLD's
siginfo (CLD_*), fault siginfo (SEGV_MAPERR/ACCERR, BUS_ADRERR, ILL_ILLOPC, TRAP_BRKPT, no SIGFPE),
raise/kill/sigqueue/timer siginfo, sigaltstack (sizes, SS_ONSTACK, EPERM, SS_AUTODISARM), nested
handlers, the ucontext (uc_sigmask, saved pc edited to skip an instruction, fpsimd_context),
every signal's default action as wait sees it (core dumps off), SIGCHLD ignored, SA_NOCLDWAIT,
SA_NOCLDSTOP, signals to threads and across fork and execve, pidfd_send_signal on an open
/proc/<pid> directory. The oracle is the same program under
qemu-aarch64-static in a fresh tmpfs directory; ours runs in /tmp, one boot for all."""

from __future__ import annotations

import subprocess

import pytest

from lib.guest import CC, GUEST_SOURCES, oracle_in_tmpfs, replace_lines, run, sections

pytestmark = pytest.mark.boot

SOURCE = GUEST_SOURCES / "sigconf.c"

# Where qemu-user (Debian's 7.2), not Linux, answers: each line as Linux arm64 gives it.
QEMU_USER = {
    # Linux's do_sigaction drops SIGKILL and SIGSTOP from sa_mask and keeps only the sa_flags
    # bits it knows (UAPI_SA_FLAGS, since 5.11); qemu stores both as given.
    "   read back: handler ok 1 flags 0x50000000 restorer set 0 mask 0x800040900":
        "   read back: handler ok 1 flags 0x50000000 restorer set 0 mask 0x800000800",
    "   glibc read back: flags 0x50000000 mask has USR2 1 KILL 1":
        "   glibc read back: flags 0x50000000 mask has USR2 1 KILL 0",
    "   kept flags 0x7fffffff": "   kept flags 0x5c000807",
    # qemu keeps the two highest real-time signals for itself: they cannot be blocked there.
    "   now 0x3ffffffffffbfeff": "   now 0xfffffffffffbfeff",
    # qemu checks its own TARGET_MINSIGSTKSZ (2048); Linux arm64's MINSIGSTKSZ is 5120.
    "   4096 bytes = 0": "   4096 bytes = -1 ENOMEM",
    "   5119 bytes = 0": "   5119 bytes = -1 ENOMEM",
    # qemu 7.2 refuses SS_AUTODISARM (Linux 4.7+ has it), so there no alternate stack is set:
    # on Linux the handler runs on it, inside the disarmed stack reads as disabled (so setting
    # one is allowed), and sigreturn brings the armed one back.
    "   SS_AUTODISARM = -1 EINVAL": "   SS_AUTODISARM = 0",
    "   autodisarm: on it 0, flags inside 2, change inside 0": "   autodisarm: on it 1, flags inside 2, change inside 0",
    "   after: flags 0x2 size ok 0": "   after: flags 0x80000000 size ok 1",
    # Linux's __save_altstack (since 4.7) saves the flags sigaltstack was given, not whether the
    # interrupted code was on the stack, as qemu does.
    "   nested: depth 20, inner on the alt stack 1, its uc_stack flags 1":
        "   nested: depth 20, inner on the alt stack 1, its uc_stack flags 0",
    "   set with SS_ONSTACK, handler off it: uc_stack flags 0": "   set with SS_ONSTACK, handler off it: uc_stack flags 1",
    # Linux's set_current_blocked drops SIGKILL from the mask sigreturn installs; qemu keeps it.
    "   uc_sigmask edited: mask after the handler 0x900": "   uc_sigmask edited: mask after the handler 0x800",
    # qemu's cpu has SVE: its frame carries an SVE record whose Z registers are restored over
    # the fpsimd record's V registers. Linux (no live SVE state after a system call, or no SVE)
    # restores V from the fpsimd record.
    "   fpsimd record 1 size 528 holds v8 1, v9 restored from it 0":
        "   fpsimd record 1 size 528 holds v8 1, v9 restored from it 1",
    # qemu does not pass SA_NOCLDWAIT or SA_NOCLDSTOP to the host's sigaction: Linux reaps the
    # child itself (wait: ECHILD) and sends no SIGCHLD for a stop or a continue.
    "   wait with SA_NOCLDWAIT = the child": "   wait with SA_NOCLDWAIT = ECHILD",
    "   SA_NOCLDSTOP: handler after the stop 1": "   SA_NOCLDSTOP: handler after the stop 0",
    "   after SIGCONT 2": "   after SIGCONT 0",
    "   after the kill 3": "   after the kill 1",
    # qemu raises ILL_ILLOPN for an undefined instruction; Linux arm64's do_undefinstr says
    # ILL_ILLOPC.
    "   udf: signal 4 code 2 addr ok": "   udf: signal 4 code 1 addr ok",
}

# qemu-user cannot exec an aarch64 program on this host (no binfmt_misc): section 12 is Linux's
# documented behaviour (execve(2), signal(7)): caught signals reset to default, ignored ones
# stay ignored, the mask and pending signals are kept, the alternate stack is gone.
EXEC_SECTION = ("12. signals across execve\n"
                "   after execve: USR1 default, USR2 ignored, TERM default, mask 0x4001, TERM pending 1,"
                " altstack flags 2\n"
                "   exec'd child exited 0\n")

SECTIONS = [("1", "rt_sigaction"), ("2", "SA_RESTART and EINTR"), ("3", "masks, pending, waits"),
            ("4", "sending and order"), ("5", "SIGCHLD siginfo"), ("6", "fault siginfo"),
            ("7", "raise, kill, sigqueue, timer siginfo"), ("8", "sigaltstack and the ucontext"), ("8b", "stack overflow on an alternate stack"),
            ("9", "default actions and wait statuses"), ("10", "fork"), ("11", "threads"), ("12", "execve"), ("13", "RLIMIT_SIGPENDING 0"),
            ("14", "pidfd_send_signal on /proc/<pid>")]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[dict[str, str], subprocess.CompletedProcess]:
    probe = tmp_path_factory.mktemp("sigconf") / "sigconf"
    subprocess.run([CC, "-O2", "-Wall", "-static", "-pthread", "-o", str(probe), str(SOURCE)], check=True)
    linux = sections(replace_lines(oracle_in_tmpfs(probe), QEMU_USER))
    assert linux.get("12") == "12. signals across execve\n   exec'd child exited 127\n"   # as said above
    linux["12"] = EXEC_SECTION
    ours = run(probe, "/tmp")
    assert ours.returncode == 0, ours.stderr
    return linux, ours


@pytest.mark.parametrize("section, what", SECTIONS)
def test_signal_calls_answer_as_linux(outputs, section, what):
    linux, ours = outputs
    assert linux.get(section), f"the oracle printed no section {section} ({what})"
    assert sections(ours.stdout).get(section) == linux[section], what


def test_sigconf_probe_runs_quietly(outputs):
    assert outputs[1].stderr == ""
