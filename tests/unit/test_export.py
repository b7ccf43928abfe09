"""`unibuild export`: the libvirt domain is checked by libvirt's own schema (virt-xml-validate),
the KubeVirt image by the tool that made it (umoci stat/ls/unpack); nothing is booted here (the
kernel is a stand-in file, copied as it is)."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from unibuild.image import Manifest, Placement, build_image


@pytest.fixture
def image(tmp_path) -> Path:
    prog = tmp_path / "prog"
    prog.write_bytes(b"\x7fELF stand-in program")
    out = tmp_path / "app.img"
    build_image(Manifest(program="/prog", args=["a"], files=[Placement(prog, "/prog")]), out)
    return out


@pytest.fixture
def kernel(tmp_path) -> Path:
    k = tmp_path / "Image"
    k.write_bytes(b"stand-in kernel " * 100)
    return k


def export(run_cli, *args):
    return run_cli("export", *map(str, args))


def validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["virt-xml-validate", str(path), "domain"], capture_output=True, text=True)


def test_libvirt_domain_validates_and_boots_the_image_with_the_launch_options(run_cli, tmp_path, image, kernel):
    out = tmp_path / "app.xml"
    r = export(run_cli, "--libvirt", "app", "-o", out, "--kernel", kernel, "-m", "512M", "--smp", "2",
               "-p", "8080", "--append", "x=1", image)
    assert r.returncode == 0, r.stderr
    v = validate(out)
    assert v.returncode == 0, v.stderr
    d = ET.parse(out).getroot()
    assert d.get("type") == "kvm" and d.findtext("name") == "app"
    assert d.find("memory").get("unit") == "MiB" and d.findtext("memory") == "512" and d.findtext("vcpu") == "2"
    assert d.findtext("on_poweroff") == "destroy"
    assert d.findtext("os/cmdline") == "x=1 quiet program"
    copied = Path(d.findtext("os/kernel"))
    assert copied == (tmp_path / "app.Image").resolve() and copied.read_bytes() == kernel.read_bytes()
    disk = d.find("devices/disk")
    assert disk.find("source").get("file") == str(image.resolve()) and disk.find("readonly") is not None
    iface = d.find("devices/interface")
    assert iface.find("model").get("type") == "virtio"
    assert iface.find("portForward/range").attrib == {"start": "8080", "to": "8080"}
    assert d.find("features/gic").get("version") == "host" and d.find("cpu").get("mode") == "host-passthrough"


def test_libvirt_domain_for_tcg_names_the_cpu_model_and_gic(run_cli, tmp_path, image, kernel):
    out = tmp_path / "tcg.xml"
    r = export(run_cli, "--libvirt", "tcg", "-o", out, "--kernel", kernel, "--accel", "tcg", "--gic", "2",
               "--cpu", "cortex-a72", "--net", "none", image)
    assert r.returncode == 0, r.stderr
    assert validate(out).returncode == 0
    d = ET.parse(out).getroot()
    assert d.get("type") == "qemu" and d.find("features/gic").get("version") == "2"
    assert d.findtext("cpu/model") == "cortex-a72" and d.find("devices/interface") is None


def test_a_domain_that_breaks_the_schema_is_refused_by_the_validator(tmp_path):
    """The validator is a real check: the same domain without its <os> does not validate."""
    bad = tmp_path / "bad.xml"
    bad.write_text("<domain type='kvm'><name>x</name><memory>1</memory><bogus/></domain>")
    assert validate(bad).returncode != 0


def test_kubevirt_vm_and_its_oci_layout(run_cli, tmp_path, image, kernel):
    out = tmp_path / "kv"
    r = export(run_cli, "--kubevirt", "app", "-o", out, "--kernel", kernel, "--smp", "2", "-p", "8080",
               "--image-ref", "registry.example/app:1", image)
    assert r.returncode == 0, r.stderr
    vm = json.loads((out / "vm.yaml").read_text())
    spec = vm["spec"]["template"]["spec"]
    assert vm["kind"] == "VirtualMachine" and spec["architecture"] == "arm64"
    assert spec["volumes"] == [{"name": "image", "containerDisk": {"image": "registry.example/app:1",
                                                                   "path": "/disk/image.tfs"}}]
    boot = spec["domain"]["firmware"]["kernelBoot"]
    assert boot["container"] == {"image": "registry.example/app:1", "kernelPath": "/boot/Image"}
    assert boot["kernelArgs"] == "quiet program" and spec["domain"]["cpu"]["cores"] == 2
    assert spec["domain"]["devices"]["interfaces"][0]["ports"] == [{"port": 8080, "protocol": "TCP"}]

    layout = out / "oci"
    tags = subprocess.run(["umoci", "ls", "--layout", str(layout)], capture_output=True, text=True, check=True)
    assert tags.stdout.split() == ["latest"]
    stat = json.loads(subprocess.run(["umoci", "stat", "--json", "--image", f"{layout}:latest"],
                                     capture_output=True, text=True, check=True).stdout)
    assert [h["created_by"] for h in stat["history"]] == ["unibuild export: /disk/image.tfs",
                                                          "unibuild export: /boot/Image"]
    bundle = tmp_path / "bundle"
    subprocess.run(["umoci", "unpack", "--rootless", "--image", f"{layout}:latest", str(bundle)],
                   capture_output=True, check=True)
    assert (bundle / "rootfs/disk/image.tfs").read_bytes() == image.read_bytes()
    assert (bundle / "rootfs/boot/Image").read_bytes() == kernel.read_bytes()


@pytest.mark.parametrize("args, message", [
    (("--libvirt", "a", "--kubevirt", "b"), "exactly one of"),
    (("--libvirt", "Bad_Name"), "must be lower-case"),
    (("--libvirt", "a", "--virtio-transport", "mmio"), "cannot be exported"),
    (("--kubevirt", "a", "--gic", "2"), "GICv3"),   # refused before -o is made
])
def test_bad_exports_are_one_line(run_cli, tmp_path, image, kernel, args, message):
    r = export(run_cli, *args, "-o", tmp_path / "out", "--kernel", kernel, image)
    assert r.returncode != 0 and r.stderr.startswith("unibuild: ") and r.stderr.count("\n") == 1, r.stderr
    assert message in r.stderr and not (tmp_path / "out").exists()


def test_export_of_a_file_that_is_not_an_image_is_one_line(run_cli, tmp_path, kernel):
    junk = tmp_path / "junk.img"
    junk.write_bytes(b"x" * 5000)
    r = export(run_cli, "--libvirt", "a", "-o", tmp_path / "a.xml", "--kernel", kernel, junk)
    assert r.returncode != 0 and "is not a TFS image" in r.stderr and r.stderr.count("\n") == 1


def efi_kernel(tmp_path) -> Path:
    """A stand-in with what the disk writer checks: the arm64 Image magic and a PE header for arm64."""
    head = bytearray(4096)
    head[0:2] = b"MZ"
    head[56:60] = b"ARM\x64"
    head[60:64] = (64).to_bytes(4, "little")
    head[64:70] = b"PE\0\0" + (0xAA64).to_bytes(2, "little")
    k = tmp_path / "efi-Image"
    k.write_bytes(bytes(head))
    return k


def test_libvirt_domain_of_a_disk_boots_it_through_uefi_firmware(run_cli, tmp_path, image):
    from unibuild.disk.disk import write_disk
    from unibuild.launch.firmware import CMDLINE_FILE, FIRMWARE
    disk = tmp_path / "app.qcow2"
    write_disk(disk, image, efi_kernel(tmp_path), "qcow2")
    out = tmp_path / "app.xml"
    r = export(run_cli, "--libvirt", "app", "-o", out, "--append", "x=1", disk)
    assert r.returncode == 0, r.stderr
    v = validate(out)
    assert v.returncode == 0, v.stderr
    d = ET.parse(out).getroot()
    loader = d.find("os/loader")
    assert loader.text == str(FIRMWARE) and loader.get("type") == "rom" and d.find("os/kernel") is None
    assert d.find("features/acpi") is not None   # ACPI, as `boot DISK` (kernel/efi/acpi_fdt.c)
    entry = d.find("sysinfo[@type='fwcfg']/entry")
    assert entry.get("name") == CMDLINE_FILE and entry.text == "x=1 quiet program"
    drive = d.find("devices/disk")
    assert drive.find("driver").get("type") == "qcow2" and drive.find("source").get("file") == str(disk.resolve())
    r = export(run_cli, "--kubevirt", "app", "-o", tmp_path / "kv", disk)
    assert r.returncode != 0 and r.stderr.count("\n") == 1 and "bootable disk" in r.stderr, r.stderr
