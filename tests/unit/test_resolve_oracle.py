"""The resolver against the real arm64 ld.so: every expected result comes from running Debian's
aarch64 ld.so (and, for ld.so.conf cases, its ldconfig) under qemu-aarch64-static, chrooted into
the same root. Fixture libraries are cross-compiled here with aarch64-linux-gnu-gcc."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from unibuild import targetroot
from unibuild.errors import UserError
from unibuild.paths import BUILD_DIR
from unibuild.resolve import resolve
from unibuild.resolve import ldcache
from unibuild.resolve.ldconfig import cache_directories
from unibuild.targetroot.rootfs import RootFS

CC = "aarch64-linux-gnu-gcc"
QEMU = shutil.which("qemu-aarch64-static")


@pytest.fixture(scope="session")
def base_root() -> Path:
    """The downloaded arm64 root, built once (cached under build/)."""
    return targetroot.create(BUILD_DIR / "target-root", progress=lambda _line: None)


@pytest.fixture
def root(base_root, tmp_path) -> Path:
    """A private copy of the root (without docs) that a test may add libraries to."""
    if QEMU is None or shutil.which(CC) is None:
        pytest.fail("qemu-user-static and gcc-aarch64-linux-gnu are needed (deps/apt-packages.txt)")
    r = tmp_path / "root"
    shutil.copytree(base_root, r, symlinks=True, ignore=shutil.ignore_patterns("share", "locale"))
    shutil.copy(QEMU, r / "qemu")
    (r / "tmp").mkdir(exist_ok=True)
    return r


def _chroot(root: Path, *argv: str) -> subprocess.CompletedProcess:
    # chroot (or an unprivileged user namespace) keeps qemu's -L style fallback to host
    # files out of the picture: the guest sees only the root.
    chroot = shutil.which("chroot") or "/usr/sbin/chroot"
    prefix = [chroot] if os.geteuid() == 0 else [shutil.which("unshare") or "unshare", "-r", chroot]
    return subprocess.run([*prefix, str(root), "/qemu", *argv], capture_output=True, text=True, env={})


def _real_list(root: Path, program: str, ld_library_path: str | None) -> subprocess.CompletedProcess:
    env = ["-E", f"LD_LIBRARY_PATH={ld_library_path}"] if ld_library_path is not None else []
    return _chroot(root, *env, "/lib/ld-linux-aarch64.so.1", "--list", program)


def real_ldd_error(root: Path, program: str, ld_library_path: str | None = None) -> str:
    """The real ld.so's complaint when it cannot load `program`'s libraries."""
    p = _real_list(root, program, ld_library_path)
    assert p.returncode != 0, p.stdout
    return p.stderr


def real_ldd(root: Path, program: str, ld_library_path: str | None = None) -> list[str]:
    """`ld.so --list` of the real arm64 ld.so, as `NAME => PATH` lines (vdso dropped)."""
    p = _real_list(root, program, ld_library_path)
    lines = []
    for raw in p.stdout.splitlines():
        line = re.sub(r"\s*\(0x[0-9a-f]+\)$", "", raw.strip())
        if not line or line.startswith("linux-vdso"):
            continue
        lines.append(line)
    assert lines, f"the real ld.so printed nothing: {p.stderr}"
    return lines


def real_ldconfig(root: Path) -> bytes:
    """Run the root's own arm64 ldconfig (no symlink changes) and return the cache it wrote."""
    p = _chroot(root, "/sbin/ldconfig", "-X")
    assert p.returncode == 0, p.stderr
    return (root / "etc/ld.so.cache").read_bytes()


def ours(root: Path, program: str, ld_library_path: str | None = None) -> list[str]:
    return resolve(root, program, ld_library_path=ld_library_path, extras=False).ldd_lines()


def cc_lib(root: Path, guest_path: str, needed: list[Path] = (), soname: str | None = None,
           rpath: str | None = None, runpath: str | None = None) -> Path:
    """Cross-compile a tiny shared library at `guest_path` inside the root."""
    return _cc(root, guest_path, ["-shared", "-fPIC", f"-Wl,-soname,{soname or Path(guest_path).name}"],
               needed, rpath, runpath, "int f(void){return 1;}\n")


def cc_prog(root: Path, guest_path: str, needed: list[Path] = (), rpath: str | None = None,
            runpath: str | None = None) -> Path:
    return _cc(root, guest_path, [], needed, rpath, runpath, "int main(void){return 0;}\n")


def _cc(root, guest_path, flags, needed, rpath, runpath, source):
    out = root / guest_path.lstrip("/")
    out.parent.mkdir(parents=True, exist_ok=True)
    src = out.parent / (out.name + ".c")
    src.write_text(source)
    cmd = [CC, *flags, "-o", str(out), str(src), "-Wl,--no-as-needed", *map(str, needed)]
    if rpath:
        cmd += ["-Wl,--disable-new-dtags", f"-Wl,-rpath,{rpath}"]
    if runpath:
        cmd += ["-Wl,--enable-new-dtags", f"-Wl,-rpath,{runpath}"]
    subprocess.run(cmd, check=True, capture_output=True)
    src.unlink()
    return out


def test_rpath_of_program_wins_over_default_directories(root):
    cc_lib(root, "/usr/lib/libpick.so")
    lib = cc_lib(root, "/opt/a/libpick.so")
    cc_prog(root, "/prog", [lib], rpath="/opt/a")
    assert ours(root, "/prog") == real_ldd(root, "/prog")
    assert "libpick.so => /opt/a/libpick.so" in ours(root, "/prog")


def test_rpath_is_inherited_by_dependencies(root):
    cc_lib(root, "/usr/lib/libdep.so")
    dep = cc_lib(root, "/opt/r/libdep.so")
    mid = cc_lib(root, "/opt/r/libmid.so", [dep])
    cc_prog(root, "/prog", [mid], rpath="/opt/r")
    expected = real_ldd(root, "/prog")
    assert "libdep.so => /opt/r/libdep.so" in expected
    assert ours(root, "/prog") == expected


def test_runpath_is_not_inherited_by_dependencies(root):
    cc_lib(root, "/usr/lib/libdep.so")
    dep = cc_lib(root, "/opt/r/libdep.so")
    mid = cc_lib(root, "/opt/r/libmid.so", [dep])
    cc_prog(root, "/prog", [mid], runpath="/opt/r")
    expected = real_ldd(root, "/prog")
    assert "libdep.so => /usr/lib/libdep.so" in expected
    assert ours(root, "/prog") == expected


def test_library_with_runpath_ignores_the_inherited_rpath(root):
    cc_lib(root, "/usr/lib/libdep.so")
    dep = cc_lib(root, "/opt/r/libdep.so")
    mid = cc_lib(root, "/opt/r/libmid.so", [dep], runpath="/opt/nowhere")
    cc_prog(root, "/prog", [mid], rpath="/opt/r")
    expected = real_ldd(root, "/prog")
    assert "libdep.so => /usr/lib/libdep.so" in expected
    assert ours(root, "/prog") == expected


def test_rpath_is_inherited_through_a_library_that_has_runpath(root):
    cc_lib(root, "/usr/lib/libleaf.so")
    leaf = cc_lib(root, "/opt/r/libleaf.so")
    low = cc_lib(root, "/opt/r/liblow.so", [leaf])
    mid = cc_lib(root, "/opt/r/libmid.so", [low], runpath="/opt/r")
    cc_prog(root, "/prog", [mid], rpath="/opt/r")
    assert ours(root, "/prog") == real_ldd(root, "/prog")


@pytest.mark.parametrize("kind", ["rpath", "runpath"])
def test_ld_library_path_comes_after_rpath_and_before_runpath(root, kind):
    cc_lib(root, "/opt/l/libpick.so")
    lib = cc_lib(root, "/opt/r/libpick.so")
    cc_prog(root, "/prog", [lib], **{kind: "/opt/r"})
    expected = real_ldd(root, "/prog", ld_library_path="/opt/l")
    assert ours(root, "/prog", ld_library_path="/opt/l") == expected
    assert expected[0] == ("libpick.so => /opt/r/libpick.so" if kind == "rpath" else "libpick.so => /opt/l/libpick.so")


def test_origin_lib_and_platform_tokens_expand_like_ld_so(root):
    a = cc_lib(root, "/app/lib/liborigin.so")
    b = cc_lib(root, "/opt/lib/aarch64-linux-gnu/libtoklib.so")
    cc_lib(root, "/opt/lib/libtoklib.so")
    c = cc_lib(root, "/opt/aarch64/libplat.so")
    cc_prog(root, "/app/bin/prog", [a, b, c], runpath="$ORIGIN/../lib:/opt/$LIB:/opt/${PLATFORM}")
    expected = real_ldd(root, "/app/bin/prog")
    assert ours(root, "/app/bin/prog") == expected
    assert "liborigin.so => /app/bin/../lib/liborigin.so" in expected


def test_ld_library_path_origin_is_the_program_directory(root):
    lib = cc_lib(root, "/app/lib/libpick.so")
    cc_prog(root, "/app/bin/prog", [lib])
    expected = real_ldd(root, "/app/bin/prog", ld_library_path="$ORIGIN/../lib")
    assert ours(root, "/app/bin/prog", ld_library_path="$ORIGIN/../lib") == expected


def test_legacy_hwcap_subdirectory_is_searched_first(root):
    cc_lib(root, "/opt/h/libhw.so")
    lib = cc_lib(root, "/opt/h/tls/libhw.so")
    cc_prog(root, "/prog", [lib], rpath="/opt/h")
    expected = real_ldd(root, "/prog")
    assert "libhw.so => /opt/h/tls/libhw.so" in expected
    assert ours(root, "/prog") == expected


def test_foreign_library_in_the_search_path_is_skipped_like_ld_so(root):
    good = cc_lib(root, "/usr/lib/libmix.so")
    (root / "opt/x").mkdir(parents=True)
    shutil.copy("/bin/true", root / "opt/x/libmix.so")  # an x86-64 ELF under the same name
    cc_prog(root, "/prog", [good], rpath="/opt/x")
    expected = real_ldd(root, "/prog")
    assert "libmix.so => /usr/lib/libmix.so" in expected
    assert ours(root, "/prog") == expected


def test_absolute_symlinks_are_followed_inside_the_root(root):
    lib = cc_lib(root, "/opt/real/libln.so.1", soname="libln.so")
    (root / "opt/links").mkdir(parents=True)
    os.symlink("/opt/real/libln.so.1", root / "opt/links/libln.so")
    cc_prog(root, "/prog", [lib], rpath="/opt/links")
    assert ours(root, "/prog") == real_ldd(root, "/prog")
    res = resolve(root, "/prog", extras=False)
    paths = {f.path: f for f in res.files}
    assert paths["/opt/links/libln.so"].symlink == "/opt/real/libln.so.1"
    assert paths["/opt/real/libln.so.1"].host_path == root.resolve() / "opt/real/libln.so.1"
    assert all(f.host_path is None or root.resolve() in f.host_path.parents for f in res.files)


def _conf_root(root):
    """Libraries reachable only through ld.so.conf, in directories whose order matters."""
    (root / "etc/ld.so.conf.d/zz-late.conf").write_text("/opt/late\n")
    (root / "etc/ld.so.conf.d/00-early.conf").write_text("# comment\n/opt/early/\n")
    cc_lib(root, "/opt/late/libconf.so")
    a = cc_lib(root, "/opt/early/libconf.so")
    b = cc_lib(root, "/opt/late/libonlylate.so")
    # The multiarch conf sorts before libc.conf (/usr/local/lib) on aarch64.
    cc_lib(root, "/usr/local/lib/libarch.so")
    c = cc_lib(root, "/usr/local/lib/aarch64-linux-gnu/libarch.so")
    d = cc_lib(root, "/usr/local/lib/libloc.so")
    cc_prog(root, "/prog", [a, b, c, d])


def test_ld_so_conf_directories_are_searched_in_ldconfig_order(root):
    _conf_root(root)
    real_ldconfig(root)  # the real ld.so reads the cache the real ldconfig makes
    expected = real_ldd(root, "/prog")
    assert "libconf.so => /opt/early/libconf.so" in expected
    assert "libarch.so => /usr/local/lib/aarch64-linux-gnu/libarch.so" in expected
    assert ours(root, "/prog") == expected


def test_real_ld_so_finds_the_same_libraries_through_our_cache(root):
    _conf_root(root)
    res = resolve(root, "/prog", extras=False)
    (root / "etc/ld.so.cache").write_bytes(res.ld_so_cache)
    assert real_ldd(root, "/prog") == res.ldd_lines()


def test_without_a_cache_ld_so_conf_libraries_would_be_missing(root):
    # Why the image must carry our cache: the unpacked root has none.
    _conf_root(root)
    assert not (root / "etc/ld.so.cache").exists()
    assert "libconf.so: cannot open shared object file" in real_ldd_error(root, "/prog")


def test_our_cache_agrees_with_ldconfigs_cache_for_every_resolved_name(root):
    _conf_root(root)
    res = resolve(root, "/prog", extras=True)
    theirs = ldcache.parse(real_ldconfig(root))
    first = {}
    for e in theirs:
        if e.flags == ldcache.AARCH64_FLAGS:
            first.setdefault(e.name, e.path)
    assert res.cache_entries
    for e in ldcache.parse(res.ld_so_cache):
        assert (e.name, e.path, e.flags) == (e.name, first[e.name], ldcache.AARCH64_FLAGS)


def test_cache_entries_are_sorted_exactly_as_ldconfig_sorts_them(root):
    for name in ["libz10.so", "libz9.so", "libz.so.1", "libz.so.10", "libz.so.2", "libA.so", "ld-x.so.2", "libz-1.2.so"]:
        cc_lib(root, f"/opt/early/{name}")
    (root / "etc/ld.so.conf.d/00-early.conf").write_text("/opt/early\n")
    theirs = ldcache.parse(real_ldconfig(root))
    # Shuffle by plain byte order (stable, so entries for one name keep ldconfig's scan order).
    shuffled = sorted(theirs, key=lambda e: e.name.encode())
    assert shuffled != theirs
    rebuilt = ldcache.parse(ldcache.build(shuffled))
    assert [(e.name, e.path) for e in rebuilt] == [(e.name, e.path) for e in theirs]


def test_missing_library_error_names_the_needer_and_every_directory(root):
    lib = cc_lib(root, "/opt/gone/libgone.so")
    cc_prog(root, "/prog", [lib], rpath="/opt/r1", runpath=None)
    lib.unlink()
    assert "libgone.so: cannot open shared object file" in real_ldd_error(root, "/prog")
    with pytest.raises(UserError) as e:
        resolve(root, "/prog", ld_library_path="/opt/l1")
    msg = str(e.value)
    assert "libgone.so" in msg and "needed by /prog" in msg
    for d in ["/opt/r1", "/opt/l1", "/usr/local/lib/aarch64-linux-gnu", "/usr/local/lib", "/lib/aarch64-linux-gnu", "/usr/lib"]:
        assert d in msg


def test_foreign_program_is_one_error_naming_file_and_machine(root, run_cli):
    p = run_cli("ldd", "--target-root", str(root), "/bin/true")
    assert p.returncode != 0 and "Traceback" not in p.stderr
    assert p.stderr.count("\n") == 1 and "/bin/true" in p.stderr and "EM_X86_64" in p.stderr


def test_armhf_library_is_refused_naming_its_machine(root, tmp_path):
    # A minimal ELF32 little-endian EM_ARM header: what an armhf .so starts with.
    hdr = bytearray(52)
    hdr[:7] = b"\x7fELF\x01\x01\x01"
    hdr[16:18] = (3).to_bytes(2, "little")  # ET_DYN
    hdr[18:20] = (40).to_bytes(2, "little")  # EM_ARM
    hdr[20:24] = (1).to_bytes(4, "little")
    hdr[40:42] = (52).to_bytes(2, "little")
    (tmp_path / "armhf.so").write_bytes(bytes(hdr))
    with pytest.raises(UserError, match=r"armhf.so is built for EM_ARM 32-bit"):
        resolve(root, tmp_path / "armhf.so")


def test_extras_bring_nss_modules_and_etc_files_unless_turned_off(root):
    cc_prog(root, "/prog")
    with_extras = {f.path for f in resolve(root, "/prog").files}
    without = {f.path for f in resolve(root, "/prog", extras=False).files}
    for p in ["/lib/aarch64-linux-gnu/libnss_files.so.2", "/lib/aarch64-linux-gnu/libnss_dns.so.2",
              "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/hosts", "/etc/host.conf",
              "/etc/resolv.conf"]:
        assert p in with_extras and p not in without
    assert "/lib/aarch64-linux-gnu/libc.so.6" in without


def test_ldd_cli_prints_what_the_real_ld_so_prints(root, run_cli):
    lib = cc_lib(root, "/opt/a/libpick.so")
    cc_prog(root, "/prog", [lib], runpath="/opt/a")
    p = run_cli("ldd", "--target-root", str(root), "-e", "LD_LIBRARY_PATH=/nowhere", "/prog")
    assert p.returncode == 0, p.stderr
    assert [l.strip() for l in p.stdout.splitlines()] == real_ldd(root, "/prog", "/nowhere")


def test_truncated_library_is_one_clear_error(root):
    lib = cc_lib(root, "/opt/t/libtrunc.so")
    cc_prog(root, "/prog", [lib], rpath="/opt/t")
    lib.write_bytes(lib.read_bytes()[:200])
    with pytest.raises(UserError, match="/opt/t/libtrunc.so"):
        resolve(root, "/prog")


def test_program_and_every_object_are_in_the_file_list(root):
    lib = cc_lib(root, "/opt/a/libpick.so")
    cc_prog(root, "/app/prog", [lib], rpath="/opt/a")
    files = {f.path: f for f in resolve(root, "/app/prog", extras=False).files}
    for p in ["/app/prog", "/opt/a/libpick.so", "/lib/aarch64-linux-gnu/libc.so.6",
              "/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1"]:
        assert files[p].host_path == root.resolve() / p.lstrip("/")
    assert files["/lib/ld-linux-aarch64.so.1"].symlink == "aarch64-linux-gnu/ld-linux-aarch64.so.1"


# --- ld.so.conf parsing against the root's own arm64 ldconfig: the directory order ldconfig -v
# reports scanning is the order our cache lookup uses (formerly test_resolve_ldconfig.py).

def ldconfig_scan_order(root) -> list[str]:
    p = _chroot(root, "/sbin/ldconfig", "-v", "-X", "-C", "/tmp/ld.so.cache")
    assert p.returncode == 0, p.stderr
    return re.findall(r"^(/\S*): \(from", p.stdout, re.M)


def _existing(root, dirs):
    fs = RootFS(root)
    return [d for d in dirs if fs.is_dir(d)]


def test_stock_root_puts_multiarch_conf_before_libc_conf(root):
    for d in ["usr/local/lib/aarch64-linux-gnu", "usr/local/lib"]:
        (root / d).mkdir(parents=True, exist_ok=True)
    ours = cache_directories(RootFS(root))
    assert ours.index("/usr/local/lib/aarch64-linux-gnu") < ours.index("/usr/local/lib")
    assert _existing(root, ours) == ldconfig_scan_order(root)


def test_includes_globs_nesting_duplicates_and_symlinks_follow_ldconfig(root):
    for d in ["opt/a", "opt/b", "opt/c", "opt/d", "opt/e", "opt/rel", "srv/conf"]:
        (root / d).mkdir(parents=True)
    (root / "etc/ld.so.conf").write_text(
        "/opt/e   # trailing comment\ninclude /etc/ld.so.conf.d/*.conf\ninclude extra/*.conf\n/opt/a/\n/usr/lib\n"
    )
    (root / "etc/ld.so.conf.d/b-second.conf").write_text("/opt/b\ninclude /etc/nested.conf\n")
    (root / "etc/ld.so.conf.d/A-first.conf").write_text("/opt/a\n")
    (root / "etc/ld.so.conf.d/.hidden.conf").write_text("/opt/d\n")
    (root / "etc/nested.conf").write_text("/opt/c\n")
    (root / "etc/extra").symlink_to("/srv/conf")  # absolute: must stay inside the root
    (root / "srv/conf/x.conf").write_text("/opt/rel\n")
    ours = cache_directories(RootFS(root))
    assert "/opt/d" not in ours
    assert _existing(root, ours) == ldconfig_scan_order(root)
