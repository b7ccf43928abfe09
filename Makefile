# unibuild's front door. On a fresh Debian bookworm (make + python3, root or sudo):
#   make run         build the kernel, the arm64 target root and examples/hello, and run hello
#   make test        install what is missing, then run every test (tests/unit and tests/boot)
#   make test-quick  the same without the slow boot tests (pytest -m "not boot": tests/unit)
#   make kernel      build the kernel only
# Every target is idempotent: apt packages are installed only when dpkg says they are missing,
# and the venv is rebuilt only when pyproject.toml changed since the last install.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON    ?= python3
VENV      := .venv
VENV_BIN  := $(VENV)/bin
STAMP     := $(VENV)/.installed
APT_LIST  := deps/apt-packages.txt
# sudo only when we are not root (a fresh container has no sudo at all).
SUDO      := $(if $(filter 0,$(shell id -u)),,sudo)
PYTEST_RC := build/last-pytest-exit
# Extra pytest arguments, e.g. make test PYTEST_ARGS=-x
PYTEST_ARGS ?=
# Test processes (pytest-xdist): most of the suite waits on a single-threaded TCG guest, so one
# worker per core roughly divides the wall time by the cores. A test file stays in one worker
# (--dist loadfile): module fixtures such as tests/kvm's L1 machines are built once.
# make test PYTEST_JOBS=0 runs everything in one process.
PYTEST_JOBS ?= auto
PYTEST_PARALLEL = $(if $(filter 0,$(PYTEST_JOBS)),,-n $(PYTEST_JOBS) --dist loadfile)

.PHONY: help deps kernel examples run test test-quick venv

help:
	@sed -n 's/^#   //p' Makefile

# Debian packages from deps/apt-packages.txt that dpkg does not report installed; apt-get
# update runs once and only if something is missing. A second field limits a package to one
# host architecture (arm64) or to every other one (!arm64): an arm64 host's native gcc is the
# target compiler, and Debian has no gcc-aarch64-linux-gnu there.
HOST_DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
deps:
	@missing=$$(grep -v '^\s*#' $(APT_LIST) | awk -v arch='$(HOST_DEB_ARCH)' \
	    'NF && (NF == 1 || $$2 == arch || ($$2 ~ /^!/ && $$2 != "!" arch)) {print $$1}' | while read -r pkg; do \
	    dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$$pkg"; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

# editable_mode=compat: a plain path in a .pth file. setuptools' default editable finder imports
# pathlib, urllib and importlib.util into every start of `unibuild` (~14 ms of a 50 ms --version).
$(STAMP): pyproject.toml | deps
	$(PYTHON) -m venv $(VENV)
	$(VENV_BIN)/pip install -q -e '.[test]' --config-settings editable_mode=compat
	@touch $@

venv: $(STAMP)

kernel: $(STAMP)
	$(VENV_BIN)/unibuild kernel

examples: $(STAMP)
	$(MAKE) -s -C examples/hello
	$(MAKE) -s -C examples/websrv
	$(MAKE) -s -C examples/goweb

# The dynamically linked hello: its libraries come from the arm64 target root (built once).
run: examples
	$(VENV_BIN)/unibuild target-root create
	$(VENV_BIN)/unibuild run build/examples/hello/hello arg1 arg2

# pytest's exit status is kept in $(PYTEST_RC) for .ci/run; 5 means no tests were collected,
# which is a failure here, never a pass.
define run_pytest
	@mkdir -p build
	@rc=0; $(VENV_BIN)/pytest $(1) $(PYTEST_ARGS) || rc=$$?; echo $$rc > $(PYTEST_RC); \
	if [ $$rc -eq 5 ]; then echo "make: pytest collected no tests (exit 5); treating that as a failure" >&2; fi; \
	exit $$rc
endef

# What every worker would otherwise race to build first (the kernel, the default target root,
# the examples) is built once, before the workers start; the builds also lock (build_lock.py).
test: examples
	$(VENV_BIN)/unibuild kernel
	$(VENV_BIN)/unibuild target-root create
	$(call run_pytest,$(PYTEST_PARALLEL))
	$(MAKE) -C tests/fuzz run FUZZ_SECONDS=20 PYTHON=$(abspath $(VENV_BIN))/python   # TFS reader fuzz, bounded

test-quick: $(STAMP)
	$(call run_pytest,-m "not boot")
