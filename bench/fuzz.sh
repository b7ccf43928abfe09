#!/bin/sh
# The long fuzz run of the kernel's TFS reader (make test runs the same target for 20 s).
# Usage: bench/fuzz.sh [SECONDS]   (default 600). Needs `make test` (or the venv) once before.
set -eu
cd "$(dirname "$0")/.."
exec make -C tests/fuzz run FUZZ_SECONDS="${1:-600}" PYTHON="$(pwd)/.venv/bin/python"
