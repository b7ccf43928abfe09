"""Debian package awareness: the dpkg database of a target root, and the files a program's
packages bring into its image (what `apt install` put there besides the binary)."""

from .dpkgdb import NoDpkgData, read_installed, record_package, write_status
from .runtime_files import PackageFiles, program_package_files

__all__ = ["NoDpkgData", "PackageFiles", "program_package_files", "read_installed", "record_package",
           "write_status"]
