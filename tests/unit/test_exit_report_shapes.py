"""The host's exit-report decoder against the two shapes a powered-off guest leaves behind.

Both dumps are QEMU 7.2 `info registers` text captured from our kernel powering off after a
program exited 7 (first lines only): under TCG, QEMU's PSCI code writes no register, so x1..x3
and x4..x6 both hold the report; under KVM (the nested test's L1, Linux 6.1), Linux's PSCI
handler has already written x0 = PSCI_RET_INTERNAL_FAILURE (-6) and zeroed x1..x3 before QEMU
sees the exit (arch/arm64/kvm/psci.c: kvm_psci_0_2_call, smccc_set_retval), so only x4..x6 are left.
"""

from __future__ import annotations

from unibuild.launch.qemu_run import ExitReport, parse_exit_report, result_from_report

TCG = """
CPU#0
 PC=ffffffff800215ec X00=0000000084000008 X01=00000000554e4942
X02=0000000000000007 X03=0000000000000000 X04=00000000554e4942
X05=0000000000000007 X06=0000000000000000 X07=0000000000000001
X08=000000000000005e X09=000000000045e230 X10=000000000000000a
"""

KVM = """
CPU#0
 PC=ffffffff800215ec X00=fffffffffffffffa X01=0000000000000000
X02=0000000000000000 X03=0000000000000000 X04=00000000554e4942
X05=0000000000000007 X06=0000000000000000 X07=0000000000000001
X08=000000000000005e X09=000000000045e230 X10=000000000000000a
"""

# What a kernel that reported in x1..x3 only left under KVM: the status 125.
KVM_OLD_KERNEL = """
CPU#0
 PC=ffffffff800215ec X00=fffffffffffffffa X01=0000000000000000
X02=0000000000000000 X03=0000000000000000 X04=0000000000000001
X05=0000000000000000 X06=0000000000000000 X07=0000000000000001
"""

# A TCG guest that knows only the older contract (x1..x3), as tests/fixtures/tiny_image.S.
TCG_X1_ONLY = """
CPU#0
 PC=000000004008006c X00=0000000084000008 X01=00000000554e4942
X02=000000000000002a X03=0000000000000001 X04=0000000040080000
"""


def test_tcg_dump_gives_the_status():
    assert parse_exit_report(TCG) == ExitReport(cpu=0, status=7, kind=0)


def test_kvm_dump_with_x0_to_x3_overwritten_gives_the_same_status():
    assert parse_exit_report(KVM) == ExitReport(cpu=0, status=7, kind=0)
    r = result_from_report(parse_exit_report(KVM), "", "guest-shutdown")
    assert (r.status, r.kind, r.error) == (7, "program", None)


def test_report_only_in_x1_to_x3_is_lost_under_kvm_and_says_so():
    assert parse_exit_report(KVM_OLD_KERNEL) is None
    r = result_from_report(None, "", "guest-shutdown")
    assert r.status == 125 and "no UNIB magic in x4 or x1" in r.error


def test_older_x1_to_x3_report_is_still_read():
    assert parse_exit_report(TCG_X1_ONLY) == ExitReport(cpu=0, status=42, kind=1)


def test_x4_report_wins_over_a_different_x1_report():
    # x4..x6 are the contract; x1..x3 are read only when x4 has no magic.
    both = TCG.replace("X02=0000000000000007", "X02=0000000000000009")
    assert parse_exit_report(both) == ExitReport(cpu=0, status=7, kind=0)


def test_kvm_report_is_found_on_the_cpu_that_powered_off():
    other = KVM.replace("CPU#0", "CPU#1").replace("554e4942", "11111111")
    assert parse_exit_report(other + KVM.replace("CPU#0", "CPU#2")) == ExitReport(cpu=2, status=7, kind=0)
