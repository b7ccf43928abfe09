#!/bin/sh
# fetch-lwip.sh CACHE_DIR VERSION DSC_SHA256 ORIG_SHA256 — download Debian's lwip source package
# (VERSION is the Debian version, e.g. 2.1.3+dfsg1-2) with apt-get source --download-only, check
# the .dsc and .orig tarball against the pinned sha256s, unpack the upstream tree into
# CACHE_DIR/lwip-VERSION. apt runs on a private sources list (deb-src only), state and cache
# under CACHE_DIR, so the user's apt configuration is neither read for sources nor changed.
# Debian's patches touch only the sockets/tcpip layers and the Unix port, none of which the
# kernel builds, so the upstream tarball is used as is.
set -eu
version=$2 dsc_sha=$3 orig_sha=$4
mkdir -p "$1"
cache=$(cd "$1" && pwd)                # apt resolves relative Dir:: paths against its own root
upstream=${version%-*}                 # 2.1.3+dfsg1
dest="$cache/lwip-$version"
apt="$cache/lwip-apt"
mkdir -p "$apt/etc" "$apt/state/lists/partial" "$apt/cache/archives/partial"
: > "$apt/none.list"
# Same mirror as the machine's binary sources; the keyring checks what it serves.
cat > "$apt/etc/lwip-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
set -- -o Dir::Etc::SourceList="$apt/none.list" -o Dir::Etc::SourceParts="$apt/etc" \
       -o Dir::State="$apt/state" -o Dir::Cache="$apt/cache" -o Debug::NoLocking=1 \
       -o APT::Sandbox::User=root
tmp=$(mktemp -d "$cache/lwip-dl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
apt-get -qq "$@" update >/dev/null \
    || { echo "fetch-lwip: apt-get update of the private deb-src list failed" >&2; exit 1; }
(cd "$tmp" && apt-get -qq "$@" source --download-only "lwip=$version" >/dev/null) \
    || { echo "fetch-lwip: apt-get source lwip=$version failed (is that version still in bookworm?)" >&2; exit 1; }
dsc="$tmp/lwip_$version.dsc" orig="$tmp/lwip_$upstream.orig.tar.xz"
echo "$dsc_sha  $dsc" | sha256sum -c --quiet - || { echo "fetch-lwip: sha256 mismatch for $dsc" >&2; exit 1; }
echo "$orig_sha  $orig" | sha256sum -c --quiet - || { echo "fetch-lwip: sha256 mismatch for $orig" >&2; exit 1; }
mkdir "$tmp/src"
tar -xJf "$orig" -C "$tmp/src"
[ -f "$tmp/src/lwip-${upstream%+*}/src/core/init.c" ] || { echo "fetch-lwip: unexpected tarball layout" >&2; exit 1; }
rm -rf "$dest"
mv "$tmp/src/lwip-${upstream%+*}" "$dest"
touch "$dest/.fetched"
