"""unibuild: aarch64 unikernel images of unmodified Linux programs, built and booted from any host."""

__version__ = "0.1.0"
