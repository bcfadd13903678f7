"""Keep every read inside the bundle being inspected.

A bundle is untrusted input: a symbolic link in it may point anywhere (`Contents/MacOS/X ->
/etc/shadow`, a SystemExtensions entry -> /etc). Before a file or folder is read, its real path
must lie inside the bundle's own real path; links that leave it are reported, never followed.
"""

from __future__ import annotations

import os
from pathlib import Path

OUTSIDE = "is a symbolic link leading outside the bundle"


class BundleRoot:
    """The real path of the bundle (or extracted archive) everything read must stay inside."""

    def __init__(self, folder: Path) -> None:
        self.real = os.path.realpath(folder)

    def contains(self, path: Path) -> bool:
        real = os.path.realpath(path)
        return real == self.real or real.startswith(self.real.rstrip(os.sep) + os.sep)

    def leaves(self, path: Path) -> bool:
        """True when `path` exists (as a file, folder or link) and resolves outside the bundle."""
        return os.path.lexists(path) and not self.contains(path)
