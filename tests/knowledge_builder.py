"""The one way tests write a knowledge base: a folder of YAML files from a mapping.

Each entry maps a path relative to the knowledge root to its content: YAML text (dedented, as
written in a test) or a Python mapping (dumped without anchors, which the knowledge format
refuses). The three test bases are presets on top of it: `tests.engine.tiny_kb` (hand-written
text for engine rules), `tests.tui.small_kb` (stable texts for the TUI snapshots) and
`tests.synthetic_kb` (generated bases of any size for scale tests and benchmarks).
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

REAL_KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
FOLDERS = ("diagnoses", "symptoms", "signatures")

KnowledgeFiles = Mapping[str, "str | Mapping[str, Any]"]


class _NoAliases(yaml.SafeDumper):
    """Knowledge YAML allows no anchors; a shared object would otherwise be written as one."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def yaml_text(content: str | Mapping[str, Any]) -> str:
    if isinstance(content, str):
        return textwrap.dedent(content).lstrip("\n")
    return yaml.dump(dict(content), Dumper=_NoAliases, sort_keys=False, allow_unicode=True)


def write_knowledge(root: Path, files: KnowledgeFiles) -> Path:
    """Write `files` under `root` (created, with the three item folders) and return `root`."""
    root.mkdir(parents=True, exist_ok=True)
    for folder in FOLDERS:
        (root / folder).mkdir(exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml_text(content), encoding="utf-8")
    return root


def copy_real_kb(dest: Path) -> Path:
    """A private copy of the real knowledge base, for tests that edit it."""
    shutil.copytree(REAL_KNOWLEDGE, dest)
    return dest
