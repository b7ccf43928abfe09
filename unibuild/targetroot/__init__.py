"""The target root (stage 3 of the pipeline): the arm64 Debian tree whose files go into images.

location.py finds and checks one; create.py builds one from Debian's arm64 packages; dpkgdb.py
and control.py read and write its dpkg database; rootfs.py looks paths up inside it as the
guest would (symlinks resolved within the root)."""

from .create import (APT_CACHE, PACKAGE_LIST, Package, create, download_debs, host_sources,
                     installed_packages, parse_simulation, read_package_list, requested_packages,
                     unpack_deb)
from .location import CREATE_HINT, DEFAULT_ROOT, ENV_VAR, INTERPRETER, check_root, chosen_root, find_root

__all__ = ["APT_CACHE", "CREATE_HINT", "DEFAULT_ROOT", "ENV_VAR", "INTERPRETER", "PACKAGE_LIST", "Package",
           "check_root", "chosen_root", "create", "download_debs", "find_root", "host_sources", "installed_packages",
           "parse_simulation", "read_package_list", "requested_packages", "unpack_deb"]
