"""Debian bookworm's arm64 Linux, for the reference guest: its Image and the modules a virtio-net
NIC on virtio-pci needs, fetched with the target root's apt machinery (arm64 multiarch lists,
`apt-get download` into build/cache/apt-arm64; nothing emulated, nothing committed).

Unpacked once per kernel package version into build/cache/linux-guest/VERSION (the package's
exact name and version are the cache key and are printed with every benchmark table).
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from elftools.elf.elffile import ELFFile

from unibuild.paths import BUILD_DIR
from unibuild.targetroot import download_debs, unpack_deb

META_PACKAGE = "linux-image-arm64"      # depends on the current linux-image-X.Y.Z-N-arm64
IMAGE_PACKAGE = re.compile(r"^linux-image-\d[\w.+-]*-arm64$")
CACHE = BUILD_DIR / "cache" / "linux-guest"
# What eth0 needs in Debian's kernel (CONFIG_VIRTIO_PCI=m, CONFIG_VIRTIO_NET=m); their own
# dependencies (virtio_pci_modern_dev, net_failover, failover, ...) follow from each .modinfo.
WANTED_MODULES = ("virtio_pci", "virtio_net")


@dataclass(frozen=True)
class LinuxKernel:
    package: str          # "linux-image-6.1.0-57-arm64 6.1.192-3"
    image: Path           # the uncompressed arm64 Image (Debian's vmlinuz is one)
    modules: list[Path]   # in load order: every module after the ones it depends on


def _modinfo(ko: Path) -> dict[str, str]:
    """A module's .modinfo section: NUL-separated key=value strings."""
    with open(ko, "rb") as f:
        section = ELFFile(f).get_section_by_name(".modinfo")
        data = section.data() if section is not None else b""
    pairs = (item.decode(errors="replace").partition("=") for item in data.split(b"\0") if b"=" in item)
    return {key: value for key, _, value in pairs}


def module_load_order(root: Path, wanted: tuple[str, ...]) -> list[Path]:
    """The .ko files under root/lib/modules/*/kernel for `wanted` and their dependencies,
    dependencies first (depth-first on each module's `depends=`; Debian ships no modules.dep,
    depmod makes it at install time)."""
    by_name = {ko.stem.replace("-", "_"): ko for ko in root.glob("lib/modules/*/kernel/**/*.ko")}
    order: list[Path] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        name = name.replace("-", "_")
        if name in seen:
            return
        seen.add(name)
        if name not in by_name:
            raise RuntimeError(f"module {name} is not in the kernel package (built in?)")
        for dep in filter(None, _modinfo(by_name[name]).get("depends", "").split(",")):
            visit(dep)
        order.append(by_name[name])

    for name in wanted:
        visit(name)
    return order


def fetch(progress=lambda line: print(line, file=sys.stderr)) -> LinuxKernel:
    """Debian's current bookworm arm64 kernel, unpacked (once) into the cache."""
    debs = [(pkg, deb) for pkg, deb in download_debs([META_PACKAGE], progress=progress)
            if IMAGE_PACKAGE.match(pkg.name)]
    if len(debs) != 1:
        raise RuntimeError(f"{META_PACKAGE} should pull exactly one kernel package, not {[p.name for p, _ in debs]}")
    pkg, deb = debs[0]
    out = CACHE / f"{pkg.name}_{pkg.version}"
    done = out / "modules.order"    # written last: its presence means the unpack finished
    if not done.exists():
        if out.exists():
            shutil.rmtree(out)
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE, prefix="staging-") as staging:
            root = Path(staging)
            progress(f"  DEB     {pkg.name} {pkg.version}")
            unpack_deb(deb, root)
            images = sorted(root.glob("boot/vmlinuz-*-arm64"))
            if len(images) != 1:
                raise RuntimeError(f"expected one arm64 kernel in {deb.name}'s /boot, found {images}")
            modules = module_load_order(root, WANTED_MODULES)
            (out / "modules").mkdir(parents=True)
            shutil.copyfile(images[0], out / "Image")
            for ko in modules:
                shutil.copyfile(ko, out / "modules" / ko.name)
            done.write_text("".join(f"{ko.name}\n" for ko in modules))
    names = done.read_text().split()
    return LinuxKernel(f"{pkg.name} {pkg.version}", out / "Image", [out / "modules" / n for n in names])
