"""Volumes on the host side: names and files, -v specs, sizes, create/check, the lock, and the
QEMU command line a volume adds (drive per volume after the image, cache=writeback, mount=)."""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

import pytest

from unibuild.errors import UserError
from unibuild.host.probe import HostInfo, KvmStatus
from unibuild.launch.qemu_cmdline import LaunchOptions, build_command
from unibuild.platform import load_platform
from unibuild.tfs.reader import Image
from unibuild.tfs.volume import (VolumeMount, check_volume, create_volume, locked, parse_mount, parse_size,
                                 volume_path)

UNIBUILD = [sys.executable, "-m", "unibuild"]
X86 = HostInfo("x86_64", KvmStatus(False, "host is x86_64"))


@pytest.fixture
def volumes(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "vols"
    monkeypatch.setenv("UNIBUILD_VOLUMES", str(d))
    return d


def test_a_name_is_a_volume_in_the_volumes_directory_and_a_path_is_a_file(volumes):
    assert volume_path("data") == volumes / "data.tfs"
    assert volume_path("./data") == Path("./data")
    assert volume_path("/x/y.img") == Path("/x/y.img")


def test_mount_specs(volumes):
    create_volume("data", 2 << 20)
    assert parse_mount("data:/mnt/d") == VolumeMount(volumes / "data.tfs", "/mnt/d", False)
    assert parse_mount("data:/mnt/d/:ro") == VolumeMount(volumes / "data.tfs", "/mnt/d", True)
    for bad in ("data", "data:", "data:rel", "data:/", ":/x", "data:/a/../b"):
        with pytest.raises(UserError):
            parse_mount(bad)
    with pytest.raises(UserError, match=r"volume nope not found .*unibuild volume create nope"):
        parse_mount("nope:/x")


def test_sizes():
    assert parse_size("64M") == 64 << 20 and parse_size("1G") == 1 << 30 and parse_size("2GiB") == 2 << 30
    for bad in ("", "12X", "-1M", "100K"):
        with pytest.raises(UserError):
            parse_size(bad)


def test_create_refuses_to_overwrite_and_check_reports_what_is_there(volumes, tmp_path):
    src = tmp_path / "src"
    (src / "d").mkdir(parents=True)
    (src / "d/f").write_bytes(b"x" * 10000)
    path = create_volume("seeded", 4 << 20, src)
    with pytest.raises(UserError, match="already exists"):
        create_volume("seeded")
    r = check_volume(path)
    assert (r.version, r.files, r.dirs, r.size, r.last_commit, r.tail) == ("2.0", 1, 2, 4 << 20, 1, None)
    with Image(path) as img:
        assert img.boot is None and img.read_bytes(img.lookup("/d/f")) == b"x" * 10000
    big = tmp_path / "big"
    big.mkdir()
    (big / "b").write_bytes(b"y" * (2 << 20))
    with pytest.raises(UserError, match="give a larger --size"):
        create_volume("tiny", 1 << 20, big)
    assert not volume_path("tiny").exists()


def test_the_cli_creates_lists_and_checks(volumes):
    made = subprocess.run([*UNIBUILD, "volume", "create", "v1", "--size", "8M"], capture_output=True, text=True)
    assert (made.returncode, made.stdout) == (0, f"{volumes / 'v1.tfs'}\n")
    listed = subprocess.run([*UNIBUILD, "volume", "ls"], capture_output=True, text=True)
    assert listed.stdout.split()[:2] == ["v1", "8M"]
    checked = subprocess.run([*UNIBUILD, "volume", "check", "v1"], capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stdout.endswith("ok\n")
    (volumes / "v1.tfs").write_bytes(b"garbage" * 1000)
    bad = subprocess.run([*UNIBUILD, "volume", "check", "v1"], capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stderr.startswith("unibuild: ") and "not a TFS image" in bad.stderr


def test_a_volume_is_locked_while_in_use(volumes):
    m = VolumeMount(create_volume("busy", 2 << 20), "/x")
    with locked((m,)):
        with pytest.raises(UserError, match="in use by another guest"):
            with locked((m,)):
                pass
    with open(m.path, "rb") as f:        # released afterwards
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_each_volume_is_a_writable_drive_after_the_image_and_a_mount_argument(volumes, tmp_path):
    a, b = create_volume("a", 2 << 20), create_volume("b", 2 << 20)
    opts = LaunchOptions(accel="tcg", disk=tmp_path / "img", volumes=(VolumeMount(a, "/data"),
                                                                       VolumeMount(b, "/ro", True)))
    cmd = build_command(load_platform("virt"), tmp_path / "Image", opts, X86, tmp_path / "q.sock")
    drives = [cmd.argv[i + 1] for i, x in enumerate(cmd.argv) if x == "-drive"]
    assert drives == [f"file={tmp_path / 'img'},if=none,format=raw,id=disk0,readonly=on",
                      f"file={a},if=none,format=raw,id=vol0,cache=writeback",
                      f"file={b},if=none,format=raw,id=vol1,cache=writeback,readonly=on"]
    append = cmd.argv[cmd.argv.index("-append") + 1].split()
    assert "mount=vdb:/data" in append and "mount=vdc:/ro:ro" in append
    writable = build_command(load_platform("virt"), tmp_path / "Image",
                             LaunchOptions(accel="tcg", disk=tmp_path / "img", disk_writable=True), X86,
                             tmp_path / "q.sock")
    assert f"file={tmp_path / 'img'},if=none,format=raw,id=disk0,cache=writeback" in writable.argv


def test_boot_refuses_a_volume_as_the_image(volumes):
    path = create_volume("notimage", 2 << 20)
    r = subprocess.run([*UNIBUILD, "boot", "--accel", "tcg", "--kernel", "/nonexistent", str(path)],
                       capture_output=True, text=True)
    assert r.returncode != 0 and r.stderr.startswith("unibuild: ") and "is a volume" in r.stderr
