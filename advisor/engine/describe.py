"""Match a developer's own description against the symptom phrases in the knowledge base.

Two measures, the better one wins: rapidfuzz's partial ratio (near-verbatim phrases, typos) and
the share of a phrase's content words found in one sentence of the description (reworded
phrases). Both are strict enough that ordinary prose does not match by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from advisor.evidence import Observation, Pointer, Source
from advisor.knowledge.model import KnowledgeBase

STRONG = 90.0
WEAK = 82.0
FAIR_WORD_SHARE = 0.6  # of a phrase's content words, in a fair fuzzy match
IDENTIFIER = 95.0
STOPWORDS = frozenset(
    ["a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "from", "by", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "my", "our", "we", "i", "you", "your", "they", "them", "their", "there", "as", "so", "if", "then", "than", "do", "does", "did", "can", "will", "would", "just", "only", "also", "into", "onto", "out", "up", "when", "while", "after", "before", "all", "any", "some", "has", "have", "had", "being", "get", "got"]
)
# A negation near a matched phrase flips its meaning ("not in the simulator").
NEGATIONS = frozenset(["not", "no", "never", "without", "isn't", "isnt", "aren't", "arent", "wasn't", "wasnt", "don't", "dont", "doesn't", "doesnt", "didn't", "didnt", "can't", "cant", "cannot", "won't", "wont", "nor"])
# A word with one of these prefixes means the opposite of the word without it.
_NEGATING_PREFIXES = ("non-", "non", "un-", "un")
WINDOW_SLACK = 3  # reworded phrases: all content words within len(phrase) + 3 words
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "..."})
_WORD = re.compile(r"[a-z0-9][a-z0-9+./_-]*")


def normalise_text(text: str) -> str:
    text = text.translate(_QUOTES).lower()
    return re.sub(r"\s+", " ", text).strip()


def _stem(word: str) -> str:
    """A crude stem, enough for "saved"/"save"/"saving" and "running"/"run" to meet."""
    word = word.strip("./-_")
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]
    return word


Vocabulary = dict[str, str]  # stem -> the stem it counts as


def stem_vocabulary(words: dict[str, str]) -> Vocabulary:
    return {_stem(w): _stem(c) for w, c in words.items()}


def _words(text: str, vocab: Vocabulary, content_only: bool) -> list[str]:
    """Stemmed words in order, stop words dropped, interchangeable words folded together.
    `content_only` also drops negations and stray single letters (single digits stay: "error 2"
    and "error 3" are different messages)."""
    out = []
    for w in _WORD.findall(text.replace("n't", "nt")):
        if w in STOPWORDS:
            continue
        if content_only and (w in NEGATIONS or not (len(w) > 1 or w.isdigit())):
            continue
        s = _stem(w)
        out.append(vocab.get(s, s))
    return out


def _content_words(text: str, vocab: Vocabulary) -> list[str]:
    return _words(text, vocab, content_only=True)


def _tokens(text: str, vocab: Vocabulary) -> list[str]:
    """Content words and negations, in order: windows are measured in words that matter."""
    return _words(text, vocab, content_only=False)


def _window_coverage(words: frozenset[str], tokens: list[str]) -> tuple[float, int, int]:
    """Share of `words` found within one window of len(words) + slack tokens, and where."""
    if not words or not tokens:
        return 0.0, 0, 0
    width = len(words) + WINDOW_SLACK
    best, best_at = 0, 0
    for start in range(max(1, len(tokens) - width + 1)):
        found = len(words.intersection(tokens[start : start + width]))
        if found > best:
            best, best_at = found, start
            if best == len(words):
                break
    return best / len(words), best_at, best_at + width


def _unprefixed(word: str) -> tuple[str, bool]:
    """("notarized", True) for "unnotarized" or "non-notarized"; (word, False) otherwise."""
    for prefix in _NEGATING_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 5:
            return word[len(prefix) :], True
    return word, False


def _whole_words(text: str, start: int, end: int) -> str:
    """text[start:end] widened to whole words (an alignment may start inside "unnotarized")."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return text[start:end]


def _same_polarity(phrase: str, matched: str) -> bool:
    """A fuzzy alignment may not flip a word's sense: "unnotarized" is not "notarized" (two
    letters apart, so a near-verbatim score), and "non-sandboxed" is not "sandboxed"."""
    phrase_words = {_unprefixed(w) for w in _WORD.findall(phrase)}
    matched_words = {_unprefixed(w) for w in _WORD.findall(matched)}
    return not any((base, not negated) in matched_words for base, negated in phrase_words if (base, negated) not in matched_words)


def _negated(tokens: list[str], start: int, end: int) -> bool:
    return any(t in NEGATIONS or (t.endswith("nt") and t[:-2] + "n't" in NEGATIONS) for t in tokens[max(0, start - 3) : end])


@dataclass(frozen=True)
class SymptomMatch:
    symptom: str
    phrase: str
    score: float
    negated: bool = False

    @property
    def strength(self) -> float:
        """1 for a strong match, 0.6 for a fair one, nothing when the description negates it
        ("not in the simulator" is no sign of the simulator)."""
        if self.negated:
            return 0.0
        return 1.0 if self.score >= STRONG else 0.6


@dataclass(frozen=True)
class _Phrase:
    symptom: str
    text: str
    words: frozenset[str]
    negative: bool  # the phrase itself says "not"/"never"...


class DescriptionMatcher:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.vocab = stem_vocabulary(kb.vocabulary)
        self.phrases: list[_Phrase] = []
        for s in kb.symptoms.values():
            for p in s.phrases:
                norm = normalise_text(p)
                negative = any(t in NEGATIONS for t in _tokens(norm, self.vocab))
                self.phrases.append(_Phrase(s.id, norm, frozenset(_content_words(norm, self.vocab)), negative))

    def match(self, text: str) -> list[SymptomMatch]:
        norm = normalise_text(text)
        if not norm:
            return []
        sentences = [_tokens(s, self.vocab) for s in re.split(r"[.!?;\n]+", norm) if s.strip()]
        best: dict[str, SymptomMatch] = {}
        for p in self.phrases:
            score, negated = 0.0, False
            # partial_ratio aligns the shorter text inside the longer: a description shorter
            # than the phrase ("x", "VPN") would "contain" it. Only look for a phrase inside a
            # description at least as long as the phrase.
            if len(p.text) >= 8 and len(norm) >= len(p.text):
                # An identifier-like phrase (no spaces: an error name, an entitlement value) must
                # match almost exactly: "dns-proxy-systemextension" is not "proxy system extension".
                threshold = WEAK if " " in p.text else IDENTIFIER
                alignment = fuzz.partial_ratio_alignment(p.text, norm)
                if alignment is not None and alignment.score >= threshold:
                    window = _tokens(norm[max(0, alignment.dest_start - 24) : alignment.dest_end], self.vocab)
                    window_negated = any(t in NEGATIONS for t in window)
                    # A fair (not near-verbatim) match must still contain most of the phrase's
                    # words: "I pass providerBundleIdentifier" is not "wrong providerBundleIdentifier".
                    present = len(p.words.intersection(window)) / len(p.words) if p.words else 1.0
                    plausible = (alignment.score >= STRONG or present >= FAIR_WORD_SHARE) and _same_polarity(
                        p.text, _whole_words(norm, alignment.dest_start, alignment.dest_end)
                    )
                    if plausible and (not p.negative or window_negated):  # "never shows up" needs its "never"
                        score = alignment.score
                        negated = not p.negative and window_negated
            # Two common words ("mac", "fail") turn up together in too many sentences: a two-word
            # phrase is matched reworded only when one of its words is specific (a long word or
            # an API name such as didFailWithError); otherwise it must match near-verbatim.
            if len(p.words) >= 3 or (len(p.words) == 2 and max(len(w) for w in p.words) >= 7):
                for tokens in sentences:
                    coverage, start, end = _window_coverage(p.words, tokens)
                    window_negated = _negated(tokens, start, end)
                    if p.negative and not window_negated:
                        continue  # "never shows up" is not matched by "shows up"
                    # Every content word close together is as good as a near-verbatim phrase.
                    # Fewer is not a match: "developer id ... app extension" scattered through a
                    # paragraph says nothing (interchangeable words are in vocabulary.yaml).
                    cover_score = 100.0 if coverage >= 1.0 else 0.0
                    if cover_score > score:
                        score = cover_score
                        negated = not p.negative and window_negated
            if score < WEAK:
                continue
            current = best.get(p.symptom)
            if current is None or score > current.score or (score == current.score and current.negated and not negated):
                best[p.symptom] = SymptomMatch(p.symptom, p.text, round(score, 1), negated)
        return sorted(best.values(), key=lambda m: -m.score)


def description_evidence(kb: KnowledgeBase, matches: list[SymptomMatch]) -> tuple[list[Observation], list[Pointer]]:
    observations: list[Observation] = []
    pointers: list[Pointer] = []
    for m in matches:
        symptom = kb.symptoms[m.symptom]
        detail = f'description matches "{m.phrase}" ({m.score:.0f}%)' + (" but negated" if m.negated else "")
        # Only a strong, plain match settles a fact: "not in the simulator" must not settle
        # running_in_simulator=yes, and a fair match only hints.
        if not m.negated and m.score >= STRONG:
            for fact, value in symptom.sets:
                observations.append(Observation(fact, value, Source.DESCRIBE, detail, m.symptom))
        for diagnosis, weight in symptom.points_to:
            if m.strength > 0:
                pointers.append(Pointer(diagnosis, weight * m.strength, Source.DESCRIBE, detail, m.symptom))
    return observations, pointers
