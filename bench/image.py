"""Image build time for a ~1 GiB tree, next to a plain copy of the same bytes.

    python bench/image.py [--runs 3] [--tree /tmp/unibuild-bench-tree] [--size-mib 1024]

The tree (generated once, reused while its size matches) is mostly incompressible data:
large files, many small files, and one sparse file (zeros the writer must skip). For each
run it reports wall time; at the end min/median/max per method, throughput, and bytes
written to the image versus bytes of input.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from unibuild.image import Manifest, Placement, build_image  # noqa: E402

MiB = 1 << 20


def generate(tree: Path, size_mib: int) -> None:
    stamp = tree / ".complete"
    if stamp.exists() and stamp.read_text() == str(size_mib):
        return
    shutil.rmtree(tree, ignore_errors=True)
    (tree / "big").mkdir(parents=True)
    rng = random.Random(1)
    big = size_mib * 3 // 4          # MiB in 8 large files
    small = size_mib // 8            # MiB in 16 KiB..112 KiB files
    sparse = size_mib - big - small  # MiB apparent in one file, 1/8 of it data
    for i in range(8):
        with open(tree / "big" / f"blob{i}", "wb") as f:
            for _ in range(big // 8):
                f.write(rng.randbytes(MiB))
    written, n = 0, 0
    while written < small * MiB:
        d = tree / "small" / f"d{n // 100:03}"
        d.mkdir(parents=True, exist_ok=True)
        k = rng.randrange(16, 113) * 1024
        (d / f"f{n}").write_bytes(rng.randbytes(k))
        written, n = written + k, n + 1
    with open(tree / "sparse.img", "wb") as f:
        for mib in range(sparse):
            if mib % 8 == 0:
                f.seek(mib * MiB)
                f.write(rng.randbytes(MiB))
        f.truncate(sparse * MiB)
    (tree / "prog").write_bytes(rng.randbytes(200_000))
    stamp.write_text(str(size_mib))


def input_bytes(tree: Path) -> tuple[int, int]:
    """(apparent bytes, files) of the regular files under tree."""
    total = files = 0
    for dirpath, _, names in os.walk(tree):
        for name in names:
            if name != ".complete":
                total += os.lstat(os.path.join(dirpath, name)).st_size
                files += 1
    return total, files


def run_build(tree: Path, out: Path):
    m = Manifest(program="/prog", dirs=[Placement(tree, "/")])
    t = time.perf_counter()
    stats = build_image(m, out)
    return time.perf_counter() - t, stats


def run_copy(tree: Path, out: Path) -> float:
    """Baseline: read every file once and append it to one output file (no metadata, no holes)."""
    t = time.perf_counter()
    with open(out, "wb") as dst:
        for dirpath, _, names in os.walk(tree):
            for name in sorted(names):
                with open(os.path.join(dirpath, name), "rb") as src:
                    shutil.copyfileobj(src, dst, MiB)
    return time.perf_counter() - t


def summary(label: str, times: list[float], nbytes: int) -> str:
    lo, med, hi = min(times), statistics.median(times), max(times)
    return (f"{label:<18} min {lo:7.2f}s  median {med:7.2f}s  max {hi:7.2f}s  "
            f"({nbytes / MiB / med:7.1f} MiB/s at median)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tree", type=Path, default=Path("/tmp/unibuild-bench-tree"))
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--out", type=Path, default=Path("/tmp/unibuild-bench"))
    args = ap.parse_args()

    t = time.perf_counter()
    generate(args.tree, args.size_mib)
    total, files = input_bytes(args.tree)
    print(f"tree: {args.tree}  {files} files, {total / MiB:.0f} MiB apparent "
          f"(ready in {time.perf_counter() - t:.1f}s)")
    args.out.mkdir(parents=True, exist_ok=True)
    image, copy = args.out / "bench.img", args.out / "copy.bin"

    build_times, copy_times, stats = [], [], None
    for i in range(args.runs):
        bt, stats = run_build(args.tree, image)
        ct = run_copy(args.tree, copy)
        build_times.append(bt)
        copy_times.append(ct)
        print(f"run {i + 1}: build {bt:.2f}s  copy {ct:.2f}s")
    allocated = os.stat(image).st_blocks * 512
    print(summary("unibuild build", build_times, total))
    print(summary("plain copy", copy_times, total))
    print(f"input bytes        {total:>14,}")
    print(f"stored file data   {stats.data_bytes:>14,}  ({stats.data_bytes / total:.1%} of input; "
          f"zero blocks skipped)")
    print(f"bytes written      {stats.bytes_written:>14,}  ({stats.bytes_written / total:.1%} of input; "
          f"data + {stats.log_bytes:,} log + header)")
    print(f"image size         {stats.image_size:>14,}  apparent, {allocated:,} allocated on disk")
    image.unlink()
    copy.unlink()


if __name__ == "__main__":
    main()
