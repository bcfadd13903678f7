"""The transcript file format (documented in transcripts/README.md): read, validate, write.

A transcript holds the evidence of one session (description, answers, log, bundle
inspection, probe runs with their output) and the diagnoses it must reach. Reading validates
every key's shape (advisor.transcripts.schema); writing produces YAML that reads back exactly,
whatever the text (advisor.transcripts.yaml_text).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.exit_status import UserError
from advisor.knowledge.yaml_source import YamlError, read_yaml
from advisor.transcripts.schema import Fields, TranscriptError, plain
from advisor.transcripts.yaml_text import dump_exact

__all__ = ["TranscriptError"]  # defined in advisor.transcripts.schema; callers import it from here

FORMAT_KEY = "advisor_transcript"
FORMAT_VERSION = 1
TOP_KEYS = {
    FORMAT_KEY, "id", "title", "source", "recorded", "describe", "answers", "log", "bundle", "probes",
    "expected", "result", "notes", "probe_context", "observations",
}


@dataclass
class RecordedProbe:
    id: str
    argv: list[str]
    exit_code: int | None
    duration_ms: int
    stdout: str
    stderr: str
    timed_out: bool = False
    error: str | None = None
    truncated: bool = False  # the tool printed more than was kept (by the runner, or when recorded)


@dataclass
class Expectation:
    first: str | None = None
    also_acceptable: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


@dataclass
class Transcript:
    id: str
    title: str = ""
    source: str = ""
    recorded: str = ""
    describe: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    log: str = ""
    bundle: dict[str, Any] | None = None
    probes: list[RecordedProbe] = field(default_factory=list)
    probe_context: dict[str, Any] | None = None  # what the probes looked at (app, bundle ids...)
    observations: list[dict[str, str]] = field(default_factory=list)  # facts seen without a command
    expected: Expectation | None = None
    result: dict[str, Any] | None = None
    notes: str = ""
    path: str = ""


# A transcript is read whole, so its size is capped; what advisor writes stays well below it
# (probe outputs and logs are cut when recorded: advisor.conversation.recording).
MAX_TRANSCRIPT_BYTES = 64 << 20
PROBE_KEYS = ("id", "argv", "exit_code", "duration_ms", "timed_out", "stdout", "stderr", "error", "truncated")
EXPECTED_KEYS = ("first", "also_acceptable", "include", "exclude")
OBSERVATION_SOURCES = ("answer", "probe", "bundle", "log", "describe")


def load_transcript(path: str | Path) -> Transcript:
    """Read and validate a transcript: TranscriptError (one line naming the file, the line and
    the key; exit 2) for anything that is not one, whatever its shape."""
    path = Path(path)
    name = str(path)
    try:
        data = read_yaml(path, name, max_bytes=MAX_TRANSCRIPT_BYTES, what="a transcript")
    except YamlError as exc:
        raise TranscriptError(exc.message) from None
    if not isinstance(data, dict) or FORMAT_KEY not in data:
        raise TranscriptError(f"{name}: not an advisor transcript (no '{FORMAT_KEY}:' key)")
    top = Fields(data, name, "")
    version = data[FORMAT_KEY]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise top.error(FORMAT_KEY, "must be a whole number, 1 or more (the format version)")
    if version > FORMAT_VERSION:
        raise TranscriptError(
            f"{name}: transcript format {version} is newer than this advisor understands ({FORMAT_VERSION}); upgrade advisor"
        )
    top.only(TOP_KEYS)
    return Transcript(
        id=top.text("id") or path.stem,
        title=top.text("title"),
        source=top.text("source"),
        recorded=top.text("recorded"),
        describe=top.text("describe"),
        answers=top.text_mapping("answers"),
        log=top.text("log"),
        bundle=_bundle(top.mapping("bundle")),
        probes=[_probe(p) for p in top.mappings("probes")],
        probe_context=_probe_context(top.mapping("probe_context")),
        observations=[_observation(o) for o in top.mappings("observations")],
        expected=_expected(top.mapping("expected")),
        result=_result(top.mapping("result")),
        notes=top.text("notes"),
        path=name,
    )


def _probe(p: Fields) -> RecordedProbe:
    p.needs(("id", "argv"), "probe")
    p.only(PROBE_KEYS)
    return RecordedProbe(
        id=p.required_text("id"),
        argv=p.text_list("argv", required=True),
        exit_code=p.whole_number("exit_code", nullable=True),
        duration_ms=p.whole_number("duration_ms", default=0, minimum=0) or 0,
        stdout=p.text("stdout"),
        stderr=p.text("stderr"),
        timed_out=p.flag("timed_out"),
        error=p.optional_text("error"),
        truncated=p.flag("truncated"),
    )


def _observation(o: Fields) -> dict[str, str]:
    o.needs(("fact", "value"), "observation")
    o.only(("fact", "value", "source", "detail", "origin"))
    source = o.text("source", "probe")
    if source not in OBSERVATION_SOURCES:
        raise TranscriptError(f"{o.file}:{o.line('source')}: unknown observation source '{source}' (one of {', '.join(OBSERVATION_SOURCES)})")
    record = {"fact": o.required_text("fact"), "value": o.required_text("value"), "source": source}
    for key in ("detail", "origin"):
        if key in o.data:
            record[key] = o.text(key)
    return record


def _bundle(b: Fields | None) -> dict[str, Any] | None:
    """A recorded inspection: what advisor reads of it (path, observations, findings) is checked
    and made text; the rest (what was read of the bundle) is kept as recorded."""
    if b is None:
        return None
    record: dict[str, Any] = plain(b.data)
    if "path" in b.data:
        record["path"] = b.text("path")
    if "observations" in b.data:
        observations = []
        for o in b.mappings("observations"):
            o.needs(("fact", "value"), "observation")
            entry = {"fact": o.required_text("fact"), "value": o.required_text("value")}
            entry |= {k: o.text(k) for k in ("detail", "origin") if k in o.data}
            observations.append(entry)
        record["observations"] = observations
    if "findings" in b.data:
        findings = []
        for f in b.mappings("findings"):
            entry = plain(f.data)
            entry["id"] = f.required_text("id")
            entry |= {k: f.text(k) for k in ("rule", "severity", "detail", "path", "key") if f.get(k) is not None}
            findings.append(entry)
        record["findings"] = findings
    return record


def _probe_context(c: Fields | None) -> dict[str, Any] | None:
    """The probes' subjects, checked field by field against ProbeContext's types (whose
    construction then checks the values: absolute paths, strict identifiers)."""
    if c is None:
        return None
    from advisor.probes import ProbeContext

    fields = {f.name: str(f.type).replace(" ", "") for f in dataclasses.fields(ProbeContext)}
    c.only(fields)
    context: dict[str, Any] = {}
    for key, kind in fields.items():
        if key not in c.data:
            continue
        if kind == "list[str]":
            context[key] = c.text_list(key)
        elif kind == "dict[str,str]":
            context[key] = c.text_mapping(key)
        elif kind == "str|None":
            context[key] = c.optional_text(key)
        elif c.get(key) is not None:
            context[key] = c.text(key)
    try:
        ProbeContext(**context)
    except UserError as exc:
        raise TranscriptError(f"{c.file}:{c.line()}: 'probe_context': {exc.message}") from None
    return context


def _expected(e: Fields | None) -> Expectation | None:
    if e is None:
        return None
    e.only(EXPECTED_KEYS)
    return Expectation(
        first=e.optional_text("first"),
        also_acceptable=e.text_list("also_acceptable"),
        include=e.text_list("include"),
        exclude=e.text_list("exclude"),
    )


def _result(r: Fields | None) -> dict[str, Any] | None:
    """What the session reached when saved; its `diagnoses` are read back (report, replay)."""
    if r is None:
        return None
    result: dict[str, Any] = plain(r.data)
    if "diagnoses" in r.data:
        diagnoses = []
        for d in r.mappings("diagnoses"):
            entry = plain(d.data)
            entry["id"] = d.required_text("id")
            if "status" in d.data:
                entry["status"] = d.text("status")
            if "score" in d.data:
                entry["score"] = d.number("score")
            diagnoses.append(entry)
        result["diagnoses"] = diagnoses
    return result


def transcript_to_data(t: Transcript) -> dict[str, Any]:
    data: dict[str, Any] = {FORMAT_KEY: FORMAT_VERSION, "id": t.id}
    for key in ("title", "source", "recorded", "describe"):
        if getattr(t, key):
            data[key] = getattr(t, key)
    if t.answers:
        data["answers"] = dict(t.answers)
    if t.log:
        data["log"] = t.log
    if t.bundle is not None:
        data["bundle"] = t.bundle
    if t.probe_context:
        data["probe_context"] = t.probe_context
    if t.observations:
        data["observations"] = t.observations
    if t.probes:
        data["probes"] = [
            {
                "id": p.id, "argv": p.argv, "exit_code": p.exit_code, "duration_ms": p.duration_ms,
                "timed_out": p.timed_out, "stdout": p.stdout, "stderr": p.stderr,
            }
            | ({"error": p.error} if p.error else {})
            | ({"truncated": True} if p.truncated else {})
            for p in t.probes
        ]
    if t.expected is not None:
        e = t.expected
        data["expected"] = {k: v for k, v in (
            ("first", e.first), ("also_acceptable", e.also_acceptable), ("include", e.include), ("exclude", e.exclude)
        ) if v}
    if t.result is not None:
        data["result"] = t.result
    if t.notes:
        data["notes"] = t.notes
    return data


def dump_transcript(t: Transcript) -> str:
    """The transcript as YAML that `load_transcript` reads back exactly (UserError when it would
    be larger than advisor reads: nothing is written then, rather than an unreadable file)."""
    text = dump_exact(transcript_to_data(t), t.path or t.id)
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(
            f"{t.id}: the transcript would be {size >> 20} MB, more than advisor reads back ({MAX_TRANSCRIPT_BYTES >> 20} MB); not written"
        )
    return text


def write_atomically(path: str | Path, text: str) -> None:
    """Write a saved session (readable by its owner only) through advisor.output_file: atomic
    for a regular file, locked against a concurrent writer, stale temp files cleaned."""
    from advisor.output_file import write_output

    write_output(path, text, "session", option="", private=True)


def save_transcript(t: Transcript, path: str | Path) -> None:
    write_atomically(path, dump_transcript(t))
