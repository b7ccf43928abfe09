#!/usr/bin/env python3
"""Volumes: sequential write MB/s and fsync latency on a volume in the unikernel against the same
static program under qemu-aarch64-static writing a host file (both TCG); sqlite3 inserts per
second with one transaction per insert; boot time with a 1 GiB volume attached.

Not a test. Usage: .venv/bin/python bench/volume.py [--mib 64] [--inserts 200]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from unibuild.paths import BUILD_DIR, PROJECT_ROOT
from unibuild.tfs.volume import create_volume

UNIBUILD = [sys.executable, "-m", "unibuild"]
SQLITE_ROOT = BUILD_DIR / "target-root-sqlite3"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*UNIBUILD, "run", "--accel", "tcg", "--timeout", "600", "--net", "none", *args],
                          capture_output=True, text=True, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=64)
    parser.add_argument("--inserts", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        probe = tmp / "volume"
        subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-static", "-o", str(probe),
                        str(PROJECT_ROOT / "tests/boot/guest/volume.c")], check=True)
        vol = create_volume(str(tmp / "bench.tfs"), (args.mib + 64) << 20)
        print("unikernel, volume:      ", run("-v", f"{vol}:/data", str(probe), "bench", "/data",
                                              str(args.mib)).stdout.replace("\n", "; "))
        host = tmp / "host"
        host.mkdir()
        linux = subprocess.run(["qemu-aarch64-static", str(probe), "bench", str(host), str(args.mib)],
                               capture_output=True, text=True, check=True).stdout
        print("qemu-user, host file:   ", linux.replace("\n", "; "))

        subprocess.run([*UNIBUILD, "target-root", "create", str(SQLITE_ROOT), "--package", "sqlite3"], check=True,
                       stdout=subprocess.DEVNULL)
        db = create_volume(str(tmp / "db.tfs"), 64 << 20)
        # The inserts' time: a run with them minus the same run without (boot, image, exit).
        for label, prefix in (("rollback journal", ""), ("WAL", "pragma journal_mode=wal;")):
            took = []
            for n in (0, args.inserts):
                sql = prefix + f"create table if not exists t{n}(a integer primary key, b text);" + "".join(
                    f"insert into t{n}(b) values ('row {i}');" for i in range(n))
                start = time.monotonic()
                run("--target-root", str(SQLITE_ROOT), "-v", f"{db}:/db", "/usr/bin/sqlite3",
                    f"/db/{label[0]}.db", sql)
                took.append(time.monotonic() - start)
            print(f"sqlite3 ({label}), one transaction per insert: {args.inserts / (took[1] - took[0]):.0f} inserts/s")

        for size in (0, 1 << 30):
            options = []
            if size:
                big = create_volume(str(tmp / "big.tfs"), size)
                options = ["-v", f"{big}:/data"]
            times = []
            for _ in range(3):
                start = time.monotonic()
                run(*options, str(probe), "statfs", "/data" if size else "/")
                times.append(time.monotonic() - start)
            print(f"run to exit, {'1 GiB volume' if size else 'no volume'}: median {sorted(times)[1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
