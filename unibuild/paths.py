"""Where the project's own files live (source tree layout), found from this package's location."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KERNEL_DIR = PROJECT_ROOT / "kernel"
PLATFORMS_DIR = PROJECT_ROOT / "platforms"
BUILD_DIR = PROJECT_ROOT / "build"
