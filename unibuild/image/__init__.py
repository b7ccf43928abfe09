"""The image (stage 5 of the pipeline): a manifest of host files at image paths plus the boot
configuration, written as a TFS image (the format: unibuild/tfs/).

manifest.py holds the Manifest and writes it; program.py fills one with a program and what it
needs (from unibuild.resolve); pycompile.py adds the bytecode a CPython standard library lacks."""

from .manifest import (Manifest, Placement, WriteStats, build_image, parse_kernel_option,
                       parse_placement)

__all__ = ["Manifest", "Placement", "WriteStats", "build_image", "parse_kernel_option", "parse_placement"]
