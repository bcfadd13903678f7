"""Text layout a reader can copy from, and every confirmed cause with its own fix, in every format."""

from __future__ import annotations

import re

import pytest

from advisor.plain_text import fill, plural
from advisor.reports import render_report

LONG_STEP = (
    "Read the signed values of the sysex and the app: `codesign -d --entitlements - --xml "
    "MyApp.app/Contents/Library/SystemExtensions/com.example.vpn.tunnel.systemextension | plutil -p -` "
    "and check for `packet-tunnel-provider-systemextension` in the output of the command above."
)


def test_fill_never_splits_a_code_span_or_a_hyphenated_word() -> None:
    wrapped = fill(LONG_STEP, 60, "    1. ", "       ")
    for span in re.findall(r"`[^`]+`", LONG_STEP):
        assert span in wrapped, span
    assert all(line.count("`") % 2 == 0 for line in wrapped.splitlines())
    assert max(len(line) for line in wrapped.splitlines() if "`" not in line) <= 60


def test_plural() -> None:
    assert plural(1, "line") == "1 line"
    assert plural(2, "line") == "2 lines"
    assert plural(1200, "match", "matches") == "1,200 matches"


def _diagnosis(did: str, status: str, fix: str) -> dict:
    return {
        "id": did,
        "title": f"Title of {did}",
        "status": status,
        "score": 0.9 if status == "confirmed" else 0.4,
        "summary": "",
        "explanation": "Because.",
        "evidence": [],
        "fix": [fix],
        "references": [{"title": "TN3134", "url": "https://developer.apple.com/documentation/technotes/tn3134"}],
    }


RESULT = {
    "advisor_version": "t",
    "knowledge_version": "t",
    "diagnoses": [
        _diagnosis("profile-missing-device", "confirmed", "Add the Mac to the profile with `xcrun devicectl`"),
        _diagnosis("quarantined-development-build", "confirmed", "Remove the quarantine with `xattr -dr com.apple.quarantine MyApp.app`"),
        _diagnosis("stale-provider-registrations", "possible", "Unregister the stale copies with `pluginkit -r`"),
    ],
    "facts": {},
    "unanswered": [],
}


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_confirmed_cause_carries_its_full_fix(fmt: str) -> None:
    out = render_report(RESULT, fmt, redact=False)
    assert "xcrun devicectl" in out
    assert "xattr -dr com.apple.quarantine MyApp.app" in out
    # A cause that is only possible is listed, not expanded.
    assert "pluginkit -r" not in out
    assert "stale-provider-registrations" in out


def test_text_report_keeps_commands_on_one_line() -> None:
    result = dict(RESULT, diagnoses=[_diagnosis("developer-id-entitlement-suffix", "likely", LONG_STEP)])
    out = render_report(result, "text", redact=False)
    for span in re.findall(r"`[^`]+`", LONG_STEP):
        assert span in out
