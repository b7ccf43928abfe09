"""`build --format disk|qcow2` booted by UEFI firmware (Debian's EDK2 for QEMU virt, TCG): the
kernel's EFI stub, the TFS partition found by its type, the program's output and exit status as
on Linux (qemu-aarch64-static), on GICv3 and GICv2, from the firmware's device tree or its ACPI
tables. And what is wrong with a disk is one line
before any QEMU starts: no TFS partition, a damaged ESP, a kernel other than the disk's."""

from __future__ import annotations

import re
import shlex
import subprocess
import time
import uuid

import pytest
from lib.guest import GUEST_SOURCES, TARGET_ROOT, UNIBUILD

from unibuild.disk import gpt

pytestmark = pytest.mark.boot


def linux(program, *args):
    r = subprocess.run(["qemu-aarch64-static", "-L", str(TARGET_ROOT), str(program), *args],
                       capture_output=True, text=True, timeout=60)
    return r.stdout, r.returncode


def build_disk(out, fmt, program, *args):
    subprocess.run([*UNIBUILD, "build", "--format", fmt, "-o", str(out), "--target-root", str(TARGET_ROOT),
                    str(program), *args], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def disk(programs, target_root, tmp_path_factory):
    return build_disk(tmp_path_factory.mktemp("disk") / "hello.disk", "disk", programs["hello"], "one", "two words")


# One EDK2 boot per GIC version: a raw disk of hello (its output), a qcow2 of probe (its status).
@pytest.mark.parametrize("gic, fmt, name, args", [
    ("3", "disk", "hello", ("one", "two words")),
    ("2", "qcow2", "probe-static", ("exit", "3")),
])
def test_the_disk_boots_under_uefi_firmware_as_on_linux(programs, target_root, tmp_path, gic, fmt, name, args):
    # acpi=off: EDK2 hands the kernel QEMU's device tree (the default is ACPI, below).
    image = build_disk(tmp_path / f"app.{fmt}", fmt, programs[name], *args)
    r = subprocess.run([*UNIBUILD, "boot", "--accel", "tcg", "--gic", gic, "--net", "none", "--timeout", "90",
                        "--machine-opt", "acpi=off", str(image)], capture_output=True, text=True, timeout=150)
    stdout, status = linux(programs[name], *args)
    assert (r.stdout, r.returncode) == (stdout, status), r.stderr
    assert "UEFI firmware" not in r.stdout + r.stderr   # the firmware's lines only with --verbose


def one_line(r, *words):
    assert r.returncode == 125 and r.stdout == "", (r.stdout, r.stderr)
    assert r.stderr.startswith("unibuild: ") and r.stderr.count("\n") == 1, r.stderr
    for w in words:
        assert w in r.stderr, r.stderr


def boot(path, *extra):
    return subprocess.run([*UNIBUILD, "boot", "--accel", "tcg", "--net", "none", *extra, str(path)],
                          capture_output=True, text=True, timeout=60)


def test_a_gpt_disk_without_a_tfs_partition_is_one_line(disk, tmp_path):
    # The same disk with its partition table rewritten to hold the ESP only.
    bad = tmp_path / "no-tfs.disk"
    bad.write_bytes(disk.read_bytes())
    with open(bad, "r+b") as f:
        esp = next(p for p in gpt.read_table(f, "disk") if p.type == gpt.ESP_TYPE)
        gpt.write_table(f, bad.stat().st_size, [esp], uuid.uuid4())
    one_line(boot(bad), "GPT disk without a TFS partition")


def test_a_damaged_esp_is_one_line(disk, tmp_path):
    bad = tmp_path / "bad-esp.disk"
    data = bytearray(disk.read_bytes())
    with open(disk, "rb") as f:
        esp = next(p for p in gpt.read_table(f, "disk") if p.type == gpt.ESP_TYPE)
    data[esp.offset:esp.offset + esp.size] = bytes(esp.size)   # the FAT gone, the table intact
    bad.write_bytes(data)
    one_line(boot(bad), "EFI system partition", "BOOTAA64.EFI")


def test_a_truncated_disk_is_one_line(disk, tmp_path):
    bad = tmp_path / "short.disk"
    bad.write_bytes(disk.read_bytes()[: 3 << 20])
    one_line(boot(bad), "truncated")


def test_a_kernel_other_than_the_disks_is_one_line(disk, tmp_path):
    other = tmp_path / "Image"
    other.write_bytes(b"not the disk's kernel")
    one_line(boot(disk, "--kernel", str(other)), "boots the kernel in its EFI system partition")


# ACPI on (boot DISK's default): EDK2 then gives the OS ACPI tables and no device tree, and the
# stub makes the tree the kernel reads from them (kernel/efi/acpi_fdt.c). GICv3 with its ITS,
# GICv2 with its v2m frame and a second CPU from the MADT; the disk's virtio-blk through the
# DSDT's PCIe windows. The GICv3 boot is quiet (the program's output exactly) and says acpi=on;
# the GICv2 one verbose and with the default, to see that the tree was the one made from ACPI
# and that the MADT's second CPU came up.
@pytest.mark.parametrize("gic, smp, verbose", [("3", "1", False), ("2", "2", True)])
def test_the_disk_boots_from_acpi_tables_as_on_linux(disk, programs, gic, smp, verbose):
    r = boot(disk, "--gic", gic, "--smp", smp, "--timeout", "90",
             *(["--verbose"] if verbose else ["--machine-opt", "acpi=on"]))
    stdout, status = linux(programs["hello"], "one", "two words")
    if verbose:
        assert r.returncode == status and r.stdout.endswith(stdout), (r.stdout, r.stderr)
        assert "machine: machine described by ACPI" in r.stdout and "smp: 2 of 2 cpus online" in r.stdout, r.stdout
        assert "gic: v2 dist" in r.stdout and "gicv2m: frame" in r.stdout, r.stdout
    else:
        assert (r.stdout, r.returncode) == (stdout, status), r.stderr


def test_under_acpi_the_clock_is_the_firmwares_and_virtio_mmio_comes_from_the_dsdt(programs, target_root, tmp_path):
    # One boot for two things the ACPI tables do not say the way a device tree does:
    # - the wall clock: QEMU's tables name no RTC, so the EFI stub hands the kernel EDK2's GetTime
    #   (EDK2 reads the PL031 QEMU sets to the host's UTC) with the counter at that moment. Loosely
    #   compared: time(NULL) between the host's before and after the boot, a minute's slack each
    #   side (the RTC's whole seconds, a host clock being stepped);
    # - the disk and the NIC over virtio-mmio, found through the DSDT's LNRO0005 devices, with
    #   the trigger the DSDT gives (QEMU writes them level-high; its device tree says edge).
    image = build_disk(tmp_path / "time.disk", "disk", programs["probe-static"], "online", "time")
    before = time.time()
    r = subprocess.run([*UNIBUILD, "boot", "--accel", "tcg", "--gic", "2", "--machine-opt", "acpi=on",
                        "--virtio-transport", "mmio", "--net", "user", "--net-backend", "slirp", "--verbose",
                        "--timeout", "90", str(image)], capture_output=True, text=True, timeout=150)
    after = time.time()
    assert r.returncode == 0, (r.stdout, r.stderr)
    console = r.stdout + r.stderr
    guest = re.search(r"^time=(\d+)$", console, re.M)
    assert guest and before - 60 <= int(guest.group(1)) <= after + 60, (before, console, after)
    assert "rtc: the EFI firmware's time of day" in console, console
    mmio = dict(re.findall(r"^(virtio-\w+): (virtio_mmio@[0-9a-f]+ irq \d+ \((?:edge|level)\))$", console, re.M))
    assert set(mmio) == {"virtio-blk", "virtio-net"} and all(v.endswith("(level)") for v in mmio.values()), console
    assert re.search(r"^en1: DHCP lease in \d+ ms$", console, re.M), console
    assert not re.search(r"^virtio-\w+: [0-9a-f]{2}:[0-9a-f]{2}\.\d", console, re.M), "a PCI virtio device appeared"


def test_acpi_tables_the_kernel_cannot_use_are_a_console_line_and_a_kernel_error(disk):
    # QEMU puts the redistributors of more than 123 CPUs in a second GICR region, which the kernel
    # does not drive: the stub says so through the firmware's console and powers off with a
    # kernel error, never back to a menu. (Damaged tables: tests/unit/test_acpi_fdt.py; EDK2
    # recomputes every checksum, so a boot cannot be given one.)
    r = boot(disk, "--smp", "124", "--machine-opt", "acpi=on", "--timeout", "90")
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert r.stdout == "acpi: more than one GICv3 redistributor region is not supported\n", r.stdout
    assert r.stderr == "unibuild: kernel error (see console)\n", r.stderr


def test_the_kernel_refuses_a_gpt_disk_without_a_tfs_partition(disk, programs, target_root, tmp_path):
    # Past the host's check (a by-hand QEMU line): the kernel's own GPT reading says it and powers off.
    bad = tmp_path / "no-tfs.disk"
    bad.write_bytes(disk.read_bytes())
    with open(bad, "r+b") as f:
        esp = next(p for p in gpt.read_table(f, "disk") if p.type == gpt.ESP_TYPE)
        gpt.write_table(f, bad.stat().st_size, [esp], uuid.uuid4())
    image = tmp_path / "hello.img"
    subprocess.run([*UNIBUILD, "build", "-o", str(image), "--target-root", str(TARGET_ROOT), str(programs["hello"])],
                   check=True, capture_output=True)
    printed = subprocess.run([*UNIBUILD, "boot", "--print-qemu", "--accel", "tcg", "--net", "none", str(image)],
                             capture_output=True, text=True, check=True).stdout.splitlines()[-1]
    argv = [a.replace(f"file={image}", f"file={bad}") for a in shlex.split(printed)]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert "gpt: vda is a GPT disk without a TFS partition" in r.stdout, r.stdout


def test_a_disk_the_firmware_boots_but_the_kernel_cannot_see_is_a_console_line_not_a_silent_exit(disk):
    # EDK2 boots the disk from an NVMe controller, for which the kernel has no driver (a cloud's
    # NVMe boot disk): the kernel must say it found nothing to run, not power off with 0.
    printed = subprocess.run([*UNIBUILD, "boot", "--print-qemu", "--accel", "tcg", "--net", "none", str(disk)],
                             capture_output=True, text=True, check=True).stdout.splitlines()[-1]
    argv = shlex.split(printed)
    device = next(i for i, a in enumerate(argv) if a.startswith("virtio-blk-pci,drive=disk0"))
    argv[device] = "nvme,drive=disk0,serial=unibuild"
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert "boot: no program to run: no disk found" in r.stdout, r.stdout
    assert "hello world!" not in r.stdout


def test_a_writable_disk_keeps_its_changes_from_boot_to_boot(tmp_path):
    # The volume probe's `change` (tests/boot/test_volumes.py): the second boot finds the first's work.
    probe = tmp_path / "volume"
    subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-Wall", "-static", "-o", str(probe),
                    str(GUEST_SOURCES / "volume.c")], check=True)
    disk = tmp_path / "w.disk"
    subprocess.run([*UNIBUILD, "build", "--writable", "--format", "disk", "-w", "/state", "-o", str(disk),
                    str(probe), "change", "/state"], check=True, capture_output=True, timeout=60)
    first = boot(disk, "--timeout", "90")
    assert (first.returncode, first.stdout) == (0, "changed\n"), first.stderr
    second = boot(disk, "--timeout", "90")
    assert (second.returncode, second.stdout) == (1, "FAIL mkdir: File exists\n"), second.stderr
