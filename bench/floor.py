"""The QEMU floor: the same machine booting a trivial payload (tests/fixtures/tiny_image.S, which
prints one line on the UART and powers off with the exit report), so a benchmark can put what
QEMU itself costs beside what our kernel adds, measured in the same run on the same load.

Not a benchmark by itself: bench/run.py and bench/boot.py import floor_image()."""

from __future__ import annotations

import subprocess
from pathlib import Path

from unibuild.paths import PROJECT_ROOT
from unibuild.toolchain import find_toolchain

SOURCE = PROJECT_ROOT / "tests/fixtures/tiny_image.S"
FLOOR_LINE = "unibuild kernel fixture"   # the payload's one console line


def floor_image(out_dir: Path) -> Path:
    """Assembles the payload with the target toolchain into a raw arm64 Image in out_dir."""
    tools = find_toolchain()
    obj, elf, image = out_dir / "floor.o", out_dir / "floor.elf", out_dir / "floor.Image"
    subprocess.run([str(tools.gcc), "-c", "-o", str(obj), str(SOURCE)], check=True)
    # 0x40080000: virt's RAM base + the text_offset of the payload's Image header.
    subprocess.run([str(tools.ld), "-Ttext=0x40080000", "-e", "_start", "-o", str(elf), str(obj)], check=True)
    subprocess.run([str(tools.objcopy), "-O", "binary", str(elf), str(image)], check=True)
    return image
