"""The dpkg database of a target root, as dpkg itself keeps it:

  var/lib/dpkg/status            one control paragraph per package, plus `Status:`
  var/lib/dpkg/info/PKG.list     every path the package unpacked, `/.` first;
                                 PKG:ARCH.list for a `Multi-Arch: same` package

`unibuild target-root create` writes both while it unpacks, so the roots it builds and a
real Debian root (debootstrap, or one a user hands us) read the same here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .control import parse_paragraphs, parse_relations

STATUS = "var/lib/dpkg/status"
INFO_DIR = "var/lib/dpkg/info"
# Target roots are arm64; "all" packages (pure data, scripts) install on every architecture.
ARCHITECTURES = ("arm64", "all")
# dpkg's status word once a package's files are on disk (`install ok installed` and the
# states between unpacking and configuring); not-installed and config-files have none.
UNPACKED_STATES = {"installed", "unpacked", "half-configured", "triggers-awaited", "triggers-pending"}
INSTALLED = "install ok installed"


class NoDpkgData(Exception):
    """The root has no usable dpkg database (built by hand, or by an older unibuild)."""


@dataclass(frozen=True)
class InstalledPackage:
    name: str
    version: str
    architecture: str
    multi_arch: str
    source: str                              # the source package (its own name if none given)
    essential: bool
    depends: tuple[tuple[str, ...], ...]     # Pre-Depends and Depends: clauses of alternatives
    provides: tuple[str, ...]

    @property
    def list_name(self) -> str:
        return list_name(self.name, self.architecture, self.multi_arch)


def list_name(name: str, architecture: str, multi_arch: str) -> str:
    """dpkg names a `Multi-Arch: same` package's files NAME:ARCH (it may be installed for
    several architectures at once); every other package's just NAME."""
    return f"{name}:{architecture}.list" if multi_arch == "same" else f"{name}.list"


# --- writing (target-root create) ---------------------------------------------------------

def list_text(archive_paths: Iterable[str]) -> str:
    """A .list file from the paths `dpkg-deb -X` prints (`./`, `./usr/`, `./usr/bin/x`)."""
    lines = []
    for path in archive_paths:
        path = path.strip()
        if not path:
            continue
        path = path.removeprefix(".").rstrip("/")
        lines.append(path if path else "/.")
    return "".join(line + "\n" for line in lines)


def record_package(root: Path, control: str, archive_paths: Iterable[str]) -> str:
    """Write PKG.list for one unpacked package; return its status paragraph, which is the
    control paragraph with `Status:` after `Package:` (where dpkg puts it)."""
    fields = parse_paragraphs(control)[0]
    info = Path(root) / INFO_DIR
    info.mkdir(parents=True, exist_ok=True)
    # dpkg's mark for an info directory whose names carry :ARCH (multiarch-aware layout).
    (info / "format").write_text("1\n")
    name = list_name(fields["package"], fields.get("architecture", ""), fields.get("multi-arch", ""))
    (info / name).write_text(list_text(archive_paths))
    out = []
    for line in control.strip("\n").splitlines():
        out.append(line)
        if line.lower().startswith("package:"):
            out.append(f"Status: {INSTALLED}")
    return "\n".join(out) + "\n"


def write_status(root: Path, paragraphs: Iterable[str]) -> None:
    path = Path(root) / STATUS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(paragraphs))


# --- reading ------------------------------------------------------------------------------

def read_installed(root: Path) -> dict[str, InstalledPackage]:
    """The packages whose files are in the root, by name (arm64 or all)."""
    try:
        text = (Path(root) / STATUS).read_text(errors="replace")
    except OSError as e:
        raise NoDpkgData(f"no {STATUS} ({e.strerror})") from None
    out = {}
    for fields in parse_paragraphs(text):
        status = fields.get("status", "").split()
        arch = fields.get("architecture", "")
        if "package" not in fields or not status or status[-1] not in UNPACKED_STATES or arch not in ARCHITECTURES:
            continue
        name = fields["package"]
        out[name] = InstalledPackage(
            name=name,
            version=fields.get("version", ""),
            architecture=arch,
            multi_arch=fields.get("multi-arch", "no"),
            source=(fields.get("source") or name).split()[0],   # "Source: python3.11 (3.11.2-6)"
            essential=fields.get("essential", "no") == "yes",
            depends=parse_relations(fields.get("pre-depends")) + parse_relations(fields.get("depends")),
            provides=tuple(n for clause in parse_relations(fields.get("provides")) for n in clause),
        )
    if not out:
        raise NoDpkgData(f"{STATUS} lists no installed package")
    return out


def read_file_list(root: Path, package: InstalledPackage) -> list[str]:
    """The paths dpkg recorded for `package` (directories included, `/.` left out); empty
    when the root has no list for it."""
    info = Path(root) / INFO_DIR
    for name in (package.list_name, f"{package.name}.list", f"{package.name}:{package.architecture}.list"):
        try:
            text = (info / name).read_text(errors="surrogateescape")
        except OSError:
            continue
        return [line for line in text.splitlines() if line.startswith("/") and line != "/."]
    return []
