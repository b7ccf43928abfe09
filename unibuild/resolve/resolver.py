"""Everything a dynamically linked aarch64 program loads, resolved as the guest's ld.so will.

The result (`Resolution`) is what the image builder consumes: the files to copy (with the
symlinks met on the way, so file identity and $ORIGIN behave as in the root), the
interpreter, and the bytes of an /etc/ld.so.cache that makes the guest's ld.so find, through
the cache, exactly the libraries found here through ld.so.conf.
"""

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from ..elf import ElfInfo, read_elf
from ..errors import UserError
from ..targetroot.rootfs import Lookup, RootFS
from . import ldcache
from .ldconfig import cache_directories
from .search import DEFAULT_DIRS, LoaderPlatform, SearchStep, describe_steps, expand_dst, search, split_path_list

# Loaded by glibc at run time without DT_NEEDED: the NSS modules (dlopen from libc's NSS code)
# and libgcc_s, which pthread_exit and pthread_cancel dlopen to unwind the thread's stack
# (without it they abort: "libgcc_s.so.1 must be installed for pthread_exit to work").
LIBC_DLOPENS = ("libnss_files.so.2", "libnss_dns.so.2", "libgcc_s.so.1")
EXTRA_FILES = ("/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/hosts", "/etc/host.conf",
               "/etc/resolv.conf", "/etc/gai.conf", "/etc/services", "/etc/protocols")
EXTRA_TREES = ("/etc/ssl/certs",)


@dataclass(frozen=True)
class ImageFile:
    """One guest path for the image: a regular file copied from `host_path`, or a symlink."""

    path: str
    host_path: Path | None = None
    symlink: str | None = None


@dataclass
class LoadedObject:
    """One object in ld.so's link map: the name it was asked for and the path it opened."""

    name: str
    path: str
    real_path: str
    host_path: Path
    info: ElfInfo
    loader: "LoadedObject | None"
    names: set[str] = field(default_factory=set)

    @property
    def origin(self) -> str:
        # ld.so's l_origin: the opened path minus its last component, symlinks not resolved.
        return posixpath.dirname(self.path) or "/"


@dataclass
class Resolution:
    """What goes into the image for one program."""

    program: str  # guest path of the program
    interpreter: str | None  # PT_INTERP, None for a static program
    objects: list[LoadedObject]  # ld.so's load order; the program first
    files: list[ImageFile]
    ld_so_cache: bytes
    cache_entries: list[ldcache.CacheEntry]

    def ldd_lines(self) -> list[str]:
        """ld.so --list style: `NAME => PATH` per library, the interpreter as a bare path."""
        lines = []
        for obj in self.objects[1:]:
            if obj.name == obj.path:
                lines.append(obj.name)
            else:
                lines.append(f"{obj.name} => {obj.path}")
        return lines


class _Resolver:
    def __init__(self, fs: RootFS, ld_library_path: str | None, platform: LoaderPlatform):
        self.fs = fs
        self.platform = platform
        self.ld_library_path = ld_library_path
        self.conf_dirs = cache_directories(fs)
        self.objects: list[LoadedObject] = []
        self.by_identity: dict[tuple[int, int], LoadedObject] = {}
        self.cache_entries: list[ldcache.CacheEntry] = []
        self.interp: LoadedObject | None = None

    def add(self, obj: LoadedObject) -> None:
        st = os.stat(obj.host_path)
        self.by_identity[(st.st_dev, st.st_ino)] = obj
        self.objects.append(obj)

    def already_loaded(self, name: str) -> LoadedObject | None:
        for obj in self.objects:
            if name in obj.names or name == obj.info.soname:
                return obj
        interp = self.interp
        if interp is not None and interp not in self.objects and (name in interp.names or name == interp.info.soname):
            # ld.so is mapped from the start but takes its place in the list where the
            # breadth-first walk first needs it (rtld.c, rtld_multiple_ref).
            self.objects.append(interp)
            return interp
        return None

    def steps_for(self, loader: LoadedObject) -> list[SearchStep]:
        steps = []
        main = self.objects[0]
        if loader.info.runpath is None:
            obj: LoadedObject | None = loader
            seen_main = False
            while obj is not None:
                if obj.info.rpath:
                    steps.append(SearchStep(f"RPATH of {obj.path}", split_path_list(obj.info.rpath, obj.origin, self.platform)))
                seen_main |= obj is main
                obj = obj.loader
            if not seen_main and main.info.rpath:
                steps.append(SearchStep(f"RPATH of {main.path}", split_path_list(main.info.rpath, main.origin, self.platform)))
        if self.ld_library_path:
            # LD_LIBRARY_PATH tokens expand relative to the program.
            steps.append(SearchStep("LD_LIBRARY_PATH", split_path_list(self.ld_library_path, main.origin, self.platform)))
        if loader.info.runpath:
            steps.append(SearchStep(f"RUNPATH of {loader.path}", split_path_list(loader.info.runpath, loader.origin, self.platform)))
        if not loader.info.nodeflib:
            steps.append(SearchStep("ld.so.conf (ld.so.cache)", list(self.conf_dirs), hwcap_subdirs=False, cache=True))
            steps.append(SearchStep("default directories", list(DEFAULT_DIRS)))
        return steps

    def soname_of(self, found: Lookup) -> str | None:
        return read_elf(found.host_path, found.path).soname

    def load(self, name: str, loader: LoadedObject) -> LoadedObject:
        """DT_NEEDED `name` of `loader`: reuse a loaded object or search and map a new one."""
        known = self.already_loaded(name)
        if known is not None:
            return known
        name_to_open = name
        if "$" in name:
            expanded = expand_dst(name, loader.origin, self.platform)
            if expanded is None:
                raise UserError(f"{loader.path} needs {name}, whose $-tokens cannot be expanded in the guest.")
            name_to_open = expanded
        if "/" in name_to_open:
            found = self.fs.is_file(name_to_open)
            if found is None:
                raise UserError(f"{name}, needed by {loader.path}, does not exist in the target root.")
            path, lookup, via_cache = found.path, found, False
        else:
            steps = self.steps_for(loader)
            hit = search(self.fs, name_to_open, steps, self.platform, self.soname_of)
            if hit is None:
                raise UserError(
                    f"library {name}, needed by {loader.path}, was not found in the target root "
                    f"{self.fs.root}; searched {describe_steps(steps)} "
                    f"(each also with its tls/{self.platform.name or ''} hwcap subdirectories)."
                )
            path, lookup, via_cache = hit.path, hit.lookup, hit.via_cache
        st = os.stat(lookup.host_path)
        same = self.by_identity.get((st.st_dev, st.st_ino))
        if same is not None:
            # ld.so compares device and inode: a second name for a mapped file is no new object.
            same.names.add(name)
            if same is self.interp and same not in self.objects:
                self.objects.append(same)
            return same
        info = read_elf(lookup.host_path, path)
        obj = LoadedObject(name, path, lookup.real_path, lookup.host_path, info, loader, {name, path})
        self.add(obj)
        if via_cache:
            self.cache_entries.append(ldcache.CacheEntry(name_to_open, path))
        return obj


def _inside_root(fs: RootFS, host: Path) -> bool:
    return fs.root == host.resolve() or fs.root in host.resolve().parents


def _program_lookup(fs: RootFS, program: str | Path, guest_path: str | None) -> tuple[str, Path, tuple]:
    """Accept a guest path inside the root or a host file; return (guest path, host path, links)."""
    if isinstance(program, str) and program.startswith("/") and guest_path is None:
        found = fs.is_file(program)
        if found is not None:
            return program, found.host_path, found.symlinks
    host = Path(program)
    if not host.is_file():
        raise UserError(f"program {program} does not exist (neither on the host nor inside the target root "
                        f"{fs.root}); if a Debian package has it, add that: `unibuild target-root add PACKAGE`.")
    try:
        inside = "/" + str(host.resolve().relative_to(fs.root))
    except ValueError:
        inside = None
    if guest_path is None:
        guest_path = inside or "/" + host.name
    return guest_path, host, ()


class BundleFS(RootFS):
    """The target root with a host program's own directory tree (`bin/app` + `lib/libx.so`) at
    `prefix` (/opt/NAME): what the program's $ORIGIN-relative RPATH/RUNPATH names is looked up
    there, from the host, and goes into the image at the same guest paths."""

    def __init__(self, root: Path, prefix: str, host_dir: Path):
        super().__init__(root)
        self.prefix, self.host_dir = prefix, host_dir

    def host(self, real_path: str) -> Path:
        if real_path == self.prefix or real_path.startswith(self.prefix + "/"):
            return self.host_dir / real_path[len(self.prefix):].lstrip("/")
        parent = posixpath.dirname(self.prefix)
        if real_path == parent and not super().host(parent).is_dir():
            return self.host_dir.parent   # only its being a directory is ever looked at
        return super().host(real_path)


BUNDLE_PARENT = "/opt"


def _origin_bundle(fs: RootFS, host: Path, info: ElfInfo) -> tuple[str, Path] | None:
    """For a host program outside the root whose RPATH/RUNPATH names $ORIGIN: the host
    directory holding it and every existing directory those entries name (their common
    ancestor), and the guest path of the program when that tree is laid out at /opt/NAME."""
    entries = [e for text in (info.rpath, info.runpath) if text for e in text.split(":")
               if "$ORIGIN" in e or "${ORIGIN}" in e]
    if not entries:
        return None
    origin = str(host.resolve().parent)
    dirs = [origin]
    for e in entries:
        d = posixpath.normpath(e.replace("${ORIGIN}", origin).replace("$ORIGIN", origin))
        if os.path.isdir(d):
            dirs.append(os.path.realpath(d))
    ancestor = Path(os.path.commonpath(dirs))
    if ancestor == Path("/") or fs.root == ancestor or fs.root in ancestor.parents:
        return None
    return f"{BUNDLE_PARENT}/{ancestor.name}", ancestor


def resolve(root: Path, program: str | Path, *, guest_path: str | None = None,
            ld_library_path: str | None = None, extras: bool = True,
            platform: LoaderPlatform = LoaderPlatform(), program_elf: ElfInfo | None = None) -> Resolution:
    """Resolve `program` (a host file, or a guest path inside `root`) against target root `root`.

    `guest_path` is where the program will live in the guest (it sets $ORIGIN); by default
    its path inside the root, or /NAME for a host file. `extras=False` leaves out what glibc
    loads without DT_NEEDED (NSS modules, /etc files, /etc/ssl/certs). `program_elf` is the
    program's ElfInfo when the caller has already read it (the file is not parsed again)."""
    fs = RootFS(root)
    gpath, host, links = _program_lookup(fs, program, guest_path)
    info = program_elf if program_elf is not None else read_elf(host, str(program))
    bundle = _origin_bundle(fs, host, info) if guest_path is None and not _inside_root(fs, host) else None
    if bundle is not None:
        prefix, ancestor = bundle
        fs = BundleFS(root, prefix, ancestor)
        gpath = prefix + "/" + str(host.resolve().relative_to(ancestor))
    r = _Resolver(fs, ld_library_path, platform)
    main = LoadedObject(gpath, gpath, gpath, host, info, None, {gpath})
    files: list[ImageFile] = []
    r.add(main)
    # The program itself comes first (with the links that lead to it inside the root).
    files.extend(ImageFile(l.path, symlink=l.target) for l in links)
    real = fs.lookup(gpath) if links else None
    files.append(ImageFile(real.real_path if real else gpath, host_path=host))

    interp_obj = None
    if info.interpreter:
        found = fs.is_file(info.interpreter)
        if found is None:
            raise UserError(f"{program} asks for the interpreter {info.interpreter}, which is not in the target root {fs.root}; add the package that provides it (libc6).")
        interp_info = read_elf(found.host_path, info.interpreter)
        interp_obj = LoadedObject(info.interpreter, info.interpreter, found.real_path, found.host_path,
                                  interp_info, None, {info.interpreter})
        files.extend(_files_for(found))

    if interp_obj is not None:
        queue = [main]
        # ld.so maps the whole breadth-first DT_NEEDED closure; rtld itself is already mapped.
        r.interp = interp_obj
        st = os.stat(interp_obj.host_path)
        r.by_identity[(st.st_dev, st.st_ino)] = interp_obj
        while queue:
            obj = queue.pop(0)
            for name in obj.info.needed:
                before = len(r.objects)
                r.load(name, obj)
                queue.extend(r.objects[before:])
        if extras:
            libc = r.already_loaded("libc.so.6")
            if libc is not None:
                for mod in LIBC_DLOPENS:
                    try:
                        before = len(r.objects)
                        r.load(mod, libc)
                    except UserError:
                        continue  # a root without this module: nothing would be loaded either
                    queue = r.objects[before:]
                    while queue:
                        obj = queue.pop(0)
                        for name in obj.info.needed:
                            before = len(r.objects)
                            r.load(name, obj)
                            queue.extend(r.objects[before:])
        if interp_obj not in r.objects:
            r.objects.append(interp_obj)  # nothing named it: ld.so lists itself last

    for obj in r.objects[1:]:
        if obj is interp_obj:
            continue
        files.extend(_files_for(fs.lookup(obj.path)))
    if extras:
        files.extend(_extra_files(fs))
    unique: dict[str, ImageFile] = {}
    for f in files:
        unique.setdefault(f.path, f)
    cache = ldcache.build(r.cache_entries)
    return Resolution(gpath, info.interpreter, r.objects, list(unique.values()), cache, r.cache_entries)


def _files_for(found: Lookup) -> list[ImageFile]:
    out = [ImageFile(l.path, symlink=l.target) for l in found.symlinks]
    out.append(ImageFile(found.real_path, host_path=found.host_path))
    return out


def _extra_files(fs: RootFS) -> list[ImageFile]:
    out = []
    for path in EXTRA_FILES:
        found = fs.is_file(path)
        if found is not None:
            out.extend(_files_for(found))
    for tree in EXTRA_TREES:
        out.extend(_tree_files(fs, tree, depth=0))
    return out


def _tree_files(fs: RootFS, path: str, depth: int) -> list[ImageFile]:
    found = fs.lookup(path)
    if found is None or depth > 8:
        return []
    out = [ImageFile(l.path, symlink=l.target) for l in found.symlinks]
    if found.host_path.is_dir():
        for name in fs.listdir(found.real_path):
            out.extend(_tree_files(fs, found.real_path + "/" + name, depth + 1))
    elif found.host_path.is_file():
        out.append(ImageFile(found.real_path, host_path=found.host_path))
    return out
