"""Shared fixtures: the real knowledge base, and running `advisor` as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from advisor.knowledge.model import KnowledgeBase
from tests.tui.small_kb import write_small_kb

REPO = Path(__file__).resolve().parents[1]

# Property tests run the same examples every time (no example database), so the suite gives
# the same verdict on every machine; `--hypothesis-profile=explore` searches afresh.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session")
def kb():
    from advisor.knowledge.loader import load_knowledge

    return load_knowledge()


@pytest.fixture(scope="session")
def small_kb_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small_kb(tmp_path_factory.mktemp("kb") / "knowledge", probe_timeout=0.5)


@pytest.fixture(scope="session")
def small_kb(small_kb_root: Path) -> KnowledgeBase:
    from advisor.knowledge.loader import load_knowledge

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ADVISOR_NO_CACHE", "1")  # parse it: a cached model may predate today's code
        return load_knowledge(small_kb_root)


@pytest.fixture
def state_root(tmp_path: Path) -> Path:
    return tmp_path / "state" / "advisor"


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


def run_advisor(*args: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 60) -> Completed:
    """Run `python -m advisor ARGS` in a fresh process, as a user would."""
    full_env = dict(os.environ)
    full_env.pop("ADVISOR_DEBUG", None)
    if env:
        full_env.update(env)
    proc = subprocess.run(
        [sys.executable, "-m", "advisor", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=str(REPO),
        timeout=timeout,
    )
    return Completed(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def advisor_cli():
    return run_advisor
