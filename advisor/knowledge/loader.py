"""Load and validate the YAML knowledge base into the model.

Schema problems are collected (not raised one by one) so `advisor kb check` can list them all
as `file:line: message`. The format is documented for authors in `knowledge/README.md`.
"""

from __future__ import annotations

import gc
import importlib.resources
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.exit_status import UserError
from advisor.knowledge.model import (
    CHANNELS,
    PACKAGINGS,
    SIGNERS,
    UNKNOWN,
    AppliesTo,
    BundleRule,
    Choice,
    Condition,
    Diagnosis,
    Fact,
    KnowledgeBase,
    Location,
    Probe,
    Question,
    Reference,
    Signature,
    Support,
    Symptom,
)
from advisor.knowledge.yaml_source import LocatedDict, YamlError, as_text, line_of, read_yaml

if TYPE_CHECKING:
    from advisor.knowledge.fast_yaml import YamlPath

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
SIGNATURE_KINDS = ("cause", "noise", "context")
SEVERITIES = ("error", "warning", "info")
QUESTION_COSTS = ("memory", "look", "failing-mac")


class KnowledgeError(UserError):
    """The knowledge base has problems; `problems` holds every `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if problems else "knowledge base is invalid")
        self.problems = problems


def default_root() -> Path:
    """The knowledge base to load: $ADVISOR_KNOWLEDGE (for authors), else the one the package ships."""
    env = os.environ.get("ADVISOR_KNOWLEDGE")
    if env:
        return Path(env)
    shipped = importlib.resources.files("advisor") / "knowledge_base"
    # Installed from a wheel or a source tree, the package is a folder on disk; a zipped install
    # would need extracting first, which nobody does for a CLI tool, so it is reported as missing.
    return Path(str(shipped)).resolve()  # in a source checkout: the knowledge/ folder it links to


class _Unlocated(Exception):
    """A line the fast reader was not asked for is needed: load again with every line known."""


# The lines the model keeps, below each section's entries: condition mappings (Condition.location).
# Entry ids are always located. A Location taken from any other line needs its path here.
_LOCATED: dict[str, tuple[YamlPath, ...]] = {
    "questions": (("*", "ask_if"),),
    "diagnoses": (("*", "requires"), ("*", "supports", "*", "when"), ("*", "rules_out", "*", "when"), ("*", "confirmed_when", "*")),
}


@dataclass
class _Reader:
    root: Path
    problems: list[str] = field(default_factory=list)
    # Read with `read_yaml_fast`: only the lines in _LOCATED are known, so any problem found means
    # loading again with `read_yaml`, whose every line is known for the messages.
    fast: bool = False

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def problem(self, loc: Location, message: str) -> None:
        self.problems.append(f"{loc}: {message}")

    def section(self, path: Path, key: str) -> tuple[str, dict[str, Any]]:
        name = self.rel(path)
        try:
            if self.fast:
                from advisor.knowledge.fast_yaml import read_yaml_fast  # a cold load only

                data = read_yaml_fast(path, name, [(key,), *((key, *p) for p in _LOCATED.get(key, ()))])
            else:
                data = read_yaml(path, name)
        except YamlError as exc:
            self.problems.append(exc.message)
            return name, {}
        if data is None:
            return name, {}
        if not isinstance(data, LocatedDict) or key not in data:
            self.problems.append(f"{name}:{line_of(data)}: expected a top-level '{key}:' mapping")
            return name, {}
        body = data[key]
        if body is None:
            return name, {}
        if not isinstance(body, LocatedDict):
            self.problems.append(f"{name}:{line_of(data, key)}: '{key}' must be a mapping of id to entry")
            return name, {}
        return name, body


def _text(r: _Reader, loc: Location, entry: dict, key: str, required: bool = True) -> str:
    value = entry.get(key)
    if value is None:
        if required:
            r.problem(loc, f"missing '{key}'")
        return ""
    if isinstance(value, (dict, list)):
        r.problem(Location(loc.file, line_of(entry, key, loc.line)), f"'{key}' must be text")
        return ""
    return as_text(value).strip()


def _number(r: _Reader, loc: Location, entry: dict, key: str, default: float) -> float:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        r.problem(Location(loc.file, line_of(entry, key, loc.line)), f"'{key}' must be a number")
        return default
    return float(value)


def _condition(r: _Reader, file: str, data: Any, line: int) -> Condition | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        r.problem(Location(file, line), "a condition must be a mapping of fact: value (or [values])")
        return None
    if not isinstance(data, LocatedDict):
        raise _Unlocated  # its path is missing from _LOCATED
    items: list[tuple[str, frozenset[str]]] = []
    for fact, values in data.items():
        if type(values) is str:  # the usual `fact: value` (tens of thousands in a large base)
            items.append((str(fact), frozenset((values,))))
            continue
        vals = values if isinstance(values, list) else [values]
        items.append((str(fact), frozenset(as_text(v) for v in vals)))
    return Condition(tuple(items), Location(file, data.line))


def _weighted_ids(r: _Reader, loc: Location, data: Any, what: str) -> tuple[tuple[str, float], ...]:
    """`points_to` may be a list of ids (weight 1) or a mapping id: weight."""
    if data is None:
        return ()
    if isinstance(data, list):
        return tuple((as_text(d), 1.0) for d in data)
    if isinstance(data, dict):
        out = []
        for key, weight in data.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)):
                r.problem(Location(loc.file, line_of(data, key, loc.line)), f"{what} weight for '{key}' must be a number")
                continue
            out.append((str(key), float(weight)))
        return tuple(out)
    r.problem(loc, f"'{what}' must be a list of ids or a mapping of id: weight")
    return ()


def _ids(r: _Reader, loc: Location, data: Any, what: str) -> tuple[str, ...]:
    """One id or a list of ids."""
    if data is None:
        return ()
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(i, str) and i.strip() for i in items):
        r.problem(loc, f"'{what}' must be a diagnosis id or a list of them")
        return ()
    return tuple(i.strip() for i in items)


def _sets(r: _Reader, loc: Location, data: Any) -> tuple[tuple[str, str], ...]:
    if data is None:
        return ()
    if not isinstance(data, dict):
        r.problem(loc, "'sets' must be a mapping of fact: value")
        return ()
    return tuple((str(k), as_text(v)) for k, v in data.items())


def _entries(r: _Reader, file: str, body: dict) -> list[tuple[str, dict, Location]]:
    out = []
    for key, entry in body.items():
        loc = Location(file, line_of(body, key))
        if not ID_PATTERN.match(str(key)):
            r.problem(loc, f"id '{key}' must be lower-case letters, digits, '-', '_' or '.'")
        if not isinstance(entry, dict):
            r.problem(loc, f"'{key}' must be a mapping")
            continue
        out.append((str(key), entry, loc))
    return out


def _check_unknown_keys(r: _Reader, loc: Location, entry: dict, allowed: set[str]) -> None:
    for key in entry:
        if key not in allowed:
            r.problem(Location(loc.file, line_of(entry, key, loc.line)), f"unknown key '{key}'")


def _add_unique(r: _Reader, table: dict, key: str, value: Any, loc: Location, what: str) -> None:
    if key in table:
        r.problem(loc, f"duplicate {what} id '{key}' (first defined at {table[key].location})")
        return
    table[key] = value


def _load_facts(r: _Reader, path: Path) -> dict[str, Fact]:
    file, body = r.section(path, "facts")
    facts: dict[str, Fact] = {}
    for fid, entry, loc in _entries(r, file, body):
        _check_unknown_keys(r, loc, entry, {"values", "help", "labels", "implies", "phrases", "same_where_it_works", "read_best_from"})
        raw = entry.get("values")
        if not isinstance(raw, list) or not raw:
            r.problem(loc, f"fact '{fid}' needs a non-empty 'values' list")
            raw = []
        values = tuple(as_text(v) for v in raw)
        if UNKNOWN in values:
            r.problem(loc, f"fact '{fid}': '{UNKNOWN}' is always accepted; do not list it")
        labels_raw = entry.get("labels") or {}
        labels = {as_text(k): as_text(v) for k, v in labels_raw.items()} if isinstance(labels_raw, dict) else {}
        for value in labels:
            if value not in values:
                r.problem(Location(file, line_of(labels_raw, value, loc.line)), f"label for unknown value '{value}'")
        implies: dict[str, tuple[tuple[str, str], ...]] = {}
        implies_raw = entry.get("implies") or {}
        if isinstance(implies_raw, dict):
            for value, settled in implies_raw.items():
                implies[as_text(value)] = _sets(r, Location(file, line_of(implies_raw, value, loc.line)), settled)
        else:
            r.problem(loc, "'implies' must map a value to fact: value pairs")
        phrases = _fact_phrases(r, Location(file, line_of(entry, "phrases", loc.line)), entry.get("phrases"), values)
        same = entry.get("same_where_it_works", False)
        if not isinstance(same, bool):
            r.problem(Location(file, line_of(entry, "same_where_it_works", loc.line)), "'same_where_it_works' must be true or false")
            same = False
        best = entry.get("read_best_from")
        if best is not None and best != "bundle":
            r.problem(Location(file, line_of(entry, "read_best_from", loc.line)), "'read_best_from' may only be 'bundle'")
            best = None
        fact = Fact(fid, values, _text(r, loc, entry, "help"), loc, labels, implies, phrases, same, best)
        _add_unique(r, facts, fid, fact, loc, "fact")
    return facts


def _fact_phrases(r: _Reader, loc: Location, data: Any, values: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """`phrases:` maps a value to the ways developers write it: {macos: [macOS, on my Mac]}."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        r.problem(loc, "'phrases' must map a value to a list of phrases")
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for value, phrases in data.items():
        vloc = Location(loc.file, line_of(data, value, loc.line))
        value = as_text(value)
        if value not in values:
            r.problem(vloc, f"phrases for unknown value '{value}'")
            continue
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
            r.problem(vloc, f"phrases for '{value}' must be a list of text")
            continue
        out[value] = tuple(p.strip() for p in phrases)
    return out


def _load_questions(r: _Reader, path: Path, facts: dict[str, Fact]) -> dict[str, Question]:
    file, body = r.section(path, "questions")
    questions: dict[str, Question] = {}
    for qid, entry, loc in _entries(r, file, body):
        _check_unknown_keys(
            r, loc, entry, {"fact", "text", "help", "ask_if", "choices", "priority", "cost", "check", "probes", "per_platform"}
        )
        fact_id = _text(r, loc, entry, "fact", required=False) or qid
        fact = facts.get(fact_id)
        raw_choices = entry.get("choices")
        choices: list[Choice] = []
        if isinstance(raw_choices, dict):
            for value, label in raw_choices.items():
                choices.append(Choice(as_text(value), as_text(label)))
        elif raw_choices is None and fact is not None:
            choices = [Choice(v, fact.labels.get(v, v)) for v in fact.values]
        else:
            r.problem(loc, "'choices' must be a mapping of value: label")
        ask_if = _condition(r, file, entry.get("ask_if"), line_of(entry, "ask_if", loc.line))
        q = Question(
            id=qid,
            fact=fact_id,
            text=_text(r, loc, entry, "text"),
            help=_text(r, loc, entry, "help", required=False),
            choices=tuple(choices),
            ask_if=ask_if,
            location=loc,
            priority=_number(r, loc, entry, "priority", 1.0),
            cost=_question_cost(r, loc, entry),
            check=_text(r, loc, entry, "check", required=False),
            probes=_id_list(r, loc, entry, "probes"),
            per_platform=_per_platform(r, file, entry, loc, facts),
        )
        _add_unique(r, questions, qid, q, loc, "question")
    return questions


def _per_platform(
    r: _Reader, file: str, entry: dict, loc: Location, facts: dict[str, Fact]
) -> tuple[tuple[str, tuple[str, str, str]], ...]:
    raw = entry.get("per_platform")
    if raw is None:
        return ()
    ploc = Location(file, line_of(entry, "per_platform", loc.line))
    if not isinstance(raw, dict):
        r.problem(ploc, "'per_platform' must map a platform to {text, help, check}")
        return ()
    platforms = facts["platform"].values if "platform" in facts else ()
    out: list[tuple[str, tuple[str, str, str]]] = []
    for platform, wording in raw.items():
        name = as_text(platform)
        wloc = Location(file, line_of(raw, platform, ploc.line))
        if name not in platforms:
            r.problem(wloc, f"unknown platform '{name}' in 'per_platform'")
            continue
        if not isinstance(wording, dict):
            r.problem(wloc, f"'per_platform' {name} must be a mapping of text, help, check")
            continue
        _check_unknown_keys(r, wloc, wording, {"text", "help", "check"})
        text, help_text, check = (_text(r, wloc, wording, k, required=False) for k in ("text", "help", "check"))
        out.append((name, (text, help_text, check)))
    return tuple(out)


def _question_cost(r: _Reader, loc: Location, entry: dict) -> str:
    cost = _text(r, loc, entry, "cost", required=False) or "memory"
    if cost not in QUESTION_COSTS:
        r.problem(Location(loc.file, line_of(entry, "cost", loc.line)), f"cost must be one of {', '.join(QUESTION_COSTS)}, not '{cost}'")
        return "memory"
    return cost


def _id_list(r: _Reader, loc: Location, entry: dict, key: str) -> tuple[str, ...]:
    raw = entry.get(key)
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        r.problem(Location(loc.file, line_of(entry, key, loc.line)), f"'{key}' must be a list of ids")
        return ()
    return tuple(raw)


def _load_supports(r: _Reader, file: str, entry: dict, key: str, loc: Location) -> tuple[Support, ...]:
    raw = entry.get(key)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        r.problem(Location(file, line_of(entry, key, loc.line)), f"'{key}' must be a list of {{when, weight, note}}")
        return ()
    out = []
    for i, item in enumerate(raw):
        iloc = Location(file, line_of(raw, i, loc.line))
        if not isinstance(item, dict) or "when" not in item:
            r.problem(iloc, f"each '{key}' entry needs 'when:'")
            continue
        _check_unknown_keys(r, iloc, item, {"when", "weight", "note"})
        cond = _condition(r, file, item["when"], line_of(item, "when", iloc.line))
        if cond is None:
            continue
        out.append(Support(cond, _number(r, iloc, item, "weight", 1.0), _text(r, iloc, item, "note", required=False)))
    return tuple(out)


def _load_diagnoses(r: _Reader, path: Path, table: dict[str, Diagnosis]) -> None:
    file, body = r.section(path, "diagnoses")
    allowed = {
        "title", "category", "summary", "explanation", "requires", "supports", "rules_out",
        "confirmed_when", "fix", "references", "prior", "advice", "unconfirmed",
    }
    for did, entry, loc in _entries(r, file, body):
        _check_unknown_keys(r, loc, entry, allowed)
        fix_raw = entry.get("fix")
        fix = tuple(as_text(s).strip() for s in fix_raw) if isinstance(fix_raw, list) else ()
        if fix_raw is not None and not isinstance(fix_raw, list):
            r.problem(Location(file, line_of(entry, "fix", loc.line)), "'fix' must be a list of steps")
        refs: list[Reference] = []
        refs_raw = entry.get("references")
        if isinstance(refs_raw, list):
            for i, ref in enumerate(refs_raw):
                rloc = Location(file, line_of(refs_raw, i, loc.line))
                if not isinstance(ref, dict) or not ref.get("title") or not ref.get("url"):
                    r.problem(rloc, "a reference needs 'title' and 'url'")
                    continue
                url = as_text(ref["url"])
                if not url.startswith("https://"):
                    r.problem(rloc, f"reference url must start with https://: {url}")
                refs.append(Reference(as_text(ref["title"]), url))
        elif refs_raw is not None:
            r.problem(Location(file, line_of(entry, "references", loc.line)), "'references' must be a list")
        confirmed: list[Condition] = []
        conf_raw = entry.get("confirmed_when")
        if isinstance(conf_raw, list):
            for i, c in enumerate(conf_raw):
                cond = _condition(r, file, c, line_of(conf_raw, i, loc.line))
                if cond is not None:
                    confirmed.append(cond)
        elif conf_raw is not None:
            r.problem(Location(file, line_of(entry, "confirmed_when", loc.line)), "'confirmed_when' must be a list of conditions")
        advice = entry.get("advice", False)
        if not isinstance(advice, bool):
            r.problem(Location(file, line_of(entry, "advice", loc.line)), "'advice' must be true or false")
            advice = False
        diag = Diagnosis(
            id=did,
            title=_text(r, loc, entry, "title"),
            category=_text(r, loc, entry, "category", required=False) or path.stem,
            summary=_text(r, loc, entry, "summary"),
            explanation=_text(r, loc, entry, "explanation"),
            requires=_condition(r, file, entry.get("requires"), line_of(entry, "requires", loc.line)),
            supports=_load_supports(r, file, entry, "supports", loc),
            rules_out=_load_supports(r, file, entry, "rules_out", loc),
            confirmed_when=tuple(confirmed),
            fix=fix,
            references=tuple(refs),
            prior=_number(r, loc, entry, "prior", 1.0),
            location=loc,
            advice=advice,
            unconfirmed=_text(r, loc, entry, "unconfirmed", required=False),
        )
        _add_unique(r, table, did, diag, loc, "diagnosis")


def _load_symptoms(r: _Reader, path: Path, out: dict[str, Symptom]) -> None:
    file, body = r.section(path, "symptoms")
    for sid, entry, loc in _entries(r, file, body):
        _check_unknown_keys(r, loc, entry, {"phrases", "points_to", "sets"})
        phrases = entry.get("phrases")
        if not isinstance(phrases, list) or not phrases:
            r.problem(loc, f"symptom '{sid}' needs a non-empty 'phrases' list")
            phrases = []
        sym = Symptom(
            id=sid,
            phrases=tuple(as_text(p) for p in phrases),
            points_to=_weighted_ids(r, loc, entry.get("points_to"), "points_to"),
            sets=_sets(r, loc, entry.get("sets")),
            location=loc,
        )
        _add_unique(r, out, sid, sym, loc, "symptom")


def _load_probes(r: _Reader, path: Path) -> dict[str, Probe]:
    file, body = r.section(path, "probes")
    out: dict[str, Probe] = {}
    for pid, entry, loc in _entries(r, file, body):
        _check_unknown_keys(r, loc, entry, {"tool", "argv", "parser", "settles", "why", "timeout", "mutates", "platforms"})
        argv_raw = entry.get("argv")
        if not isinstance(argv_raw, list) or not argv_raw:
            r.problem(loc, f"probe '{pid}' needs a non-empty 'argv' list")
            argv_raw = []
        argv = tuple(as_text(a) for a in argv_raw)
        needs = tuple(sorted({m for a in argv for m in PLACEHOLDER.findall(a)}))
        settles_raw = entry.get("settles") or []
        settles = tuple(as_text(s) for s in settles_raw) if isinstance(settles_raw, list) else ()
        platforms_raw = entry.get("platforms") or []
        platforms = tuple(as_text(p) for p in platforms_raw) if isinstance(platforms_raw, list) else ()
        for bad in sorted(set(platforms) - {"macos", "ios"}):
            r.problem(loc, f"probe '{pid}': platform '{bad}' must be macos or ios")
        mutates = entry.get("mutates", False)
        if mutates:
            r.problem(loc, f"probe '{pid}' is marked as changing the system; probes must be read-only")
        probe = Probe(
            id=pid,
            tool=_text(r, loc, entry, "tool", required=False) or (argv[0] if argv else ""),
            argv=argv,
            parser=_text(r, loc, entry, "parser", required=False) or pid.replace("-", "_"),
            settles=settles,
            why=_text(r, loc, entry, "why"),
            timeout=_number(r, loc, entry, "timeout", 10.0),
            location=loc,
            needs=needs,
            mutates=bool(mutates),
            platforms=platforms,
        )
        _add_unique(r, out, pid, probe, loc, "probe")
    return out


def _load_signatures(r: _Reader, path: Path, table: dict[str, Signature]) -> None:
    file, body = r.section(path, "signatures")
    allowed = {
        "text", "kind", "meaning", "process", "points_to", "sets", "patterns", "source", "min_score", "unconfirmed", "proves",
    }
    for sid, entry, loc in _entries(r, file, body):
        _check_unknown_keys(r, loc, entry, allowed)
        kind = _text(r, loc, entry, "kind")
        if kind and kind not in SIGNATURE_KINDS:
            r.problem(loc, f"signature kind must be one of {', '.join(SIGNATURE_KINDS)}, not '{kind}'")
        patterns_raw = entry.get("patterns") or []
        patterns = tuple(as_text(p) for p in patterns_raw) if isinstance(patterns_raw, list) else ()
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                r.problem(loc, f"pattern {p!r} is not a valid regular expression: {exc}")
        sig = Signature(
            id=sid,
            text=_text(r, loc, entry, "text"),
            kind=kind,
            meaning=_text(r, loc, entry, "meaning"),
            process=_text(r, loc, entry, "process", required=False),
            points_to=_weighted_ids(r, loc, entry.get("points_to"), "points_to"),
            sets=_sets(r, loc, entry.get("sets")),
            patterns=patterns,
            source=_text(r, loc, entry, "source", required=False),
            location=loc,
            min_score=_number(r, loc, entry, "min_score", 0.0),
            unconfirmed=_text(r, loc, entry, "unconfirmed", required=False),
            proves=_ids(r, Location(file, line_of(entry, "proves", loc.line)), entry.get("proves"), "proves"),
        )
        _add_unique(r, table, sid, sig, loc, "signature")


def _applies_to(r: _Reader, loc: Location, data: Any, provider_types: tuple[str, ...]) -> AppliesTo | None:
    """`applies_to: {channels: [...], provider_types: [...], packaging: [...], signed_by: [...]}`."""
    if data is None:
        return None
    if not isinstance(data, dict):
        r.problem(loc, "'applies_to' must be a mapping (channels, provider_types, packaging, signed_by)")
        return None
    allowed = {"channels": CHANNELS, "provider_types": provider_types, "packaging": PACKAGINGS, "signed_by": SIGNERS}
    _check_unknown_keys(r, loc, data, set(allowed))
    found: dict[str, frozenset[str]] = {}
    for key, known in allowed.items():
        raw = data.get(key)
        if raw is None:
            continue
        where = Location(loc.file, line_of(data, key, loc.line))
        if not isinstance(raw, list) or not raw:
            r.problem(where, f"applies_to '{key}' must be a non-empty list")
            continue
        values = frozenset(as_text(v) for v in raw)
        for value in sorted(values - set(known)):
            r.problem(where, f"applies_to '{key}': unknown value '{value}' (expected one of {', '.join(known)})")
        found[key] = values
    return AppliesTo(**found)


def _load_bundle_rules(r: _Reader, path: Path, facts: dict[str, Fact]) -> dict[str, BundleRule]:
    file, body = r.section(path, "bundle_rules")
    out: dict[str, BundleRule] = {}
    provider_fact = facts.get("provider_type")
    provider_types = provider_fact.values if provider_fact else ()
    for bid, entry, loc in _entries(r, file, body):
        _check_unknown_keys(r, loc, entry, {"diagnosis", "severity", "message", "applies_to"})
        severity = _text(r, loc, entry, "severity")
        if severity and severity not in SEVERITIES:
            r.problem(loc, f"severity must be one of {', '.join(SEVERITIES)}")
        applies = _applies_to(r, Location(file, line_of(entry, "applies_to", loc.line)), entry.get("applies_to"), provider_types)
        rule = BundleRule(bid, _text(r, loc, entry, "diagnosis"), severity, _text(r, loc, entry, "message"), loc, applies)
        _add_unique(r, out, bid, rule, loc, "bundle rule")
    return out


def _load_vocabulary(r: _Reader, path: Path) -> dict[str, str]:
    """Optional: groups of interchangeable words, `canonical: [variant, ...]`."""
    if not path.exists():
        return {}
    file, body = r.section(path, "vocabulary")
    out: dict[str, str] = {}
    for canonical, variants in body.items():
        loc = Location(file, line_of(body, canonical))
        if not isinstance(variants, list) or not all(isinstance(v, str) and v.strip() for v in variants):
            r.problem(loc, f"vocabulary '{canonical}' must list words")
            continue
        for word in [canonical, *variants]:
            key = word.strip().lower()
            if key in out and out[key] != canonical:
                r.problem(loc, f"word '{key}' is already in the group of '{out[key]}'")
            out[key] = str(canonical).lower()
    return out


def _files(r: _Reader, folder: Path) -> list[Path]:
    if not folder.is_dir():
        r.problems.append(f"{r.rel(folder)}: missing folder")
        return []
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())


@contextmanager
def gc_paused() -> Iterator[None]:
    """Bulk loading allocates hundreds of thousands of objects and none are garbage; the cyclic
    collector would otherwise rescan them again and again (3x the load time on large bases).
    On the way out, what survived moves straight to the oldest generation (freeze, then unfreeze:
    no scan), so the first collections after a load do not walk the whole model either; any
    garbage among it is still collected by the next full collection."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def load_knowledge(root: Path | None = None, strict: bool = True) -> KnowledgeBase:
    """Read every YAML file under `root`. With `strict`, any problem raises KnowledgeError.

    The parsed model is cached by the exact content of every file (see `compiled_cache`), so
    an unchanged knowledge base is not parsed again; any edit makes a new key.
    """
    from advisor.knowledge import compiled_cache

    root = Path(root) if root is not None else default_root()
    with gc_paused():
        key = compiled_cache.content_key(root)
        kb = compiled_cache.read(key) if key else None
        if kb is None or kb.problems:  # problems name files under the root that was read: read again
            fast = _yaml_bytes(root) >= FAST_READ_BYTES
            try:
                kb = _load_knowledge(root, strict=False, fast=fast)
            except _Unlocated:
                kb = None
            if kb is None or (fast and kb.problems):  # every message needs its exact line: read it all again
                kb = _load_knowledge(root, strict=False)
            if key and not kb.problems:  # a broken base is being edited: nothing worth keeping
                compiled_cache.write(key, kb)
        kb.root = str(root)
        kb.content_key = key or ""
    if strict and kb.problems:
        raise KnowledgeError(kb.problems)
    return kb


# The fast reader (rapidyaml) pays off on large bases: below a megabyte of YAML, setting it up for
# each file costs about what it saves (the shipped base, 0.4 MB of mostly prose, reads quicker
# located). A base of 10,000 questions is 3.6 MB.
FAST_READ_BYTES = 1 << 20


def _yaml_bytes(root: Path) -> int:
    try:
        return sum(path.stat().st_size for path in root.rglob("*.yaml"))
    except OSError:
        return 0  # the loader reports what it cannot read


def _load_knowledge(root: Path | None, strict: bool, fast: bool = False) -> KnowledgeBase:
    root = Path(root) if root is not None else default_root()
    if not root.is_dir():
        raise KnowledgeError([f"{root}: knowledge folder not found"])
    r = _Reader(root, fast=fast)
    _meta_file, meta = r.section(root / "meta.yaml", "knowledge")
    version = as_text(meta.get("version", "0")) if meta else "0"
    facts = _load_facts(r, root / "facts.yaml")
    questions = _load_questions(r, root / "questions.yaml", facts)
    diagnoses: dict[str, Diagnosis] = {}
    for path in _files(r, root / "diagnoses"):
        _load_diagnoses(r, path, diagnoses)
    signatures: dict[str, Signature] = {}
    for path in _files(r, root / "signatures"):
        _load_signatures(r, path, signatures)
    symptoms: dict[str, Symptom] = {}
    for path in _files(r, root / "symptoms"):
        _load_symptoms(r, path, symptoms)
    kb = KnowledgeBase(
        version=version,
        facts=facts,
        questions=questions,
        diagnoses=diagnoses,
        symptoms=symptoms,
        probes=_load_probes(r, root / "probes.yaml"),
        signatures=signatures,
        bundle_rules=_load_bundle_rules(r, root / "bundle-rules.yaml", facts),
        root=str(root),
        vocabulary=_load_vocabulary(r, root / "vocabulary.yaml"),
    )
    r.problems.extend(reference_problems(kb))
    kb.problems = r.problems
    if strict and r.problems:
        raise KnowledgeError(r.problems)
    return kb


def reference_problems(kb: KnowledgeBase) -> list[str]:
    """Every fact, value and diagnosis id named anywhere must exist."""
    problems: list[str] = []
    # Values each fact accepts: a set test settles the usual case; messages come from
    # _fact_value_problems, in the same order, for the rest.
    accepted = {fid: frozenset((*f.values, UNKNOWN)) for fid, f in kb.facts.items()}

    def check_condition(cond: Condition | None, where: Location) -> None:
        if cond is None:
            return
        for fact, values in cond.items():
            known = accepted.get(fact)
            if known is None or not values <= known:
                problems.extend(_fact_value_problems(kb, fact, values, cond.location or where))

    def check_diag(did: str, loc: Location) -> None:
        if did not in kb.diagnoses:
            problems.append(f"{loc}: unknown diagnosis '{did}'")

    for f in kb.facts.values():
        for value, settled in f.implies.items():
            problems.extend(_fact_value_problems(kb, f.id, {value}, f.location))
            for other, other_value in settled:
                problems.extend(_fact_value_problems(kb, other, {other_value}, f.location))
    for q in kb.questions.values():
        if q.fact not in kb.facts:
            problems.append(f"{q.location}: question '{q.id}' asks for unknown fact '{q.fact}'")
        elif not accepted[q.fact].issuperset(c.value for c in q.choices):
            problems.extend(_fact_value_problems(kb, q.fact, {c.value for c in q.choices}, q.location))
        check_condition(q.ask_if, q.location)
        for pid in q.probes:
            probe = kb.probes.get(pid)
            if probe is None:
                problems.append(f"{q.location}: question '{q.id}' names unknown probe '{pid}'")
            elif q.fact not in probe.settles:
                problems.append(f"{q.location}: probe '{pid}' does not settle '{q.fact}', the fact question '{q.id}' asks for")
    for d in kb.diagnoses.values():
        check_condition(d.requires, d.location)
        for rule in (*d.supports, *d.rules_out):
            check_condition(rule.condition, d.location)
        for confirming in d.confirmed_when:
            check_condition(confirming, d.location)
    for symptom in kb.symptoms.values():
        for did, _ in symptom.points_to:
            check_diag(did, symptom.location)
        for fact, value in symptom.sets:
            problems.extend(_fact_value_problems(kb, fact, {value}, symptom.location))
    for g in kb.signatures.values():
        for did, _ in g.points_to:
            check_diag(did, g.location)
        problems.extend(_proof_problems(kb, g))
        for fact, value in g.sets:
            problems.extend(_fact_value_problems(kb, fact, {value}, g.location))
    for p in kb.probes.values():
        for fact in p.settles:
            if fact not in kb.facts:
                problems.append(f"{p.location}: probe '{p.id}' settles unknown fact '{fact}'")
    for b in kb.bundle_rules.values():
        check_diag(b.diagnosis, b.location)
    return problems


def _proof_problems(kb: KnowledgeBase, g: Signature) -> list[str]:
    """A signature that proves a diagnosis is a cause that points at it: proof is the strongest
    claim a message can make, so it must be consistent with everything else said about it."""
    problems = []
    pointed = {did for did, _ in g.points_to}
    for did in g.proves:
        if did not in kb.diagnoses:
            problems.append(f"{g.location}: signature '{g.id}' proves unknown diagnosis '{did}'")
        elif did not in pointed:
            problems.append(f"{g.location}: signature '{g.id}' proves '{did}' but does not point to it")
    if g.proves and g.kind != "cause":
        problems.append(f"{g.location}: signature '{g.id}' proves a diagnosis, so its kind must be 'cause'")
    return problems


def _fact_value_problems(kb: KnowledgeBase, fact: str, values: set[str] | frozenset[str], loc: Location) -> list[str]:
    known = kb.facts.get(fact)
    if known is None:
        return [f"{loc}: unknown fact '{fact}'"]
    return [
        f"{loc}: unknown value '{v}' for fact '{fact}' (expected one of {', '.join(known.values)})"
        for v in sorted(values)
        if v not in known.values and v != UNKNOWN
    ]



def knowledge_version(root: Path | None = None) -> str:
    """The knowledge base version from meta.yaml, without loading everything."""
    root = Path(root) if root is not None else default_root()
    data = read_yaml(root / "meta.yaml", "meta.yaml")
    return as_text(data["knowledge"]["version"])
