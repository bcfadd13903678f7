"""The transcript file format (documented in transcripts/README.md): read, validate, write.

A transcript holds the evidence of one session (description, answers, log, bundle
inspection, probe runs with their full output) and the diagnoses it must reach.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from advisor.exit_status import UserError
from advisor.knowledge.yaml_source import YamlError, as_text, line_of, read_yaml

FORMAT_KEY = "advisor_transcript"
FORMAT_VERSION = 1
TOP_KEYS = {
    FORMAT_KEY, "id", "title", "source", "recorded", "describe", "answers", "log", "bundle", "probes",
    "expected", "result", "notes", "probe_context", "observations",
}


class TranscriptError(UserError):
    """A transcript that cannot be used, as one line naming the file."""


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


def _list_of_text(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise TranscriptError(f"{where} must be a list of diagnosis ids")
    return [as_text(v) for v in value]


def load_transcript(path: str | Path) -> Transcript:
    path = Path(path)
    name = str(path)
    try:
        data = read_yaml(path, name)
    except YamlError as exc:
        raise TranscriptError(exc.message) from None
    if not isinstance(data, dict) or FORMAT_KEY not in data:
        raise TranscriptError(f"{name}: not an advisor transcript (no '{FORMAT_KEY}:' key)")
    version = data[FORMAT_KEY]
    if not isinstance(version, int) or isinstance(version, bool):
        raise TranscriptError(f"{name}:{line_of(data, FORMAT_KEY)}: '{FORMAT_KEY}' must be a whole number")
    if version > FORMAT_VERSION:
        raise TranscriptError(
            f"{name}: transcript format {version} is newer than this advisor understands ({FORMAT_VERSION}); upgrade advisor"
        )
    for key in data:
        if key not in TOP_KEYS:
            raise TranscriptError(f"{name}:{line_of(data, key)}: unknown key '{key}'")
    answers_raw = data.get("answers") or {}
    if not isinstance(answers_raw, dict):
        raise TranscriptError(f"{name}:{line_of(data, 'answers')}: 'answers' must be a mapping of fact: value")
    probes: list[RecordedProbe] = []
    for i, p in enumerate(data.get("probes") or []):
        line = line_of(data["probes"], i)
        if not isinstance(p, dict) or "id" not in p or "argv" not in p:
            raise TranscriptError(f"{name}:{line}: each probe needs 'id' and 'argv'")
        exit_code = p.get("exit_code")
        if exit_code is not None and (not isinstance(exit_code, int) or isinstance(exit_code, bool)):
            raise TranscriptError(f"{name}:{line}: probe exit_code must be a number or null")
        probes.append(
            RecordedProbe(
                id=as_text(p["id"]),
                argv=[as_text(a) for a in p["argv"]],
                exit_code=exit_code,
                duration_ms=int(p.get("duration_ms") or 0),
                stdout=as_text(p.get("stdout")),
                stderr=as_text(p.get("stderr")),
                timed_out=bool(p.get("timed_out", False)),
                error=as_text(p["error"]) if p.get("error") else None,
            )
        )
    expected = None
    if data.get("expected") is not None:
        e = data["expected"]
        if not isinstance(e, dict):
            raise TranscriptError(f"{name}:{line_of(data, 'expected')}: 'expected' must be a mapping")
        expected = Expectation(
            first=as_text(e["first"]) if e.get("first") else None,
            also_acceptable=_list_of_text(e.get("also_acceptable"), f"{name}: expected.also_acceptable"),
            include=_list_of_text(e.get("include"), f"{name}: expected.include"),
            exclude=_list_of_text(e.get("exclude"), f"{name}: expected.exclude"),
        )
    bundle = data.get("bundle")
    if bundle is not None and not isinstance(bundle, dict):
        raise TranscriptError(f"{name}:{line_of(data, 'bundle')}: 'bundle' must be a mapping")
    observations = []
    for i, o in enumerate(data.get("observations") or []):
        line = line_of(data["observations"], i)
        if not isinstance(o, dict) or "fact" not in o or "value" not in o:
            raise TranscriptError(f"{name}:{line}: each observation needs 'fact' and 'value'")
        source = as_text(o.get("source", "probe"))
        if source not in ("answer", "probe", "bundle", "log", "describe"):
            raise TranscriptError(f"{name}:{line}: unknown observation source '{source}'")
        observations.append({k: as_text(v) for k, v in o.items()})
    probe_context = data.get("probe_context")
    if probe_context is not None and not isinstance(probe_context, dict):
        raise TranscriptError(f"{name}:{line_of(data, 'probe_context')}: 'probe_context' must be a mapping")
    return Transcript(
        id=as_text(data.get("id") or path.stem),
        title=as_text(data.get("title")),
        source=as_text(data.get("source")),
        recorded=as_text(data.get("recorded")),
        describe=as_text(data.get("describe")),
        answers={as_text(k): as_text(v) for k, v in answers_raw.items()},
        log=as_text(data.get("log")),
        bundle=_plain(bundle) if bundle is not None else None,
        probes=probes,
        probe_context=_plain(probe_context) if probe_context is not None else None,
        observations=observations,
        expected=expected,
        result=_plain(data.get("result")) if data.get("result") is not None else None,
        notes=as_text(data.get("notes")),
        path=name,
    )


def _plain(value: Any) -> Any:
    """Located containers back to plain dicts/lists (for re-serialising)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _LiteralDumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks, so probe outputs and logs stay readable."""

    def ignore_aliases(self, data: Any) -> bool:  # transcripts never use aliases
        return True

    def analyze_scalar(self, scalar: str) -> Any:
        # PyYAML refuses block style for text with tabs, but tool output (pluginkit, sw_vers,
        # systemextensionsctl) is full of them, and tabs are valid inside a literal block.
        analysis = super().analyze_scalar(scalar)
        if "\n" in scalar and "\t" in scalar and not any(line[:1] in (" ", "\t") and not line.strip() for line in scalar.splitlines()):
            analysis.allow_block = True
        return analysis


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_LiteralDumper.add_representer(str, _str_representer)


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
    return yaml.dump(transcript_to_data(t), Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True, width=100)


def write_atomically(path: str | Path, text: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror or exc}") from None


def save_transcript(t: Transcript, path: str | Path) -> None:
    write_atomically(path, dump_transcript(t))


def write_keeping_on_failure(path: str | Path, text: str, what: str = "report") -> None:
    """Write `text`; when `path` cannot be written, keep the text in the temp folder so the
    session's work is not lost, and say where in the one-line error."""
    try:
        write_atomically(path, text)
    except UserError as exc:
        try:
            fd, kept = tempfile.mkstemp(prefix=f"advisor-{what}-", suffix=Path(path).suffix or ".txt")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError:
            raise exc from None
        raise UserError(f"{exc.message} (the {what} was kept in {kept})") from None
