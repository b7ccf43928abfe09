"""Volumes across boots (docs/tfs.md section 12): what a program changes on a volume is there at
the next boot, exactly as Linux leaves the same changes in a host directory; Python writes what
the kernel reads and reads what the kernel writes; sqlite3 from Debian keeps its rows (rollback
journal and WAL); SIGKILLing QEMU at random moments never loses a record whose fsync returned
and never leaves a volume that fails its check; a full volume says ENOSPC and stays consistent;
a volume in use is refused to a second guest."""

from __future__ import annotations

import fcntl
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from unibuild.paths import BUILD_DIR, PROJECT_ROOT
from unibuild.tfs.reader import Image
from unibuild.tfs.volume import check_volume, create_volume

pytestmark = pytest.mark.boot

SOURCE = PROJECT_ROOT / "tests/boot/guest/volume.c"
UNIBUILD = [sys.executable, "-m", "unibuild"]
SQLITE_ROOT = BUILD_DIR / "target-root-sqlite3"
CRASH_ITERATIONS = 6


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("volume") / "volume"
    subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-Wall", "-static", "-o", str(out), str(SOURCE)], check=True)
    return out


def run(*args: str, volumes=(), extra=(), timeout=120) -> subprocess.CompletedProcess:
    vols = [x for v in volumes for x in ("-v", v)]
    return subprocess.run([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "90", "--net", "none", *vols, *extra,
                           *args], capture_output=True, text=True, timeout=timeout)


def linux(probe: Path, *args: str) -> str:
    return subprocess.run(["qemu-aarch64-static", str(probe), *args], capture_output=True, text=True,
                          timeout=60, check=True).stdout


def fnv(data: bytes) -> int:
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def python_list(path: Path) -> str:
    """The probe's `list` output, computed by the Python reader from the volume file."""
    lines = []
    with Image(path) as img:
        def walk(node, rel):
            for name in sorted(node.children):
                child = img.nodes[node.children[name]]
                sub = f"{rel}/{name}"
                mode = {"dir": 0o40000, "file": 0o100000, "symlink": 0o120000}[child.kind] | child.mode
                line = f"{sub} {mode:o}"
                if child.kind == "file":
                    line += f" size {child.size} nlink {child.nlink} sum {fnv(img.read_bytes(child)):08x}"
                if child.kind == "symlink":
                    line += f" -> {child.target}"
                if child.kind == "file" and child.mtime_ns // 10**9 == 1234567890:
                    line += " mtime set"
                lines.append(line)
                if child.kind == "dir":
                    walk(child, sub)
        walk(img.root, "")
    return "\n".join(lines) + "\n"


def test_changes_survive_the_next_boot_as_on_linux(probe, tmp_path):
    vol = create_volume(str(tmp_path / "data.tfs"), 32 << 20)
    first = run(str(probe), "change", "/data", volumes=[f"{vol}:/data"])
    assert (first.returncode, first.stdout) == (0, "changed\n"), first.stderr
    second = run(str(probe), "list", "/data", volumes=[f"{vol}:/data"])
    assert second.returncode == 0, second.stderr
    host = tmp_path / "linux"
    host.mkdir()
    linux(probe, "change", str(host))
    expected = linux(probe, "list", str(host))
    assert second.stdout == expected
    assert "/small 100600 size 14 nlink 2" in expected and "/moved 100644 size 7 nlink 1 sum" in expected
    # The Python reader sees what the kernel wrote, and the volume checks clean.
    assert python_list(vol) == expected
    assert check_volume(vol).tail is None


def test_a_volume_from_a_host_directory_reads_in_the_guest_as_on_linux(probe, tmp_path):
    src = tmp_path / "src"
    (src / "sub/deeper").mkdir(parents=True)
    (src / "text").write_text("some text\n")
    (src / "sub/deeper/bin").write_bytes(bytes(range(256)) * 300)
    (src / "sparse").write_bytes(bytes(20000) + b"tail")
    os.chmod(src / "text", 0o640)
    os.symlink("sub/deeper", src / "link")
    vol = create_volume(str(tmp_path / "from.tfs"), 8 << 20, src)
    ours = run(str(probe), "list", "/mnt/in", volumes=[f"{vol}:/mnt/in:ro"])
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == linux(probe, "list", str(src))


def test_sqlite3_rows_survive_in_both_journal_modes(tmp_path):
    subprocess.run([*UNIBUILD, "target-root", "create", str(SQLITE_ROOT), "--package", "sqlite3"], check=True,
                   stdout=subprocess.DEVNULL)
    for mode in ("delete", "wal"):
        vol = create_volume(str(tmp_path / f"{mode}.tfs"), 16 << 20)
        sql = [f"pragma journal_mode={mode};", "create table t(a integer primary key, b text);"]
        sql += [f"insert into t(b) values ('row {i}');" for i in range(50)]
        sql += ["begin; update t set b = b || '!' where a % 2 = 0; commit;"]
        first = run("/usr/bin/sqlite3", "/db/app.db", " ".join(sql), volumes=[f"{vol}:/db"],
                    extra=["--target-root", str(SQLITE_ROOT)])
        assert first.returncode == 0, first.stderr
        assert first.stdout == f"{mode}\n"
        second = run("/usr/bin/sqlite3", "/db/app.db",
                     "pragma journal_mode; select count(*), sum(b like '%!') from t; pragma integrity_check;",
                     volumes=[f"{vol}:/db"], extra=["--target-root", str(SQLITE_ROOT)])
        assert (second.returncode, second.stdout) == (0, f"{mode}\n50|25\nok\n"), second.stderr
        assert check_volume(vol).files >= 1


def _qemu_child(pid: int) -> int | None:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    for k in kids:
        try:
            if "qemu-system" in Path(f"/proc/{k}/cmdline").read_text():
                return int(k)
        except OSError:
            pass
    return None


def test_sigkill_at_random_moments_loses_no_fsynced_record(probe, tmp_path):
    vol = create_volume(str(tmp_path / "crash.tfs"), 16 << 20)
    rng = random.Random(11)
    promised = -1                      # the highest record whose fsync the guest saw return
    for _ in range(CRASH_ITERATIONS):
        proc = subprocess.Popen([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "60", "--net", "none",
                                 "-v", f"{vol}:/data", str(probe), "append", "/data"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + 30
        kill_after = rng.uniform(0.05, 1.5)
        started = None
        try:
            for line in proc.stdout:
                if line.startswith("synced "):
                    promised = max(promised, int(line.split()[1]))
                    started = started or time.monotonic()
                if started and time.monotonic() - started > kill_after or time.monotonic() > deadline:
                    break
            qemu = _qemu_child(proc.pid)
            assert qemu, "QEMU was not running"
            os.kill(qemu, signal.SIGKILL)
            for line in proc.stdout:   # lines already in the pipe were promised too
                if line.startswith("synced "):
                    promised = max(promised, int(line.split()[1]))
        finally:
            proc.kill()
            proc.wait(timeout=30)
        report = check_volume(vol)     # raises on any corruption
        with Image(vol) as img:
            data = img.read_bytes(img.lookup("/log"))
        records = [data[i:i + 64] for i in range(0, len(data) - len(data) % 64, 64)]
        assert len(records) > promised, f"fsync returned for record {promised}, the volume has {len(records)}"
        for i, r in enumerate(records):
            assert r.startswith(b"record %08d " % i) and r.endswith(b"\n"), (i, r, report)
        assert len(data) % 64 == 0 or not data[-(len(data) % 64):].strip(b"\0")
    assert promised > 0


def test_unsynced_writes_reach_the_disk_within_the_write_back_bound(probe, tmp_path):
    """No fsync, no exit: the program sleeps; 5 s later its write is on the disk anyway."""
    vol = create_volume(str(tmp_path / "idle.tfs"), 4 << 20)
    proc = subprocess.Popen([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "60", "--net", "none",
                             "-v", f"{vol}:/data", str(probe), "idle", "/data"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout.readline() == "written\n"
        time.sleep(7)
        os.kill(_qemu_child(proc.pid), signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    with Image(vol) as img:
        assert img.read_bytes(img.lookup("/unsynced")) == b"written, never fsynced\n"


def test_a_full_volume_says_enospc_and_stays_consistent(probe, tmp_path):
    vol = create_volume(str(tmp_path / "small.tfs"), 8 << 20)
    ours = run(str(probe), "fill", "/data", volumes=[f"{vol}:/data"])
    assert ours.returncode == 0, ours.stderr
    lines = ours.stdout.splitlines()
    assert lines[0].startswith("before: bsize 4096 blocks 2048 free ")
    free = int(lines[0].split()[-1])
    assert lines[1] == f"write: No space left on device after {free * 4096} bytes"
    assert lines[2] == "fsync: ok"
    assert lines[3] == "full: bsize 4096 blocks 2048 free 0"
    assert lines[4] == lines[0].replace("before", "after")
    report = check_volume(vol)
    assert report.files == 0 and report.tail is None


def test_a_volume_in_use_is_refused(probe, tmp_path):
    vol = create_volume(str(tmp_path / "busy.tfs"), 4 << 20)
    with open(vol, "rb") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        ours = run(str(probe), "statfs", "/data", volumes=[f"{vol}:/data"], timeout=60)
    assert ours.returncode != 0
    assert ours.stderr.strip() == f"unibuild: volume {vol} is in use by another guest; stop it first " \
                                  f"(or mount it :ro in both)"


def test_a_writable_image_keeps_its_changes_from_boot_to_boot(probe, tmp_path):
    image = tmp_path / "w.img"
    subprocess.run([*UNIBUILD, "build", "--writable", "-w", "/state", "-o", str(image), str(probe), "change",
                    "/state"], check=True, capture_output=True, timeout=60)
    boot = [*UNIBUILD, "boot", "--accel", "tcg", "--net", "none", "--timeout", "60", str(image)]
    first = subprocess.run(boot, capture_output=True, text=True, timeout=120)
    assert (first.returncode, first.stdout) == (0, "changed\n"), first.stderr
    # The same program again finds its own earlier changes (as it would on Linux).
    second = subprocess.run(boot, capture_output=True, text=True, timeout=120)
    assert (second.returncode, second.stdout) == (1, "FAIL mkdir: File exists\n")
    with Image(image) as img:
        assert img.read_bytes(img.lookup("/state/small")) == b"hello, volume\n"
        assert img.boot.program.endswith("/volume")
    assert check_volume(image).tail is None


def test_a_log_far_larger_than_the_tree_is_compacted(probe, tmp_path):
    """700 commits of a 300-entry directory (~4 MiB of records for ~50 KB of tree): the kernel
    rewrites the live tree as a fresh log and switches header slots; nothing is lost."""
    vol = create_volume(str(tmp_path / "churn.tfs"), 32 << 20)
    ours = run(str(probe), "churn", "/data", volumes=[f"{vol}:/data"], extra=["--verbose"])
    assert ours.returncode == 0 and ours.stdout.endswith("churned\n"), ours.stdout + ours.stderr
    assert "compacted" in ours.stdout + ours.stderr
    report = check_volume(vol)
    assert report.tail is None and report.files == 300
    with Image(vol) as img:
        assert img.header.generation > 1
        assert sum(n for _, n in img.segments) < 1024        # the 4 MiB of history is gone
        names = sorted(img.lookup("/many").children)
    assert names == [f"file-with-a-longish-name-{i:04d}" for i in range(300)]
    again = run(str(probe), "list", "/data", volumes=[f"{vol}:/data"])
    assert again.returncode == 0 and again.stdout == python_list(vol)
