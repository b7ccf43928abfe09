"""The root's /etc/ld.so.conf, read the way glibc's ldconfig reads it.

ld.so itself never reads ld.so.conf: it reads /etc/ld.so.cache, which ldconfig builds by
scanning the configured directories in order and then its built-in system directories.
`cache_directories` returns that order. `include` patterns are expanded with glob(3)
sorting (byte order in the C locale), which is why on aarch64 the multiarch file
`aarch64-linux-gnu.conf` comes before `libc.conf` (/usr/local/lib), while on x86-64
`libc.conf` sorts before `x86_64-linux-gnu.conf`.
"""

import fnmatch
import posixpath

from ..targetroot.rootfs import RootFS

# Debian's arm64 ldconfig scans these built-in directories after the config file
# (`ldconfig -v` lists them as "from <builtin>").
LDCONFIG_SYSTEM_DIRS = ("/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib", "/usr/lib")

# Include chains deeper than this are a loop in the user's configuration.
_MAX_INCLUDE_DEPTH = 16


def _glob(fs: RootFS, pattern: str) -> list[str]:
    """glob(3) inside the root: each component may hold wildcards; results sorted."""
    results = ["/"]
    for comp in [c for c in pattern.split("/") if c]:
        nxt = []
        for base in results:
            if any(ch in comp for ch in "*?["):
                names = [n for n in fs.listdir(base) if fnmatch.fnmatchcase(n, comp)]
                # glob(3) does not match leading dots with wildcards.
                names = [n for n in names if not n.startswith(".") or comp.startswith(".")]
                nxt.extend(posixpath.join(base, n) for n in names)
            else:
                cand = posixpath.join(base, comp)
                if fs.lookup(cand) is not None:
                    nxt.append(cand)
        results = nxt
    return sorted(results, key=lambda p: p.encode())


def _parse(fs: RootFS, conf: str, dirs: list[str], depth: int) -> None:
    text = fs.read_text(conf)
    if text is None or depth > _MAX_INCLUDE_DEPTH:
        return
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        if words[0] == "include" and len(words) > 1:
            for pattern in words[1:]:
                if not pattern.startswith("/"):
                    # ldconfig resolves a relative include against the including file's directory.
                    pattern = posixpath.join(posixpath.dirname(conf), pattern)
                for path in _glob(fs, pattern):
                    _parse(fs, path, dirs, depth + 1)
        elif words[0] == "hwcap":
            continue  # legacy directive; ldconfig 2.36 ignores it
        else:
            _add_dir(dirs, line)


def _add_dir(dirs: list[str], line: str) -> None:
    # ldconfig strips trailing slashes and ignores a directory given twice (first one wins).
    d = line.rstrip()
    while len(d) > 1 and d.endswith("/"):
        d = d[:-1]
    if d not in dirs:
        dirs.append(d)


def config_directories(fs: RootFS, conf: str = "/etc/ld.so.conf") -> list[str]:
    """Directories listed by the root's ld.so.conf (includes expanded), in ldconfig's order."""
    dirs: list[str] = []
    _parse(fs, conf, dirs, 0)
    return dirs


def cache_directories(fs: RootFS, conf: str = "/etc/ld.so.conf") -> list[str]:
    """Every directory ldconfig would put into the cache, in the order it scans them."""
    dirs = config_directories(fs, conf)
    for d in LDCONFIG_SYSTEM_DIRS:
        _add_dir(dirs, d)
    return dirs


def ldconfig_would_index(name: str) -> bool:
    """ldconfig only looks at files named lib*.so* or ld-*.so* (elf/ldconfig.c search_dir)."""
    return (name.startswith("lib") or name.startswith("ld-")) and ".so" in name
