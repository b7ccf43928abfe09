"""The arm64 target root: a Debian bookworm tree unpacked from arm64 .debs, no emulation.

apt runs with a private state directory (its own sources list, package lists, dpkg status
and download cache under build/cache/apt-arm64), so the host's /etc/apt and /var/lib/dpkg
are only read, never written. apt resolves Depends against an empty status, downloads the
.debs, and each one is unpacked with `dpkg-deb -X`. Maintainer scripts do not run, so the few
/etc files they would create are written here. What was unpacked is recorded as dpkg records
it (var/lib/dpkg/status, var/lib/dpkg/info/PKG.list), so a program's packages can be found
again later, as in any Debian root.
"""

import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..build_lock import exclusive
from ..errors import UserError
from ..paths import BUILD_DIR, PROJECT_ROOT
from .dpkgdb import record_package, write_status
from .location import DEFAULT_ROOT

PACKAGE_LIST = PROJECT_ROOT / "target-root" / "packages.txt"
APT_CACHE = BUILD_DIR / "cache" / "apt-arm64"
STAMP = ".unibuild-target-root"
# The packages asked for beyond the defaults, one per line: a later create or add keeps them,
# so packages add up across calls (a root is only ever rebuilt with more, never fewer).
REQUESTED = ".unibuild-packages"
# First line of the stamp: roots stamped without it predate the dpkg database and are rebuilt.
STAMP_FORMAT = "# unibuild target root 4: dpkg status and file lists, Debian's system accounts, host.conf\n"
FALLBACK_SOURCE = ("http://deb.debian.org/debian", "bookworm", "main")
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
# Package lists older than this are refreshed before resolving.
LISTS_MAX_AGE = 24 * 3600

# What maintainer scripts would have created; only written when the packages did not.
# Debian's static system accounts (base-passwd's fixed ids, as on every Debian system): servers
# look them up by name (nginx's `user www-data`), so an image must know them. A root that has
# base-passwd installed uses its own master files instead.
_SYSTEM_USERS = [("root", 0, 0, "/root", "/bin/sh"), ("daemon", 1, 1, "/usr/sbin", None),
                 ("bin", 2, 2, "/bin", None), ("sys", 3, 3, "/dev", None), ("sync", 4, 65534, "/bin", "/bin/sync"),
                 ("games", 5, 60, "/usr/games", None), ("man", 6, 12, "/var/cache/man", None),
                 ("lp", 7, 7, "/var/spool/lpd", None), ("mail", 8, 8, "/var/mail", None),
                 ("news", 9, 9, "/var/spool/news", None), ("uucp", 10, 10, "/var/spool/uucp", None),
                 ("proxy", 13, 13, "/bin", None), ("www-data", 33, 33, "/var/www", None),
                 ("backup", 34, 34, "/var/backups", None), ("list", 38, 38, "/var/list", None),
                 ("irc", 39, 39, "/run/ircd", None), ("_apt", 42, 65534, "/nonexistent", None),
                 ("nobody", 65534, 65534, "/nonexistent", None)]
_SYSTEM_GROUPS = [("root", 0), ("daemon", 1), ("bin", 2), ("sys", 3), ("adm", 4), ("tty", 5), ("disk", 6),
                  ("lp", 7), ("mail", 8), ("news", 9), ("uucp", 10), ("man", 12), ("proxy", 13), ("kmem", 15),
                  ("dialout", 20), ("fax", 21), ("voice", 22), ("cdrom", 24), ("floppy", 25), ("tape", 26),
                  ("sudo", 27), ("audio", 29), ("dip", 30), ("www-data", 33), ("backup", 34), ("operator", 37),
                  ("list", 38), ("irc", 39), ("src", 40), ("shadow", 42), ("utmp", 43), ("video", 44),
                  ("sasl", 45), ("plugdev", 46), ("staff", 50), ("games", 60), ("users", 100), ("nogroup", 65534)]

_ETC_FILES = {
    "etc/passwd": "".join(f"{n}:x:{u}:{g}:{n}:{home}:{shell or '/usr/sbin/nologin'}\n"
                          for n, u, g, home, shell in _SYSTEM_USERS),
    "etc/group": "".join(f"{n}:x:{g}:\n" for n, g in _SYSTEM_GROUPS),
    "etc/hosts": "127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n",
    # base-files' host.conf: every address /etc/hosts gives a name (localhost: ::1 and 127.0.0.1).
    "etc/host.conf": "multi on\n",
    # QEMU's user-mode network answers DNS at 10.0.2.3.
    "etc/resolv.conf": "nameserver 10.0.2.3\n",
}

@dataclass(frozen=True)
class Package:
    name: str
    version: str
    architecture: str = "arm64"   # "all" for architecture-independent packages (python3's stdlib)


def read_package_list(path: Path = PACKAGE_LIST) -> list[str]:
    """Package names from a list file: one per line, # comments."""
    try:
        text = path.read_text()
    except OSError as e:
        raise UserError(f"cannot read the package list {path}: {e.strerror}.") from e
    return [w for line in text.splitlines() for w in line.split("#", 1)[0].split()]


def host_sources(files: list[Path] | None = None) -> list[tuple[str, str, str]]:
    """(URI, suite, components) of the host's Debian 'deb' sources, to reuse its mirror."""
    if files is None:
        files = sorted(Path("/etc/apt/sources.list.d").glob("*.sources")) + [Path("/etc/apt/sources.list")]
    out = []
    for f in files:
        try:
            text = f.read_text()
        except OSError:
            continue
        if f.suffix == ".sources":
            for para in re.split(r"\n\s*\n", text):
                fields = {}
                for line in para.splitlines():
                    if line.startswith("#") or ":" not in line or line[:1].isspace():
                        continue
                    k, v = line.split(":", 1)
                    fields[k.strip().lower()] = v.split()
                if "deb" not in fields.get("types", []) or fields.get("enabled", ["yes"])[0] == "no":
                    continue
                for uri in fields.get("uris", []):
                    for suite in fields.get("suites", []):
                        out.append((uri, suite, " ".join(fields.get("components", ["main"]))))
        else:
            for line in text.splitlines():
                m = re.match(r"\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)", line)
                if m:
                    out.append((m.group(1), m.group(2), m.group(3).split("#")[0].strip()))
    # Only Debian's own archive has arm64 bookworm packages signed by the keyring we use.
    out = [s for s in out if "debian" in s[0]]
    return out or [FALLBACK_SOURCE]


def parse_simulation(text: str) -> list[Package]:
    """The packages of `apt-get -s install`: `Inst NAME (VERSION ARCHIVE, ... [ARCH])` lines.
    The architecture names the .deb: arm64, or all for data and scripts (python3's stdlib
    needs media-types_10.0.0_all.deb). A package unpacked ahead of those it would break ends in
    ` [NAME ...]` or an empty ` []` after the parenthesis (nodejs's node-acorn)."""
    return [Package(m.group(1), m.group(2), m.group(3) or "arm64")
            for m in re.finditer(r"^Inst (\S+) \((\S+)[^\n]*?(?:\[(\S+)\]\))?(?: \[[^]\n]*\])?$", text, re.M)]


class _Apt:
    """apt-get confined to a private state directory."""

    def __init__(self, state: Path):
        self.state = state
        for d in ("lists/partial", "archives/partial", "etc/sources.list.d", "etc/preferences.d"):
            (state / d).mkdir(parents=True, exist_ok=True)
        (state / "status").touch()
        sources = "".join(
            f"deb [arch=arm64 signed-by={KEYRING}] {uri} {suite} {comps}\n" for uri, suite, comps in host_sources()
        )
        (state / "etc/sources.list").write_text(sources)

    def options(self) -> list[str]:
        s = self.state
        opts = {
            "Dir::State": s, "Dir::State::lists": s / "lists", "Dir::State::status": s / "status",
            "Dir::Cache": s, "Dir::Cache::archives": s / "archives",
            "Dir::Etc::SourceList": s / "etc/sources.list", "Dir::Etc::SourceParts": s / "etc/sources.list.d",
            "Dir::Etc::Preferences": s / "etc/preferences", "Dir::Etc::PreferencesParts": s / "etc/preferences.d",
            "APT::Architecture": "arm64", "APT::Architectures": "arm64",
            "APT::Install-Recommends": "false", "APT::Get::Assume-Yes": "true",
            # apt would otherwise drop to the _apt user, who cannot write our build directory.
            "APT::Sandbox::User": "root" if os.geteuid() == 0 else os.environ.get("USER", "root"),
        }
        out = []
        for k, v in opts.items():
            out += ["-o", f"{k}={v}"]
        return out

    def run(self, *args: str, status: Callable[[float, str], None] | None = None) -> str:
        """apt-get ARGS; `status` receives (percent, what) from apt's status lines
        (APT::Status-Fd, `dlstatus:ID:PERCENT:WHAT` while it downloads) as they come."""
        if shutil.which("apt-get") is None:
            raise UserError("apt-get is not installed; building a target root needs Debian's apt (or pass an existing root with --target-root).")
        cmd = ["apt-get", *self.options(), *args]
        env = {**os.environ, "LC_ALL": "C", "DEBIAN_FRONTEND": "noninteractive"}
        if status is None:
            p = subprocess.run(cmd, capture_output=True, text=True, env=env)
        else:
            p = _run_with_status(cmd, env, status)
        if p.returncode != 0:
            errors = [l[3:] for l in (p.stderr + p.stdout).splitlines() if l.startswith("E: ")]
            why = errors[0] if errors else (p.stderr.strip().splitlines() or ["no message"])[-1]
            raise UserError(f"apt-get {args[0]} for the arm64 target root failed: {why}")
        return p.stdout

    def update_if_stale(self, progress: Callable[[str], None]) -> None:
        lists = list((self.state / "lists").glob("*_Packages*"))
        newest = max((f.stat().st_mtime for f in lists), default=0)
        if time.time() - newest > LISTS_MAX_AGE:
            progress("  APT     update (arm64 package lists)")
            self.run("update")

    def plan(self, packages: list[str]) -> list[Package]:
        """Every package apt would install into an empty system for `packages`."""
        return parse_simulation(self.run("-s", "install", *packages))

    def deb_path(self, pkg: Package) -> Path:
        name = pkg.name.split(":")[0]
        version = pkg.version.replace(":", "%3a")
        return self.state / "archives" / f"{name}_{version}_{pkg.architecture}.deb"


def download_debs(packages: list[str], *, apt_state: Path = APT_CACHE,
                  progress: Callable[[str], None] = print) -> list[tuple[Package, Path]]:
    """Every arm64 .deb apt would install into an empty system for `packages` (their Depends
    closure), downloaded into the private apt state if missing: (package, .deb path) each.
    The same machinery as a target root, for callers that unpack only part of it."""
    apt = _Apt(Path(apt_state))
    apt.update_if_stale(progress)
    plan = apt.plan(list(packages))
    if any(not apt.deb_path(p).exists() for p in plan):
        progress(f"  APT     download {sum(not apt.deb_path(p).exists() for p in plan)} package(s)")
        apt.run("install", "--download-only", *packages)
    debs = [(p, apt.deb_path(p)) for p in plan]
    for _, deb in debs:
        if not deb.exists():
            raise UserError(f"apt did not download {deb.name}; remove {apt.state} and try again.")
    return debs


def _run_with_status(cmd: list[str], env: dict, status: Callable[[float, str], None]) -> subprocess.CompletedProcess:
    """apt-get with its status lines on a pipe of their own (APT::Status-Fd), read as they come."""
    read_end, write_end = os.pipe()
    try:
        proc = subprocess.Popen([*cmd, "-o", f"APT::Status-Fd={write_end}"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env, pass_fds=(write_end,))
    finally:
        os.close(write_end)

    def follow() -> None:
        with os.fdopen(read_end, "r", errors="replace") as lines:
            for line in lines:
                kind, _, rest = line.rstrip("\n").partition(":")
                if kind == "dlstatus":
                    _, _, rest = rest.partition(":")
                    percent, _, what = rest.partition(":")
                    try:
                        status(float(percent), what)
                    except ValueError:
                        pass

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    out, err = proc.communicate()
    reader.join(timeout=5)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def unpack_deb(deb: Path, root: Path) -> list[str]:
    """Unpacks one .deb into `root` (dpkg-deb -X, no maintainer scripts); the paths it wrote."""
    return _dpkg_deb(deb, "-X", str(root)).splitlines()


def requested_packages(root: Path) -> list[str]:
    """The packages a root was asked for beyond the defaults (by create --package or add)."""
    try:
        return [line.strip() for line in (Path(root) / REQUESTED).read_text().splitlines() if line.strip()]
    except OSError:
        return []


def installed_packages(root: Path) -> list[tuple[str, str]]:
    """(name, version) of every package a root unibuild made holds, by name."""
    try:
        lines = (Path(root) / STAMP).read_text().splitlines()[1:]
    except OSError:
        raise UserError(f"{root} is not a target root unibuild made (no {STAMP}); "
                        "create one with `unibuild target-root create`") from None
    return [tuple(line.split(" ", 1)) for line in lines if " " in line]


def create(dest: Path = DEFAULT_ROOT, extra_packages: tuple[str, ...] = (), *,
           package_list: Path = PACKAGE_LIST, apt_state: Path = APT_CACHE,
           progress: Callable[[str], None] = print,
           download_status: Callable[[float, str], None] | None = None) -> Path:
    """Build (or reuse, when already built from the same packages) an arm64 root at `dest`.
    The packages a root was asked for before stay in it: `extra_packages` are added to them.
    `progress` gets one line per step; `download_status` (percent, what) follows apt's download."""
    dest = Path(dest)
    if shutil.which("dpkg-deb") is None:
        raise UserError("dpkg-deb is not installed; install Debian's dpkg to build a target root.")
    # apt's state directory is shared by every root, so one creation at a time per apt state.
    with exclusive(Path(apt_state).with_name(Path(apt_state).name + ".lock"),
                   lambda: progress("  WAIT    another unibuild is creating a target root")):
        return _create_locked(dest, extra_packages, package_list, apt_state, progress, download_status)


def _create_locked(dest: Path, extra_packages: tuple[str, ...], package_list: Path, apt_state: Path,
                   progress: Callable[[str], None],
                   download_status: Callable[[float, str], None] | None) -> Path:
    before = requested_packages(dest) if (dest / STAMP).exists() else []
    requested = list(dict.fromkeys([*before, *extra_packages]))
    wanted = read_package_list(package_list) + requested
    apt = _Apt(Path(apt_state))
    apt.update_if_stale(progress)
    plan = apt.plan(wanted)
    stamp_text = STAMP_FORMAT + "".join(f"{p.name} {p.version}\n" for p in sorted(plan, key=lambda p: p.name))
    stamp = dest / STAMP
    if stamp.exists() and stamp.read_text() == stamp_text:
        if requested != before:   # asked for what it holds already (a dependency): remember it
            (dest / REQUESTED).write_text("".join(f"{p}\n" for p in requested))
        progress(f"  ROOT    {dest} is up to date ({len(plan)} packages)")
        return dest
    if dest.exists() and any(dest.iterdir()) and not stamp.exists():
        raise UserError(f"{dest} exists and is not a target root unibuild made; choose an empty or new directory.")
    if dest.exists():
        shutil.rmtree(dest)  # ours (stamped) but from other packages: rebuild from scratch
    missing = [p for p in plan if not apt.deb_path(p).exists()]
    if missing:
        progress(f"  APT     download {len(missing)} package(s)")
        apt.run("install", "--download-only", *wanted, status=download_status)
    tmp = dest.with_name(dest.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    status = []
    for pkg in plan:
        deb = apt.deb_path(pkg)
        if not deb.exists():
            raise UserError(f"apt did not download {deb.name}; remove {apt.state} and try again.")
        progress(f"  DEB     {pkg.name} {pkg.version}")
        status.append(_unpack(deb, tmp))
    write_status(tmp, status)
    _write_etc(tmp)
    (tmp / STAMP).write_text(stamp_text)
    (tmp / REQUESTED).write_text("".join(f"{p}\n" for p in requested))
    tmp.rename(dest)
    return dest


def _unpack(deb: Path, root: Path) -> str:
    """Unpack one .deb into `root` and record its file list; return its status paragraph."""
    control = _dpkg_deb(deb, "--field")   # with no field named: the whole control paragraph
    # -X is -x that also prints each path it unpacks: the package's file list, in dpkg's order.
    unpacked = _dpkg_deb(deb, "-X", str(root))
    return record_package(root, control, unpacked.splitlines())


def _dpkg_deb(deb: Path, *args: str) -> str:
    p = subprocess.run(["dpkg-deb", args[0], str(deb), *args[1:]], capture_output=True, text=True,
                       errors="surrogateescape")
    if p.returncode != 0:
        raise UserError(f"dpkg-deb could not unpack {deb.name}: {p.stderr.strip()}")
    return p.stdout


def _write_etc(root: Path) -> None:
    nsswitch = root / "etc/nsswitch.conf"
    template = root / "usr/share/libc-bin/nsswitch.conf"
    if not nsswitch.exists() and template.exists():
        shutil.copyfile(template, nsswitch)  # libc-bin's postinst does the same
    for name in ("passwd", "group"):     # base-passwd's preinst installs its master files
        master, target = root / f"usr/share/base-passwd/{name}.master", root / "etc" / name
        if master.exists() and not target.exists():
            shutil.copyfile(master, target)
    for rel, text in _ETC_FILES.items():
        f = root / rel
        if not f.exists() and not f.is_symlink():
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(text)
