"""Every user-caused problem: one `unibuild: ...` line on stderr, non-zero exit, no traceback."""

from __future__ import annotations

import pytest

# Makes the CLI believe it runs on an x86_64 host (for the KVM cases) whatever this host is.
ON_X86 = (
    "import unibuild.host.probe as h\n"
    "h.probe_host = lambda: h.HostInfo('x86_64', h.kvm_status('x86_64'))"
)


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("unibuild: ")
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def image(tiny_image):
    return str(tiny_image("STATUS=0"))


def test_unknown_platform_lists_the_known_ones(run_cli):
    r = run_cli("kernel", "--platform", "riscv-nope")
    assert_one_line_error(r, "unknown platform 'riscv-nope'", "known platforms: virt")


def test_unknown_platform_for_boot_too(run_cli, image):
    r = run_cli("boot", "--platform", "pc", "--kernel", image)
    assert_one_line_error(r, "unknown platform 'pc'")


def test_bad_gic_value(run_cli, image):
    r = run_cli("boot", "--kernel", image, "--gic", "5")
    assert_one_line_error(r, "--gic", "'5'")


def test_bad_accel_value(run_cli, image):
    r = run_cli("boot", "--kernel", image, "--accel", "hvf")
    assert_one_line_error(r, "--accel", "'hvf'")


def test_non_numeric_smp(run_cli, image):
    r = run_cli("boot", "--kernel", image, "--smp", "many")
    assert_one_line_error(r, "--smp")


def test_bad_memory_size(run_cli, image):
    r = run_cli("boot", "--kernel", image, "-m", "lots")
    assert_one_line_error(r, "bad memory size 'lots'")


def test_unknown_cpu_model(run_cli, image):
    r = run_cli("boot", "--kernel", image, "--cpu", "pentium")
    assert_one_line_error(r, "unknown CPU model 'pentium'")


def test_missing_kernel_file(run_cli, tmp_path):
    r = run_cli("boot", "--kernel", str(tmp_path / "missing.img"))
    assert_one_line_error(r, "missing.img", "not found")


def test_missing_toolchain_names_the_package(run_cli, fake_bin):
    r = run_cli("kernel", env={"PATH": str(fake_bin.directory)}, prelude=
                "import unibuild.toolchain as t; t.host_arch = lambda: 'x86_64'")
    assert_one_line_error(r, "aarch64-linux-gnu-gcc not found", "gcc-aarch64-linux-gnu")


def test_cross_compile_prefix_that_does_not_exist(run_cli):
    r = run_cli("kernel", "--cross-compile", "nonexistent-arch-")
    assert_one_line_error(r, "nonexistent-arch-gcc not found")


def test_missing_qemu_names_the_package(run_cli, image, fake_bin):
    r = run_cli("boot", "--kernel", image, env={"PATH": str(fake_bin.directory)})
    assert_one_line_error(r, "qemu-system-aarch64 not found", "qemu-system-arm")


def test_kvm_on_an_x86_host(run_cli, image):
    r = run_cli("boot", "--kernel", image, "--accel", "kvm", prelude=ON_X86)
    assert_one_line_error(r, "--accel kvm is not possible here", "x86_64")


def test_el2_under_kvm(run_cli, image):
    prelude = (
        "import unibuild.host.probe as h\n"
        "h.probe_host = lambda: h.HostInfo('aarch64', h.KvmStatus(True, 'test'))"
    )
    r = run_cli("boot", "--kernel", image, "--el2", "--accel", "kvm", prelude=prelude)
    assert_one_line_error(r, "--el2 needs TCG")


def test_qemu_rejecting_the_machine(run_cli, image):
    r = run_cli("boot", "--kernel", image, "--accel", "tcg", "--smp", "600")
    assert_one_line_error(r, "QEMU failed to start", "512")


def test_gicv2_with_too_many_cpus(run_cli, image):
    r = run_cli("boot", "--kernel", image, "--gic", "2", "--smp", "16")
    assert_one_line_error(r, "GICv2 supports at most 8 CPUs")


def test_help_is_not_an_error(run_cli):
    r = run_cli("boot", "--help")
    assert r.returncode == 0 and "--accel" in r.stdout and r.stderr == ""


@pytest.mark.parametrize("argv", [
    ("build", "--block-size", "abc", "-o", "img", "prog"),
    ("build", "prog"),                                   # -o is required
    ("ls", "--no-such-option", "img"),
    ("cat", "img"),                                      # PATH missing
    ("dump", "--jsn", "img"),
    ("ldd", "--extras", "--bogus", "prog"),
    ("target-root", "remove"),
    ("run", "-e", "=VALUE", "prog"),
])
def test_every_command_reports_a_bad_option_in_one_line(run_cli, argv):
    r = run_cli(*argv)
    assert_one_line_error(r, f"see 'unibuild {argv[0]} --help'")
    assert "Usage:" not in r.stderr


def test_block_size_that_is_not_a_number_names_the_option(run_cli):
    r = run_cli("build", "--block-size", "abc", "-o", "img", "prog")
    assert_one_line_error(r, "--block-size", "'abc' is not a valid integer")


@pytest.mark.parametrize("config, fragments", [
    ({"smp": "four"}, ("config key smp", "--smp", "'four' is not a valid integer")),
    ({"accel": "xen"}, ("config key accel", "'xen' is not one of")),
    ({"timeout": [1]}, ("config key timeout must be a single value",)),
    ({"extras": "yes"}, ("config key extras must be true or false",)),
    ({"env": ["A=1"]}, ("config key env must be an object",)),
    ({"memory": "lots"}, ("config key memory: bad memory size 'lots'",)),
    ({"memory": [512]}, ("config key memory must be a single value",)),
    ({"smp": True}, ("config key smp must be a number or a string, not true",)),
    ({"smp": 0}, ("config key smp: must be at least 1, not 0",)),
    ({"timeout": "x"}, ("config key timeout", "'x' is not a valid float")),
    ({"timeout": 0}, ("config key timeout: must be a positive number of seconds",)),
    ({"extras": "no"}, ("config key extras must be true or false",)),
    ({"ports": ["8080:x"]}, ("config key ports: bad port forward '8080:x'",)),
    ({"ports": [True]}, ("config key ports must be a list of strings",)),
    ({"kernel_options": {"profil": 1}}, ("config key kernel_options: unknown kernel option 'profil'",)),
    ({"program": ["a"]}, ("config key program must be a single value",)),
    ({"args": "-c x"}, ("config key args must be a list",)),
    ({"nosuch": 1}, ("unknown key(s) nosuch",)),
])
@pytest.mark.parametrize("command", [("run",), ("build", "-o", "never.tfs")])
def test_config_value_of_the_wrong_type_is_one_line_naming_the_key(run_cli, tmp_path, config, fragments, command):
    import json
    path = tmp_path / "c.json"
    path.write_text(json.dumps(config))
    r = run_cli(*command, "-c", str(path), "prog")
    assert_one_line_error(r, *fragments)
    assert r.returncode == 125   # unibuild's own failure, never a status the program could return
    assert not (tmp_path / "never.tfs").exists()
