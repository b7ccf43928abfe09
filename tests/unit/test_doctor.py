"""`unibuild doctor`: each check reports found/missing with advice, from an injected host."""

from __future__ import annotations

from unibuild.host.doctor import all_required_ok, format_table, run_checks


def by_name(checks):
    return {c.name: c for c in checks}


def test_a_host_with_nothing_installed_gets_install_advice(fake_bin, tmp_path):
    checks = by_name(run_checks(env=fake_bin.env, arch="x86_64", kvm_device=str(tmp_path / "kvm")))
    assert not checks["cross toolchain"].ok
    assert "gcc-aarch64-linux-gnu" in checks["cross toolchain"].advice
    assert not checks["qemu"].ok and "qemu-system-arm" in checks["qemu"].advice
    assert not checks["network backend"].ok and "passt" in checks["network backend"].advice
    assert not all_required_ok(list(checks.values()))


def test_a_complete_host_passes_the_required_checks(fake_bin, tmp_path):
    fake_bin.add_toolchain()
    fake_bin.add("qemu-system-aarch64", "QEMU emulator version 7.2.22")
    fake_bin.add("passt", "")
    checks = run_checks(env=fake_bin.env, arch="x86_64")
    named = by_name(checks)
    assert named["qemu"].value.endswith("7.2.22")
    assert named["network backend"].ok
    assert all_required_ok(checks)


def test_kvm_row_says_why_not_on_an_x86_host(fake_bin):
    row = by_name(run_checks(env=fake_bin.env, arch="x86_64"))["kvm"]
    assert not row.ok and "x86_64" in row.value and not row.required


def test_target_root_comes_from_the_environment_variable(fake_bin, tmp_path):
    env = {**fake_bin.env, "NANOS_TARGET_ROOT": str(tmp_path)}
    row = by_name(run_checks(env=env, arch="x86_64"))["target root"]
    assert row.ok and str(tmp_path) in row.value and "$NANOS_TARGET_ROOT" in row.value
    env["NANOS_TARGET_ROOT"] = str(tmp_path / "absent")
    row = by_name(run_checks(env=env, arch="x86_64"))["target root"]
    assert not row.ok and "missing" in row.value


def test_table_has_one_row_per_check(fake_bin):
    checks = run_checks(env=fake_bin.env, arch="x86_64")
    assert len(format_table(checks).splitlines()) == len(checks)


def test_doctor_command_exits_1_when_required_tools_are_missing(run_cli, fake_bin):
    r = run_cli("doctor", env={"PATH": str(fake_bin.directory)})
    assert r.returncode == 1
    assert "MISSING" in r.stdout and "Traceback" not in r.stderr


def test_doctor_json_has_every_check_of_the_table_and_the_same_verdict(run_cli, fake_bin):
    import json
    table = run_cli("doctor", env={"PATH": str(fake_bin.directory)})
    r = run_cli("doctor", "--json", env={"PATH": str(fake_bin.directory)})
    assert r.returncode == table.returncode == 1 and "Traceback" not in r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] is False
    for check in report["checks"]:
        assert set(check) == {"name", "ok", "value", "advice", "required"}
        assert check["name"] in table.stdout
    assert any(not c["ok"] and c["required"] and c["advice"] for c in report["checks"])
