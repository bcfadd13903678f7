"""How much a description resembles each diagnosis's own text (TF-IDF cosine similarity).

Symptom phrases catch what developers typically write; a description worded differently
matches none of them. The diagnoses' own words (title, summary, explanation, symptom phrases)
still overlap with it, so the closest diagnoses get a little evidence: enough to be listed and
asked about, never enough on its own to outrank a specific sign.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from advisor.engine.describe import _content_words, normalise_text, stem_vocabulary
from advisor.evidence import Pointer, Source
from advisor.knowledge.model import KnowledgeBase

# A description must share this much (cosine) with a diagnosis's text to count at all.
MIN_SIMILARITY = 0.12
# The most resembling diagnosis gets at most this weight; the next ones proportionally less.
MAX_WEIGHT = 1.6
TOP = 3


@dataclass(frozen=True)
class Resemblance:
    diagnosis: str
    similarity: float


class ResemblanceIndex:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.vocab = stem_vocabulary(kb.vocabulary)
        texts: dict[str, list[str]] = {}
        for d in kb.diagnoses.values():
            texts[d.id] = [d.title, d.title, d.summary, d.explanation]
        for s in kb.symptoms.values():
            for did, _ in s.points_to:
                if did in texts:
                    texts[did].extend(s.phrases)
        counts = {did: Counter(_content_words(normalise_text(" ".join(t)), self.vocab)) for did, t in texts.items()}
        df: Counter[str] = Counter()
        for c in counts.values():
            df.update(c.keys())
        n = len(counts)
        self.idf = {w: math.log((1 + n) / (1 + f)) + 1.0 for w, f in df.items()}
        self.vectors: dict[str, dict[str, float]] = {}
        for did, c in counts.items():
            vec = {w: (1 + math.log(k)) * self.idf[w] for w, k in c.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            self.vectors[did] = {w: v / norm for w, v in vec.items()}

    def rank(self, text: str, excluded: set[str] | frozenset[str] = frozenset()) -> list[Resemblance]:
        """The diagnoses the text most resembles, best first; `excluded` ones (already ruled
        out) are not candidates, so they cannot crowd out the ones still possible."""
        words = Counter(w for w in _content_words(normalise_text(text), self.vocab) if w in self.idf)
        if len(words) < 3:  # too little to judge by resemblance
            return []
        vec = {w: (1 + math.log(k)) * self.idf[w] for w, k in words.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        scores = []
        for did, dvec in self.vectors.items():
            if did in excluded:
                continue
            sim = sum(v * dvec.get(w, 0.0) for w, v in vec.items()) / norm
            if sim >= MIN_SIMILARITY:
                scores.append(Resemblance(did, round(sim, 3)))
        scores.sort(key=lambda r: -r.similarity)
        return scores[:TOP]


def resemblance_pointers(kb: KnowledgeBase, found: list[Resemblance]) -> list[Pointer]:
    if not found:
        return []
    best = found[0].similarity
    return [
        Pointer(
            r.diagnosis,
            round(MAX_WEIGHT * r.similarity / best, 2),
            Source.DESCRIBE,
            f"the description resembles this diagnosis's own wording (similarity {r.similarity:.2f})",
            "resemblance",
        )
        for r in found
    ]
