"""The image (stage 5 of the pipeline): a manifest of host files at image paths plus the boot
configuration, written as a TFS image (the format: unibuild/tfs/).

manifest.py holds the Manifest and writes it; program.py fills one with a program and what it
needs (from unibuild.resolve); pycompile.py adds the bytecode a CPython standard library lacks;
cache.py keeps built images for the next run of the same request.

The names below are loaded on first use: a run whose image is cached never imports the writer."""

import importlib

__all__ = ["Manifest", "Placement", "WriteStats", "build_image", "parse_kernel_option", "parse_placement"]


def __getattr__(name):
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    manifest = importlib.import_module(f"{__name__}.manifest")
    for each in __all__:
        globals()[each] = getattr(manifest, each)
    return globals()[name]
