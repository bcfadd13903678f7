"""Facts a developer states in their own description ("my macOS packet tunnel app extension",
"a development build I copied over", "I did not disable SIP").

The ways developers say each fact value are knowledge (`phrases:` in facts.yaml); this module
only reads sentences. It is deliberately cautious, because a fact read here is never asked:

* Questions ("do I have to disable SIP?") and wishes or plans ("we would like to ship a
  system extension eventually") state nothing.
* Quoted text (an error message, a log line) is the system speaking, not the developer: it is
  left to the log signatures.
* A negation right before a value ("not notarized", "I did not disable SIP", "isn't in
  /Applications") rules that value out; for a two-valued fact that settles the other one.
* Contrast: a clause about a setup that works ("works on iOS but not on macOS", "on my Mac it
  connects fine") does not describe the failing one. For facts marked `same_where_it_works`
  (what the provider is) it still counts when nothing else is said.
* Two different values stated for the failing setup settle nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.engine.describe import _QUOTES, _stem, normalise_text, stem_vocabulary
from advisor.knowledge.model import KnowledgeBase

NEGATIONS = frozenset(_stem(w) for w in ["not", "no", "never", "without", "outside", "nor", "neither", "none"])
# Words that may sit between a negation and what it negates: "is not yet notarized",
# "has never been notarized", "SIP is not disabled".
GLUE = frozenset(
    ["is", "are", "was", "were", "be", "been", "being", "am", "a", "an", "the", "it", "its", "yet", "ever", "even",
     "really", "actually", "also", "still", "properly", "correctly", "has", "have", "had", "do", "does", "did", "i", "we",
     "they", "you", "my", "our", "any", "currently", "at", "all"]
)
GLUE_STEMS = frozenset(_stem(w) for w in GLUE)
MAX_GLUE = 3
# A clause about a setup that works: its facts describe the working setup, not the failing one.
WORKING = frozenset(_stem(w) for w in ["work", "works", "worked", "working", "fine", "ok", "okay", "succeeds", "succeeded", "flawlessly", "perfectly", "smoothly"])
# Failure words keep a clause about the failing setup even when it also says "works".
FAILING = frozenset(
    _stem(w)
    for w in ["fail", "fails", "failed", "failing", "failure", "error", "errors", "crash", "crashes", "crashed", "broken",
              "refuse", "refused", "reject", "rejected", "denied", "invalid", "exits", "exited", "dies", "died", "stuck",
              "hangs", "unable", "problem", "issue"]
)
# A clause that only wishes, plans or supposes states nothing about the failing build.
HYPOTHETICAL = frozenset(
    ["if", "whether", "would", "want", "wants", "wanted", "plan", "plans", "planning", "eventually", "should", "might",
     "maybe", "perhaps", "suppose", "hypothetically", "considering", "must", "need", "needs", "wish", "hope", "unless"]
)
AUXILIARIES = frozenset(
    ["do", "does", "did", "is", "are", "was", "were", "can", "could", "should", "would", "will", "must", "have", "has",
     "shall", "may", "might", "am"]
)
MODAL = re.compile(r"\b(?:has|have) to\b")  # "it has to be in /Applications" (but "I had to" happened)
FILLERS = frozenset(["so", "and", "but", "also", "now", "then", "or", "ok", "okay", "well", "anyway"])
CONTRAST = re.compile(
    r"(\b(?:but|however|although|though|whereas|while|whilst|yet|except|unlike|compared (?:to|with)|same as|like (?:there is |it is |it does )?(?:with|in|on|for))\b|,\s*and\s+(?=on\b|in\b|with\b))",
    re.IGNORECASE,
)
COMPARISONS = frozenset(["unlike", "compared to", "compared with", "same as"]) | {
    f"like {a}{b}" for a in ("", "there is ", "it is ", "it does ") for b in ("with", "in", "on", "for")
}
# A clause about the past ("had earlier been installed from the Mac App Store") describes an
# earlier setup, not the failing one.
PAST = frozenset(["earlier", "previously", "formerly", "originally"])
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n|;")
QUOTED = re.compile(r"\"[^\"\n]{0,400}\"|`[^`\n]{0,400}`")
LOG_LINE = re.compile(r"^\s*(?:\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}|[A-Z][a-z]{2} +\d+ \d{2}:)")
TOKEN = re.compile(r"[a-z0-9./~][a-z0-9+_./~-]*|,")
COMMA = ","  # kept as a token: neither glue nor a wildcard crosses it
WILDCARD = "*"  # in a phrase: up to MAX_WILD other words
MAX_WILD = 2


def _contractions(text: str) -> str:
    text = re.sub(r"\b(can)not\b", r"\1 not", text)
    text = re.sub(r"\b(won)'t\b", "will not", text)
    text = re.sub(r"\b(can)'t\b", "can not", text)
    return re.sub(r"n't\b", " not", text)


def _raw_token(token: str) -> bool:
    """Paths and file extensions keep their punctuation: "/Applications", ".appex"."""
    return token.startswith(("/", ".")) or "/" in token


@dataclass(frozen=True)
class _Phrase:
    fact: str
    value: str
    text: str
    tokens: tuple[str, ...]
    negative: bool  # the phrase says "not"/"without" itself ("not notarized")


@dataclass(frozen=True)
class _Mention:
    phrase: _Phrase
    start: int
    end: int
    negated: bool


@dataclass(frozen=True)
class StatedFact:
    fact: str
    value: str
    phrase: str  # the phrase of the knowledge that matched
    clause: str  # where the developer said it
    how: str  # "stated", "ruled out the other value", "said of a working setup"

    @property
    def detail(self) -> str:
        shown = self.clause if len(self.clause) <= 90 else self.clause[:87] + "..."
        how = "" if self.how == "stated" else f", {self.how}"
        return f'description says "{shown}" ({self.phrase}{how})'


@dataclass
class _Clause:
    text: str
    tokens: list[str]
    working: bool  # about a setup where it works (or another setup than the failing one)


class StatementReader:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.vocab = stem_vocabulary(kb.vocabulary)
        self.phrases: list[_Phrase] = []
        for fact in kb.facts.values():
            for value, phrases in fact.phrases.items():
                for text in phrases:
                    tokens = self._phrase_tokens(text)
                    if tokens:
                        self.phrases.append(_Phrase(fact.id, value, text, tokens, any(t in NEGATIONS for t in tokens)))
        self.by_first: dict[str, list[_Phrase]] = {}
        for p in self.phrases:
            self.by_first.setdefault(p.tokens[0], []).append(p)
        self.raw_firsts = [p for p in self.phrases if _raw_token(p.tokens[0])]

    def _phrase_tokens(self, text: str) -> tuple[str, ...]:
        """A phrase's words without glue (the text may have glue anywhere), `*` kept."""
        out: list[str] = []
        for i, part in enumerate(text.split(WILDCARD)):
            if i:
                out.append(WILDCARD)
            out += self._tokens(part)
        meaningful = [t for t in out if t not in GLUE_STEMS]
        tokens = meaningful if any(t != WILDCARD for t in meaningful) else out
        while tokens and tokens[0] == WILDCARD:
            tokens = tokens[1:]
        while tokens and tokens[-1] == WILDCARD:
            tokens = tokens[:-1]
        return tuple(tokens)

    def _tokens(self, text: str) -> list[str]:
        out = []
        for raw in TOKEN.findall(_contractions(normalise_text(text))):
            if raw == COMMA:
                out.append(COMMA)
                continue
            token = raw.rstrip(".,:")
            if not token:
                continue
            if _raw_token(token):
                out.append(token)
                continue
            stem = _stem(token)
            out.append(self.vocab.get(stem, stem))
        return out

    # ---- sentences and clauses ------------------------------------------------------------
    def _clauses(self, text: str) -> list[_Clause]:
        text = "\n".join(line for line in text.translate(_QUOTES).splitlines() if not LOG_LINE.match(line))
        text = QUOTED.sub(" , ", text)
        clauses: list[_Clause] = []
        for sentence in SENTENCE_END.split(text):
            sentence = " ".join(sentence.split())
            if not sentence:
                continue
            words = _contractions(sentence.lower()).split()
            while words and words[0] in FILLERS:
                words = words[1:]
            if sentence.endswith("?") and words and words[0] in AUXILIARIES:
                continue  # "Do I have to disable SIP?" asks; it states nothing
            marker = ""
            for part in CONTRAST.split(sentence):
                if part is None:
                    continue
                if CONTRAST.fullmatch(part):
                    marker = part.strip(" ,").lower()
                    continue
                part = part.strip(" ,")
                if not part:
                    continue
                plain = set(re.findall(r"[a-z]+", _contractions(part.lower())))
                if plain & HYPOTHETICAL or MODAL.search(part.lower()):
                    continue
                tokens = self._tokens(part)
                # "... like there is with the App Store version", "had earlier been installed
                # from the Mac App Store": another setup than the failing one.
                other = marker in COMPARISONS or bool(plain & PAST)
                clauses.append(_Clause(part, tokens, other or self._working(tokens)))
                marker = ""
        return clauses

    @staticmethod
    def _working(tokens: list[str]) -> bool:
        """Says that something works, with no negation and no failure word."""
        stems = set(tokens)
        return bool(stems & WORKING) and not stems & FAILING and not stems & NEGATIONS

    # ---- mentions ---------------------------------------------------------------------------
    def _mentions(self, tokens: list[str]) -> list[_Mention]:
        found: list[_Mention] = []
        for i, token in enumerate(tokens):
            candidates = list(self.by_first.get(token, ()))
            if _raw_token(token):
                candidates += [p for p in self.raw_firsts if p.tokens[0] != token and _same_raw(p.tokens[0], token)]
            for p in candidates:
                end, negated_inside = _match_from(p.tokens, tokens, i)
                if end is None:
                    continue
                negated = negated_inside or _negated_before(tokens, i)
                if p.negative:
                    negated = False  # "not notarized" already says it; "not" is not a double negation
                found.append(_Mention(p, i, end, negated))
        # Words negated for one fact are negated for every fact they name: "not signed with a
        # Developer ID certificate" says nothing about distributing with Developer ID either.
        found = [
            _Mention(m.phrase, m.start, m.end, True)
            if not m.negated and any(n.negated and not n.phrase.negative and n.start <= m.start and m.end <= n.end for n in found)
            else m
            for m in found
        ]
        # Overlapping mentions of one fact: the longest phrase wins ("notarization failed" over
        # "notarization"; "Mac App Store" over "Mac").
        found.sort(key=lambda m: (-(m.end - m.start), m.start))
        kept: list[_Mention] = []
        for m in found:
            if any(k.phrase.fact == m.phrase.fact and m.start < k.end and k.start < m.end for k in kept):
                continue
            kept.append(m)
        return kept

    def read(self, text: str) -> list[StatedFact]:
        stated: dict[str, list[tuple[_Mention, _Clause]]] = {}
        for clause in self._clauses(text):
            mentions = self._mentions(clause.tokens)
            values: dict[str, set[str]] = {}
            for m in mentions:
                if not m.negated:
                    values.setdefault(m.phrase.fact, set()).add(m.phrase.value)
            # A clause naming two values of one fact ("an iOS build of the app, installed through
            # TestFlight, sitting on the failing Mac") relates two setups: none of its facts about
            # how things were built or shipped can be pinned on the failing one.
            comparing = any(len(v) > 1 for v in values.values())
            for m in mentions:
                fact = self.kb.facts[m.phrase.fact]
                if comparing and (len(values.get(fact.id, ())) > 1 or not fact.same_where_it_works):
                    continue
                stated.setdefault(m.phrase.fact, []).append((m, clause))
        out: list[StatedFact] = []
        for fact_id, said in stated.items():
            found = self._settle(fact_id, said)
            if found is not None:
                out.append(found)
        return out

    def _settle(self, fact_id: str, mentions: list[tuple[_Mention, _Clause]]) -> StatedFact | None:
        fact = self.kb.facts[fact_id]
        failing = [(m, c) for m, c in mentions if not c.working]
        working = [(m, c) for m, c in mentions if c.working]
        said = {m.phrase.value for m, _ in failing if not m.negated}
        denied = {m.phrase.value for m, _ in failing if m.negated}
        said_working = {m.phrase.value for m, _ in working if not m.negated}
        if len(said) > 1:
            said -= said_working  # "works on iOS; on macOS it fails" names both; the working one is not it
        if said & denied:
            return None  # "notarized ... not notarized": contradictory, ask
        if len(said) == 1:
            value = next(iter(said))
            m, c = next((m, c) for m, c in failing if m.phrase.value == value and not m.negated)
            return StatedFact(fact_id, value, m.phrase.text, c.text, "stated")
        if said:
            return None
        if len(denied) == 1 and len(fact.values) == 2:
            value = next(v for v in fact.values if v not in denied)
            m, c = next((m, c) for m, c in failing if m.negated)
            return StatedFact(fact_id, value, f"not {m.phrase.text}", c.text, "ruled out the other value")
        if not denied and fact.same_where_it_works and len(said_working) == 1:
            value = next(iter(said_working))
            m, c = next((m, c) for m, c in working if m.phrase.value == value and not m.negated)
            return StatedFact(fact_id, value, m.phrase.text, c.text, "said of a setup where it works")
        return None


def _same_raw(phrase_token: str, token: str) -> bool:
    """A path phrase matches a longer path ("/applications" in "/applications/x.app"); a
    file-extension phrase matches a name that ends with it (".appex" in "tunnel.appex")."""
    if phrase_token.startswith("/"):
        return token == phrase_token or token.startswith(phrase_token.rstrip("/") + "/")
    if phrase_token.startswith("."):
        return token.endswith(phrase_token) or (phrase_token + "/") in token
    return token == phrase_token


def _same(phrase_token: str, token: str) -> bool:
    return token == phrase_token or (_raw_token(phrase_token) and _same_raw(phrase_token, token))


def _match_from(phrase: tuple[str, ...], tokens: list[str], start: int) -> tuple[int | None, bool]:
    """The phrase's words in order from `start`, with at most MAX_GLUE glue words or negations
    between them ("SIP is not disabled" matches "SIP disabled"), and `*` standing for up to
    MAX_WILD words that are not paths. Returns (end, whether a negation sat inside)."""

    def match(j: int, i: int, skipped: int, negated: bool) -> tuple[int | None, bool]:
        if j == len(phrase):
            return i, negated
        if phrase[j] == WILDCARD:
            for extra in range(MAX_WILD + 1):
                if extra and (i + extra > len(tokens) or tokens[i + extra - 1].startswith("/") or tokens[i + extra - 1] == COMMA):
                    break
                found = match(j + 1, i + extra, skipped, negated)
                if found[0] is not None:
                    return found
            return None, False
        while i < len(tokens):
            token = tokens[i]
            if _same(phrase[j], token):
                return match(j + 1, i + 1, skipped, negated)
            if j == 0 or skipped >= MAX_GLUE or not (token in GLUE_STEMS or token in NEGATIONS):
                return None, False
            negated = negated or token in NEGATIONS
            skipped += 1
            i += 1
        return None, False

    if not phrase or not _same(phrase[0], tokens[start]):
        return None, False
    return match(0, start, 0, False)


def _negated_before(tokens: list[str], start: int) -> bool:
    """A negation right before the phrase, across glue words only: "not notarized", "did not
    disable SIP", "isn't in /Applications"; but not "does not start on macOS"."""
    i = start - 1
    steps = 0
    while i >= 0 and steps <= MAX_GLUE:
        if tokens[i] in NEGATIONS:
            return True
        if tokens[i] not in GLUE_STEMS:
            return False
        i -= 1
        steps += 1
    return False
