#!/bin/sh
# fetch-libfdt.sh CACHE_DIR VERSION SHA256 — download PyPI's pylibfdt sdist (the libfdt C sources
# live inside it), check its sha256, unpack into CACHE_DIR/pylibfdt-VERSION. The sdist's build
# backend needs setuptools_scm even to "download" from source, hence the private venv.
set -eu
cache=$1 version=$2 sha=$3
dest="$cache/pylibfdt-$version"
venv="$cache/fetch-venv"
mkdir -p "$cache"
if [ ! -x "$venv/bin/pip" ]; then
    python3 -m venv "$venv" || { echo "fetch-libfdt: python3 -m venv failed: install Debian's python3-venv" >&2; exit 1; }
    "$venv/bin/pip" install -q wheel setuptools setuptools_scm
fi
tmp=$(mktemp -d "$cache/dl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$venv/bin/pip" download -q --no-deps --no-binary :all: --no-build-isolation "pylibfdt==$version" -d "$tmp"
tarball="$tmp/pylibfdt-$version.tar.gz"
echo "$sha  $tarball" | sha256sum -c --quiet - || { echo "fetch-libfdt: sha256 mismatch for $tarball" >&2; exit 1; }
tar -xzf "$tarball" -C "$tmp"
rm -rf "$dest"
mv "$tmp/pylibfdt-$version" "$dest"
touch "$dest/.fetched"
