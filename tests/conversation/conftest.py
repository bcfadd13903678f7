"""Fixtures for the conversation tests (and the TUI's, which import them): an isolated machine.

Every test runs with PATH pointing at an empty fake-Mac folder (no real tool can answer), the
state directory and the current folder in tmp, so nothing leaks between tests or to the host.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fake_mac import FakeMac, Reply, Scenario, always

SIP_DISABLED = "System Integrity Protection status: disabled.\n"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No real tools, no real state folder, reports land in tmp."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fake_csrutil(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reply: Reply) -> FakeMac:
    mac = FakeMac(tmp_path / "mac", Scenario({"csrutil": always(reply)}))
    mac.activate(monkeypatch)
    return mac
