"""ld.so.conf parsing against the root's own arm64 ldconfig: the directory order ldconfig -v
reports scanning is the order our cache lookup uses."""

from __future__ import annotations

import re

from unibuild.resolve.ldconfig import cache_directories
from unibuild.resolve.rootfs import RootFS

from test_resolve_oracle import _chroot, base_root, root  # noqa: F401  (fixtures)


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
