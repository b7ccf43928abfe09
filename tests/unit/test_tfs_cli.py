"""The build/ls/cat/dump commands through the real entry point: output and one-line errors."""

import hashlib
import json
import os
import stat
import subprocess
import sys
import time

import pytest

from unibuild.pipeline import kernel_image
from unibuild.tfs.reader import Image


def unibuild(*args, check=True):
    """Run `unibuild ARGS` in a fresh interpreter; stdout as bytes, stderr as text."""
    p = subprocess.run([sys.executable, "-c", "from unibuild.cli import main; main()", *map(str, args)],
                       capture_output=True)
    if check and p.returncode != 0:
        raise AssertionError(p.stderr.decode())
    return p


def assert_one_line_error(p, *words):
    err = p.stderr.decode()
    assert p.returncode == 125, err
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("unibuild: "), err
    for w in words:
        assert w in err, err


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "hosts").write_bytes(b"127.0.0.1 localhost\n")
    os.chmod(root / "etc" / "hosts", 0o640)
    os.symlink("etc/hosts", root / "hosts-link")
    with open(root / "sparse", "wb") as f:
        f.seek(1 << 20)
        f.write(b"end")
    prog = tmp_path / "prog"
    prog.write_bytes(os.urandom(50000))
    prog.chmod(0o755)
    return tmp_path


def build(tree, *extra):
    img = tree / "img"
    unibuild("build", "-o", img, "--dir", f"{tree / 'root'}:/", "-e", "HOME=/", "-e", "A=b=c",
             "--kopt", "memstats=2", "--kernel-debug", *extra, f"{tree / 'prog'}:/bin/prog", "-v", "--x")
    return img


def test_ls_matches_host_modes_sizes_and_names(tree):
    img = build(tree)
    lines = unibuild("ls", img, "/etc").stdout.decode().splitlines()
    host = os.lstat(tree / "root" / "etc" / "hosts")
    fields = lines[0].split()
    assert fields[0] == stat.filemode(host.st_mode)
    assert fields[4] == str(host.st_size) and fields[-1] == "hosts"
    assert fields[5:7] == ["1970-01-01", "00:00"]
    root = unibuild("ls", img).stdout.decode().splitlines()
    # The tree's entries, plus the directories every image gets (run, tmp, var/tmp).
    assert [line.split(" -> ")[0].split()[-1] for line in root] == ["bin", "etc", "hosts-link", "run",
                                                                   "sparse", "tmp", "var"]
    link = next(line for line in root if "hosts-link" in line)
    assert link.startswith("l") and link.endswith("hosts-link -> etc/hosts")


def test_cat_prints_file_bytes_through_symlinks_and_holes(tree):
    img = build(tree)
    assert unibuild("cat", img, "/hosts-link").stdout == (tree / "root" / "etc" / "hosts").read_bytes()
    assert unibuild("cat", img, "/bin/prog").stdout == (tree / "prog").read_bytes()
    assert unibuild("cat", img, "/sparse").stdout == (tree / "root" / "sparse").read_bytes()


def test_build_stores_program_argv_env_and_kernel_options(tree):
    img = build(tree)
    data = json.loads(unibuild("dump", "--json", img).stdout)
    built_for = data["boot"].pop("built_for")
    assert data["boot"] == {"program": "/bin/prog", "argv": ["/bin/prog", "-v", "--x"],
                            "env": ["HOME=/", "A=b=c"], "kernel": {"memstats": 2, "debug": 1}}
    # The kernel build put beside it: the platform's Image, named by its digest.
    kernel = kernel_image("virt")
    assert built_for == {"platform": "virt", "kernel": "sha256:" + hashlib.sha256(kernel.read_bytes()).hexdigest()}
    assert data["header"]["block_size"] == 4096
    names = [c["name"] for c in data["tree"]["children"]]
    assert names == ["bin", "etc", "hosts-link", "run", "sparse", "tmp", "var"]
    sparse = data["tree"]["children"][4]
    assert sparse["size"] == (1 << 20) + 3 and len(sparse["extents"]) == 1
    text = unibuild("dump", img).stdout.decode()
    assert "program:     /bin/prog" in text and "hosts-link" in text


def test_two_builds_are_byte_identical_and_keep_mtime_changes_that(tree):
    a = build(tree).read_bytes()
    os.utime(tree / "prog", (time.time() - 1000, time.time() - 1000))
    b = build(tree).read_bytes()
    assert a == b
    c = build(tree, "--keep-mtime").read_bytes()
    assert c != a


def test_program_already_in_the_image_can_be_named_with_in_image(tree):
    img = tree / "img2"
    unibuild("build", "-o", img, "--dir", f"{tree / 'root'}:/", "--in-image", "/hosts-link")
    with Image(img) as i:
        assert i.boot.argv == ["/hosts-link"]


@pytest.mark.parametrize("args, words", [
    (["--in-image", "/nope"], ["/nope", "not in the image"]),
    (["--in-image", "/etc"], ["not a regular file"]),
    (["-e", "=VALUE", "--in-image", "/hosts-link"], ["KEY=VALUE or KEY"]),
    (["--file", "/does/not/exist", "--in-image", "/hosts-link"], ["/does/not/exist"]),
    (["--dir", "/etc/hostname:/x", "--in-image", "/hosts-link"], ["not a directory"]),
    (["--block-size", "1000", "--in-image", "/hosts-link"], ["block size 1000"]),
    (["--uuid", "xyz", "--in-image", "/hosts-link"], ["not a UUID"]),
    (["--size", "lots", "--in-image", "/hosts-link"], ["lots"]),
    (["--file", "/etc/hostname:/etc", "--in-image", "/hosts-link"], ["already a directory"]),
    (["--file", "/etc/hostname:rel", "--in-image", "/hosts-link"], ["must be absolute"]),
])
def test_build_user_errors_are_one_line(tree, args, words):
    p = unibuild("build", "-o", tree / "bad", "--dir", f"{tree / 'root'}:/", *args, check=False)
    assert_one_line_error(p, *words)
    assert not (tree / "bad").exists()


def test_special_files_in_a_tree_are_a_user_error(tree):
    os.mkfifo(tree / "root" / "fifo")
    p = unibuild("build", "-o", tree / "bad", "--dir", f"{tree / 'root'}:/", "--in-image", "/hosts-link",
                 check=False)
    assert_one_line_error(p, "fifo", "regular files, directories and symlinks")


def test_read_commands_report_user_errors_in_one_line(tree):
    img = build(tree)
    assert_one_line_error(unibuild("cat", img, "/etc", check=False), "directory")
    assert_one_line_error(unibuild("cat", img, "/missing", check=False), "no such file")
    assert_one_line_error(unibuild("ls", img, "/etc/hosts/x", check=False), "not a directory")
    assert_one_line_error(unibuild("ls", tree / "nothere", check=False), "cannot open image")
    assert_one_line_error(unibuild("dump", tree / "prog", check=False), "not a TFS image", "offset")
    data = bytearray(img.read_bytes())
    data[30] ^= 0xFF
    (tree / "bad").write_bytes(data)
    assert_one_line_error(unibuild("ls", tree / "bad", check=False), "offset 0x10", "checksum")
    (tree / "short").write_bytes(img.read_bytes()[:-4096])
    assert_one_line_error(unibuild("cat", tree / "short", "/bin/prog", check=False), "truncated")


def test_a_config_file_describes_the_whole_image_program_and_args_included(tree):
    """`build -c` (issue 14, item 4): the program, its arguments, environment and kernel
    options from the file; the boot's keys are checked but shape no image."""
    config = tree / "app.json"
    config.write_text(json.dumps({
        "program": f"{tree / 'prog'}:/bin/prog", "args": ["serve", 8080], "env": {"MODE": "prod"},
        "kernel_options": {"noaslr": 1}, "memory": "512M", "smp": 2, "ports": ["8080"], "extras": False}))
    img = tree / "from-config.tfs"
    unibuild("build", "-o", img, "-c", config, "-e", "EXTRA=1")
    boot = json.loads(unibuild("dump", "--json", img).stdout)["boot"]
    assert boot.pop("built_for")["platform"] == "virt"
    assert boot == {"program": "/bin/prog", "argv": ["/bin/prog", "serve", "8080"],
                    "env": ["MODE=prod", "EXTRA=1"], "kernel": {"noaslr": 1}}
    # A PROGRAM on the command line replaces the file's program and args together.
    unibuild("build", "-o", img, "-c", config, f"{tree / 'prog'}:/bin/other", "x")
    boot = json.loads(unibuild("dump", "--json", img).stdout)["boot"]
    assert (boot["program"], boot["argv"]) == ("/bin/other", ["/bin/other", "x"])


def test_an_unknown_kernel_option_is_an_error_not_ignored(tree):
    p = subprocess.run([sys.executable, "-m", "unibuild", "build", "-o", str(tree / "img"), "--kopt", "straec",
                        f"{tree / 'prog'}:/bin/prog"], capture_output=True)
    assert_one_line_error(p, "unknown kernel option 'straec'", "strace")


def test_a_bare_e_key_takes_the_hosts_value_and_an_unset_one_is_left_out(tree):
    img = tree / "img"
    env = {**os.environ, "FROM_HOST": "yes"}
    env.pop("NOT_SET_ANYWHERE", None)
    subprocess.run([sys.executable, "-m", "unibuild", "build", "-o", str(img), "-e", "FROM_HOST", "-e", "NOT_SET_ANYWHERE",
                    f"{tree / 'prog'}:/bin/prog"], check=True, capture_output=True, env=env)
    assert json.loads(unibuild("dump", "--json", img).stdout)["boot"]["env"] == ["FROM_HOST=yes"]
