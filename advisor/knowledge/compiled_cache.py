"""A cache of the parsed knowledge model, keyed by the exact bytes of every knowledge file.

Parsing YAML dominates loading a large knowledge base (libyaml builds a node per scalar); an
unchanged base is read back from the user's own cache folder instead. Any edit to any file
(or a new advisor version) changes the key, so a stale entry can never be used.
Set ADVISOR_NO_CACHE=1 to bypass it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path
from typing import BinaryIO

from advisor import __version__
from advisor.knowledge.model import KnowledgeBase

FORMAT = 1
KEEP = 8  # entries kept: one per knowledge base edited or version installed lately is plenty


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "advisor" / "knowledge"


def content_key(root: Path) -> str | None:
    if os.environ.get("ADVISOR_NO_CACHE") or not root.is_dir():
        return None
    digest = hashlib.sha256(f"{FORMAT}:{__version__}".encode())
    # The model's own code is part of the key: a pickle of an older model shape is never read.
    here = Path(__file__).resolve().parent
    try:
        for module in ("model.py", "loader.py", "yaml_source.py", "fast_yaml.py", "compiled_cache.py"):
            digest.update((here / module).read_bytes())
        for path in sorted(root.rglob("*.yaml")):
            if not path.is_file():  # a pipe or device would block or never end: the loader names it
                return None
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    except OSError:
        return None  # an unreadable file: let the loader report it
    return digest.hexdigest()


def read(key: str) -> KnowledgeBase | None:
    path = cache_dir() / f"{key}.pickle"
    try:
        with open(path, "rb") as fh:
            kb = pickle.load(fh)  # noqa: S301 (our own cache, in the user's own cache folder)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: the last to be pruned
    return kb if isinstance(kb, KnowledgeBase) else None


def write(key: str, kb: KnowledgeBase) -> None:
    import tempfile  # only a cold load writes

    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".kb-", dir=str(folder))
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(kb, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{key}.pickle")
    except OSError:
        return  # a read-only home is fine: we just parse every time
    _prune(folder)


class _SharedPickler(pickle.Pickler):
    """Pickles what is built from a knowledge base without the base itself: the objects in
    `shared` (the knowledge base a matcher refers to) are written as a name and put back on load."""

    def __init__(self, file: BinaryIO, shared: dict[str, object]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._names = {id(obj): name for name, obj in shared.items()}

    def persistent_id(self, obj: object) -> str | None:
        return self._names.get(id(obj))


class _SharedUnpickler(pickle.Unpickler):
    def __init__(self, file: BinaryIO, shared: dict[str, object]) -> None:
        super().__init__(file)
        self._shared = shared

    def persistent_load(self, pid: object) -> object:
        if not isinstance(pid, str) or pid not in self._shared:
            raise pickle.UnpicklingError(f"unknown shared object {pid!r}")
        return self._shared[pid]


def read_derived(key: str, shared: dict[str, object]) -> object | None:
    """What was built from the knowledge base of `key` (its matchers), or None; `shared` names
    the live objects the pickle refers to (the knowledge base itself)."""
    path = cache_dir() / f"{key}.derived.pickle"
    try:
        with open(path, "rb") as fh:
            return _SharedUnpickler(fh, shared).load()
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def write_derived(key: str, obj: object, shared: dict[str, object]) -> None:
    import tempfile

    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".derived-", dir=str(folder))
        with os.fdopen(fd, "wb") as fh:
            _SharedPickler(fh, shared).dump(obj)
        os.replace(tmp, folder / f"{key}.derived.pickle")
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return  # not cached: it is built again next time
    _prune(folder)


def _prune(folder: Path) -> None:
    """Every edit makes a new entry: keep the few used last, so the folder does not grow for ever."""
    try:
        for kind in ("*.derived.pickle", "*[!d].pickle"):  # what is built from bases, and bases
            entries = sorted(folder.glob(kind), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in entries[KEEP:]:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # another process pruned it first
