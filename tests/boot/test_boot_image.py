"""`unibuild boot IMAGE` boots what `unibuild build` wrote, and `--print-qemu` prints a QEMU
command line that does the same by hand: hello's output is the same as on Linux (the oracle,
qemu-aarch64-static) either way."""

from __future__ import annotations

import hashlib
import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from lib.guest import TARGET_ROOT, UNIBUILD, oracle

from unibuild.pipeline import kernel_image

pytestmark = pytest.mark.boot

ARGS = ("one", "two words")


@pytest.fixture(scope="module")
def image(programs, target_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("image") / "hello.img"
    subprocess.run([*UNIBUILD, "build", "-o", str(out), "--target-root", str(TARGET_ROOT),
                    str(programs["hello"]), *ARGS], check=True, capture_output=True)
    return out


def test_boot_image_runs_the_program_the_image_was_built_with(programs, image):
    r = subprocess.run([*UNIBUILD, "boot", "--accel", "tcg", "--net", "none", "--timeout", "90", str(image)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == oracle(programs["hello"], *ARGS)


def test_the_printed_qemu_line_boots_the_image_by_hand(programs, image):
    printed = subprocess.run([*UNIBUILD, "boot", "--print-qemu", "--accel", "tcg", "--net", "none", str(image)],
                             capture_output=True, text=True, check=True).stdout
    lines = printed.splitlines()
    assert all(line.startswith("#") for line in lines[:-1]) and lines[-1].startswith("qemu-system-aarch64 ")
    r = subprocess.run(shlex.split(lines[-1]), capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, r.stderr   # QEMU's own status: the guest powered off
    assert r.stdout.replace("\r\n", "\n") == oracle(programs["hello"], *ARGS)


def test_run_print_qemu_keeps_its_image_and_the_line_runs(programs, target_root):
    printed = subprocess.run([*UNIBUILD, "run", "--print-qemu", "--accel", "tcg", "--net", "none",
                              "--target-root", str(TARGET_ROOT), str(programs["hello"]), *ARGS],
                             capture_output=True, text=True, check=True).stdout
    kept = Path(printed.split("# The image: ", 1)[1].split(" ", 1)[0])
    argv = shlex.split(printed.splitlines()[-1])
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=90)
        # The kept image records the kernel the printed line boots.
        kernel = Path(argv[argv.index("-kernel") + 1])
        dumped = json.loads(subprocess.run([*UNIBUILD, "dump", "--json", str(kept)], capture_output=True,
                                           check=True).stdout)["boot"]
        assert dumped["built_for"]["kernel"] == "sha256:" + hashlib.sha256(kernel.read_bytes()).hexdigest()
    finally:
        shutil.rmtree(kept.parent)
    assert r.stdout.replace("\r\n", "\n") == oracle(programs["hello"], *ARGS)


@pytest.mark.parametrize("content, message", [
    (None, "not found"),
    (b"not an image at all" * 300, "is not a TFS image"),
])
def test_boot_of_something_that_is_not_an_image_is_one_line(tmp_path, content, message):
    path = tmp_path / "bad.img"
    if content is not None:
        path.write_bytes(content)
    r = subprocess.run([*UNIBUILD, "boot", "--accel", "tcg", str(path)], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and r.stdout == ""
    assert r.stderr.startswith("unibuild: ") and message in r.stderr and r.stderr.count("\n") == 1, r.stderr


@pytest.mark.parametrize("print_qemu", [False, True])
def test_a_kernel_other_than_the_one_the_image_was_built_for_is_one_line(image, tmp_path, print_qemu):
    # Another kernel: the one the image records, one byte changed (a different build's digest).
    built_for = json.loads(subprocess.run([*UNIBUILD, "dump", "--json", str(image)], capture_output=True,
                                          check=True).stdout)["boot"]["built_for"]
    kernel = kernel_image(built_for["platform"])
    assert built_for["kernel"] == "sha256:" + hashlib.sha256(kernel.read_bytes()).hexdigest()
    other = tmp_path / "Image"
    data = bytearray(kernel.read_bytes())
    data[len(data) // 2] ^= 0x01
    other.write_bytes(data)
    r = subprocess.run([*UNIBUILD, "boot", *(["--print-qemu"] if print_qemu else []), "--kernel", str(other),
                        "--accel", "tcg", "--net", "none", str(image)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 125 and r.stdout == "", r.stdout
    assert r.stderr.startswith("unibuild: ") and r.stderr.count("\n") == 1, r.stderr
    assert "was built for kernel " + built_for["kernel"][:19] in r.stderr
