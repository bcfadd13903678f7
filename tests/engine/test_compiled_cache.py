"""The compiled-model cache keeps only the entries used last."""

from __future__ import annotations

import os

from advisor.knowledge import compiled_cache
from advisor.knowledge.model import KnowledgeBase


def empty_kb(version: str) -> KnowledgeBase:
    return KnowledgeBase(version, {}, {}, {}, {}, {}, {}, {})


def test_the_folder_keeps_the_entries_used_last(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("ADVISOR_NO_CACHE", raising=False)
    folder = compiled_cache.cache_dir()
    for i in range(compiled_cache.KEEP):
        compiled_cache.write(f"k{i}", empty_kb(str(i)))
        os.utime(folder / f"k{i}.pickle", (1000 + i, 1000 + i))  # written one after the other
    assert compiled_cache.read("k0") == empty_kb("0")  # the oldest, but used just now
    compiled_cache.write("new", empty_kb("new"))
    left = sorted(p.stem for p in folder.glob("*.pickle"))
    assert len(left) == compiled_cache.KEEP
    assert "k0" in left and "new" in left and "k1" not in left
