"""The target root (stage 3 of the pipeline): the arm64 Debian tree whose files go into images.

location.py finds and checks one; builder.py builds one from Debian's arm64 packages; dpkgdb.py
and control.py read and write its dpkg database; rootfs.py looks paths up inside it as the
guest would (symlinks resolved within the root).

The names below are loaded on first use: a run that only looks paths up (or finds its image in
the cache) does not import the package builder."""

import importlib

_FROM = {
    "builder": ("APT_CACHE", "PACKAGE_LIST", "Package", "create", "download_debs", "host_sources",
               "installed_packages", "parse_simulation", "read_package_list", "requested_packages",
               "unpack_deb"),
    "location": ("CREATE_HINT", "DEFAULT_ROOT", "ENV_VAR", "INTERPRETER", "check_root", "chosen_root",
                 "find_root"),
}
_MODULE_OF = {name: module for module, names in _FROM.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    loaded = importlib.import_module(f"{__name__}.{module}")
    # All of the module's names at once. (The builder module is not called `create`: importing
    # a submodule sets the package attribute of its name, which would hide the function.)
    for each in _FROM[module]:
        globals()[each] = getattr(loaded, each)
    return globals()[name]
