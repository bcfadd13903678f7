"""Free-text answers to a question, matched to one of its choices (rapidfuzz).

The developer may type "dev id", "app store", "testflght", "2" or "no idea" instead of picking
from the list. The match says what it understood, how sure it is, and which other choices came
close, so the question card can confirm ("understood: Developer ID") or ask again
("did you mean A or B?") instead of guessing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, utils

from advisor.knowledge.model import UNKNOWN

UNKNOWN_LABEL = "I don't know"
# Ways people say "I don't know"; matched before the choices so "no idea" never reads as "no".
UNKNOWN_PHRASES = (
    "i don't know", "i dont know", "don't know", "dont know", "do not know", "not sure", "unsure",
    "no idea", "unknown", "idk", "dunno", "no clue", "skip", "pass", "?",
)
# Short everyday words for the usual yes/no (on/off) choices.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "yes": ("y", "yeah", "yep", "yup", "true", "correct", "sure", "it is", "there is"),
    "no": ("n", "nope", "nah", "false", "none", "it is not", "there is none"),
    "on": ("enabled", "yes"),
    "off": ("disabled", "no"),
    "enabled": ("on", "yes"),
    "disabled": ("off", "no"),
}

ACCEPT_SCORE = 75.0  # at least this sure to take the answer (the card still shows what it understood)
SUGGEST_SCORE = 60.0  # below ACCEPT but above this: offer the closest choices
MARGIN = 10.0  # the winner must beat the runner-up (another choice) by this much


@dataclass(frozen=True)
class ChoiceOption:
    """One answer the card offers: the fact value and what the user reads."""

    value: str
    label: str


@dataclass(frozen=True)
class AnswerMatch:
    text: str
    option: ChoiceOption | None  # the understood choice, or None when unsure
    score: float
    close: tuple[ChoiceOption, ...] = ()  # the choices that came close (for "did you mean...")

    @property
    def understood(self) -> bool:
        return self.option is not None

    def describe(self) -> str:
        """One line for the card: what was understood, or what to do instead."""
        if self.option is not None:
            return f"understood: {self.option.label}"
        if self.close:
            return "did you mean " + " or ".join(o.label for o in self.close) + "?"
        return "no choice matches that; pick one from the list or type it differently"


def answer_options(choices: Sequence[tuple[str, str]]) -> list[ChoiceOption]:
    """The card's options: the question's choices, then "I don't know" (always offered)."""
    options = [ChoiceOption(value, label) for value, label in choices if value != UNKNOWN]
    options.append(ChoiceOption(UNKNOWN, UNKNOWN_LABEL))
    return options


def _normal(text: str) -> str:
    return utils.default_process(text)


def _score(query: str, candidate: str) -> float:
    # WRatio copes with typos and partial phrases; token_set_ratio with a keyword of a long label
    # ("dmg" in "Directly, signed with Developer ID (website, DMG, ...)"), slightly discounted so
    # a whole-phrase match wins over a single shared word.
    return max(fuzz.WRatio(query, candidate), fuzz.token_set_ratio(query, candidate) * 0.95)


def _candidates(option: ChoiceOption) -> list[str]:
    out = [option.label, option.value.replace("-", " ").replace("_", " ")]
    out += SYNONYMS.get(option.value, ())
    return [c for c in (_normal(x) for x in out) if c]


def match_answer(text: str, options: Sequence[ChoiceOption]) -> AnswerMatch:
    """What `text` most likely means among `options` (numbers pick by position, 1-based; 0 = unknown)."""
    raw = text.strip()
    unknown = next((o for o in options if o.value == UNKNOWN), None)
    if not raw:
        return AnswerMatch(text, None, 0.0)
    if raw.isdigit():
        n = int(raw)
        if n == 0 and unknown is not None:
            return AnswerMatch(text, unknown, 100.0)
        listed = [o for o in options if o.value != UNKNOWN]
        if 1 <= n <= len(listed):
            return AnswerMatch(text, listed[n - 1], 100.0)
        return AnswerMatch(text, None, 0.0)
    query = _normal(raw)
    said_unknown = raw == "?" or query in {_normal(p) for p in UNKNOWN_PHRASES if _normal(p)}
    if said_unknown and unknown is not None:
        return AnswerMatch(text, unknown, 100.0)
    if not query:
        return AnswerMatch(text, None, 0.0)
    # An exact label, value or synonym wins outright.
    for option in options:
        if option.value == UNKNOWN:
            continue
        if query in _candidates(option):
            return AnswerMatch(text, option, 100.0)
    scored: list[tuple[float, ChoiceOption]] = []
    for option in options:
        if option.value == UNKNOWN:
            candidates = [_normal(p) for p in UNKNOWN_PHRASES if _normal(p)]
        else:
            candidates = _candidates(option)
        scored.append((max((_score(query, c) for c in candidates), default=0.0), option))
    scored.sort(key=lambda item: -item[0])
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best_score >= ACCEPT_SCORE and best_score - runner_up >= MARGIN:
        return AnswerMatch(text, best, round(best_score, 1))
    # "I don't know" is never a guess: it is suggested only when the text said so.
    close = tuple(o for s, o in scored if o.value != UNKNOWN and s >= max(SUGGEST_SCORE, best_score - MARGIN))[:3]
    return AnswerMatch(text, None, round(best_score, 1), close)
