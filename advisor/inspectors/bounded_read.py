"""Read small files inside a bundle without trusting them.

A bundle may contain symlink loops, FIFOs, device nodes or multi-gigabyte files where a small
plist is expected; every read here checks the file kind first and never reads past a limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from advisor.inspectors.artifact_error import ArtifactError


def regular_file_size(path: Path) -> int:
    """The size of `path` if it is a regular file (symlinks followed); ArtifactError otherwise."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ArtifactError("missing") from None
    except OSError as exc:  # ELOOP (symlink loop), EACCES, ENAMETOOLONG...
        raise ArtifactError(f"cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ArtifactError("is not a regular file")
    return st.st_size


def read_bounded(path: Path, limit: int) -> bytes:
    """The whole content of a regular file of at most `limit` bytes."""
    size = regular_file_size(path)
    if size > limit:
        raise ArtifactError(f"is {size} bytes, more than the {limit}-byte limit for this kind of file")
    try:
        # O_NONBLOCK: a FIFO swapped in after the stat must not block the open.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ArtifactError(f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise ArtifactError(f"grew past the {limit}-byte limit while being read")
    return data
