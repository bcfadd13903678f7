"""Triage fixtures: the real catalog compiled once per test session."""

from __future__ import annotations

import pytest

from advisor.triage import LogTriage


@pytest.fixture(scope="session")
def triage(kb) -> LogTriage:
    return LogTriage(kb)
