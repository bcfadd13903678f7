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


def test_matchers_are_cached_with_the_base_and_match_alike(tmp_path, monkeypatch):
    """What is built from a knowledge base (description, statement and log matchers) is cached
    beside it, refers to the live base (not a copy), and answers exactly as a fresh build."""
    from advisor.investigation import Investigation, KnowledgeRuntime
    from advisor.knowledge.loader import load_knowledge

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("ADVISOR_NO_CACHE", raising=False)
    story = "Our macOS packet tunnel works on one Mac but not another: Signature check failed: code failed to satisfy specified code requirement(s)"
    log = "nesessionmanager: Signature check failed: code failed to satisfy specified code requirement(s)\n"

    def run(kb: KnowledgeBase, runtime: KnowledgeRuntime) -> list[tuple[str, str, float]]:
        inv = Investigation.start(kb, runtime)
        inv.add_description(story)
        inv.add_log_text(log)
        return [(a.id, str(a.status), a.score) for a in inv.diagnoses()]

    kb = load_knowledge()
    assert kb.content_key
    first = KnowledgeRuntime(kb)
    built = run(kb, first)
    assert list(compiled_cache.cache_dir().glob("*.derived.pickle"))
    kb_again = load_knowledge()
    restored = KnowledgeRuntime(kb_again)
    assert restored.describe.kb is kb_again and restored.triage.kb is kb_again
    assert run(kb_again, restored) == built
    monkeypatch.setenv("ADVISOR_NO_CACHE", "1")
    fresh = load_knowledge()
    assert not fresh.content_key
    assert run(fresh, KnowledgeRuntime(fresh)) == built
