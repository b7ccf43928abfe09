#!/bin/sh
# fetch-acpica.sh CACHE_DIR PACKAGE VERSION DEB_SHA256 — ACPICA's table definitions (actbl*.h,
# actypes.h), as Linux carries them in include/acpi/ (ACPICA's own headers, dual BSD/GPL), from
# Debian's linux-headers-*-common package: download the .deb with apt-get download, check it
# against the pinned sha256, keep only include/acpi/ in CACHE_DIR/acpica-VERSION/include/acpi.
# Why not the acpica-unix source package: its sources are not served by the package mirror this
# project's machines reach (apt-get source fetches the .dsc, then 404 on both tarballs).
# apt runs on a private sources list (bookworm main, as the machine's), state and cache under
# CACHE_DIR, as fetch-lwip.sh does: the user's apt configuration is neither read nor changed.
set -eu
package=$2 version=$3 deb_sha=$4
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
(cd "$tmp" && apt-get -qq "$@" download "$package=$version" >/dev/null 2>&1) \
    || { echo "fetch-acpica: apt-get download $package=$version failed (is that version still in bookworm?)" >&2; exit 1; }
deb=$(ls "$tmp"/*.deb)
echo "$deb_sha  $deb" | sha256sum -c --quiet - || { echo "fetch-acpica: sha256 mismatch for $deb" >&2; exit 1; }
dpkg-deb -x "$deb" "$tmp/x"
src=$(ls -d "$tmp"/x/usr/src/linux-headers-*-common/include/acpi)
[ -f "$src/actbl2.h" ] && [ -f "$src/actypes.h" ] || { echo "fetch-acpica: unexpected package layout" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$dest/include"
cp -a "$src" "$dest/include/acpi"
touch "$dest/.fetched"
