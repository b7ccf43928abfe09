#!/bin/sh
# fetch-acpica.sh CACHE_DIR PACKAGE VERSION DEB_SHA256 ACPICA_RELEASE — ACPICA's table definitions
# (actbl*.h, actypes.h), as Linux carries them in include/acpi/ (ACPICA's own headers, dual
# BSD/GPL), from Debian's linux-headers-*-common package: download the .deb with apt-get
# download, check it against the pinned sha256, keep only include/acpi/ in
# CACHE_DIR/acpica-VERSION/include/acpi. When that exact package is gone from bookworm (Debian
# removes an old kernel ABI at a point release), the newest linux-headers-6.1.0-N-common is
# taken instead and must carry the pinned ACPICA release (ACPI_CA_VERSION in acpixf.h).
# Why not the acpica-unix source package: its sources are not served by the package mirror this
# project's machines reach (apt-get source fetches the .dsc, then 404 on both tarballs).
# apt runs on a private sources list (bookworm main, as the machine's), state and cache under
# CACHE_DIR, as fetch-lwip.sh does: the user's apt configuration is neither read nor changed.
set -eu
package=$2 version=$3 deb_sha=$4 release=$5
mkdir -p "$1"
cache=$(cd "$1" && pwd)
dest="$cache/acpica-$version"
apt="$cache/acpica-apt"
mkdir -p "$apt/etc" "$apt/state/lists/partial" "$apt/cache/archives/partial"
: > "$apt/none.list"
cat > "$apt/etc/acpica.sources" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
set -- -o Dir::Etc::SourceList="$apt/none.list" -o Dir::Etc::SourceParts="$apt/etc" \
       -o Dir::State="$apt/state" -o Dir::Cache="$apt/cache" -o Debug::NoLocking=1 \
       -o APT::Sandbox::User=root
tmp=$(mktemp -d "$cache/acpica-dl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
apt-get -qq "$@" update >/dev/null \
    || { echo "fetch-acpica: apt-get update of the private package list failed" >&2; exit 1; }
if (cd "$tmp" && apt-get -qq "$@" download "$package=$version" >/dev/null 2>&1); then
    deb=$(ls "$tmp"/*.deb)
    echo "$deb_sha  $deb" | sha256sum -c --quiet - || { echo "fetch-acpica: sha256 mismatch for $deb" >&2; exit 1; }
else
    newest=$(apt-cache "$@" pkgnames linux-headers-6.1.0- | grep -E '^linux-headers-6\.1\.0-[0-9]+-common$' | sort -V | tail -1)
    [ -n "$newest" ] || { echo "fetch-acpica: neither $package=$version nor any linux-headers-6.1.0-N-common is in bookworm" >&2; exit 1; }
    echo "fetch-acpica: $package=$version is gone from bookworm; taking $newest (checked for ACPICA $release)" >&2
    (cd "$tmp" && apt-get -qq "$@" download "$newest" >/dev/null 2>&1) \
        || { echo "fetch-acpica: apt-get download $newest failed" >&2; exit 1; }
    deb=$(ls "$tmp"/*.deb)
fi
dpkg-deb -x "$deb" "$tmp/x"
src=$(ls -d "$tmp"/x/usr/src/linux-headers-*-common/include/acpi)
[ -f "$src/actbl2.h" ] && [ -f "$src/actypes.h" ] || { echo "fetch-acpica: unexpected package layout" >&2; exit 1; }
grep -Eq "^#define ACPI_CA_VERSION +$release\b" "$src/acpixf.h" \
    || { echo "fetch-acpica: $(basename "$deb") carries another ACPICA release than $release; update kernel/third_party/acpica.mk" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$dest/include"
cp -a "$src" "$dest/include/acpi"
touch "$dest/.fetched"
