"""Plain substring exclusion check for candidate story URLs.

Usage: ``python bench/unseen4/exclusion_check.py URL...``; prints ``HIT`` (with where) or ``ok``.
Each URL's key (``owner/repo/issues/N``, ``owner/repo/pull/N``, ``questions/N``, ``thread/N``
and the bare number when it has four digits or more) is searched with Python ``in`` over every
file of the worktree (the new stories excluded) and the shared cases, seed and domain notes.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOTS = ["/work/wt/unseen4", "/work/shared/cases", "/work/shared/seed", "/work/shared/docs/ne-knowledge.md"]
SKIP_DIRS = {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def corpus() -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for root in ROOTS:
        paths = [Path(root)] if os.path.isfile(root) else []
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
            paths += [Path(folder) / f for f in files]
        for path in paths:
            if "bench/unseen4/stories" in str(path):
                continue
            try:
                texts.append((str(path), path.read_text(encoding="utf-8", errors="replace")))
            except OSError:
                continue
    return texts


def keys(url: str) -> list[str]:
    found: list[str] = []
    gh = re.search(r"github\.com/([^/]+/[^/]+/(?:issues|pull|discussions)/(\d+))", url)
    if gh:
        found.append(gh.group(1))
        if len(gh.group(2)) >= 4:
            found.append(gh.group(2))
    for pattern, prefix in ((r"questions/(\d+)", "questions/"), (r"thread/(\d+)", "thread/")):
        m = re.search(pattern, url)
        if m:
            found += [prefix + m.group(1), m.group(1)]
    return found or [url.split("://")[-1].rstrip("/")]


def main(urls: list[str]) -> int:
    texts = corpus()
    for url in urls:
        hits = [(k, p) for k in keys(url) for p, t in texts if k in t]
        print(("HIT " if hits else "ok  ") + url + (f"  {hits[:3]}" if hits else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
