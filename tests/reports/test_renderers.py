"""Markdown and HTML reports: what a forum reader sees, and that nothing in the input breaks out."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from advisor.cli.report_cmd import with_probe_outputs
from advisor.conversation.recording import investigation_from_transcript
from advisor.reports import render_report
from advisor.reports.html import render_html
from advisor.reports.markdown import render_markdown
from advisor.transcripts.format import load_transcript

REPO = Path(__file__).resolve().parents[2]
SEED_WITH_PROBES = REPO / "transcripts" / "seed-f-probes-testflight-wrapper.yaml"
HOSTILE = "```\n</details><script>alert(1)</script> *bold* [link](http://evil) <udid-9> | pipe"


@pytest.fixture(scope="module")
def seed_result(kb):
    inv = investigation_from_transcript(kb, load_transcript(SEED_WITH_PROBES))
    return with_probe_outputs(inv.result(), inv.probe_runs)


def _hostile_result() -> dict:
    return {
        "advisor_version": "1.0.0",
        "knowledge_version": "test",
        "diagnoses": [
            {
                "id": "sip-not-required",
                "title": "Title with <b>tags</b> and `code`",
                "status": "likely",
                "score": 0.7,
                "summary": "Summary *with* markup",
                "explanation": "First paragraph with `csrutil status` and <i>html</i>.\n\nSecond paragraph.",
                "evidence": [{"fact": "log", "value": "sig", "source": "log", "detail": HOSTILE}],
                "fix": ["Run `systemextensionsctl list`", HOSTILE],
                "references": [{"title": "Ref (1)", "url": "https://example.com/a_(b)"}, {"title": "bad", "url": "javascript:alert(1)"}],
            }
        ],
        "facts": {"sip": {"value": "enabled", "source": "probe", "detail": HOSTILE}},
        "probes": [{"argv": ["csrutil", "status"], "exit_code": 0, "duration_ms": 3, "facts": {}, "stdout": HOSTILE + "\n" * 3, "stderr": ""}],
        "log_matches": [{"line": 1, "text": HOSTILE, "signature": "x", "score": 90.0, "kind": "cause"}],
        "describe": {"text": HOSTILE},
        "unanswered": [],
    }


def test_markdown_is_forum_ready(seed_result):
    md = render_report(seed_result, "markdown")
    lines = md.splitlines()
    assert lines[0].startswith("# advisor report: ")
    summary = lines[2]
    assert summary.startswith("Most likely cause:") and "ios-app-bundle-id-conflict" in summary
    assert md.index("## Diagnosis:") < md.index("### Evidence") < md.index("### Fix") < md.index("### References")
    assert re.search(r"^1\. ", md, re.M) and re.search(r"^- \[.+\]\(https://developer\.apple\.com/", md, re.M)
    # Raw material is collapsible and fenced: each probe, the matched log lines, the facts.
    assert md.count("<details>") == md.count("</details>") >= len(seed_result["probes"]) + 2
    assert "<summary><code>pluginkit -m -A -D -vvv -p com.apple.networkextension.packet-tunnel</code>: exit 0" in md
    assert "/Applications/Tunnelr.app/Wrapper/Tunnelr.app/PlugIns/PacketTunnel.appex" in md
    assert re.search(r"^line \d+ \[cause\] .*Signature check failed", md, re.M)
    # Redacted by default: the Mac's UDID and the user's folder are pseudonyms in the fenced output.
    assert "00008112-001A2C3E0A91801E" not in md and "Provisioning UDID: <udid-1>" in md
    assert "/Users/jmorel/" not in md and "/Users/<user-1>/Library/Developer" in md
    assert "Personal identifiers" in lines[-1]


def test_markdown_without_redaction_keeps_identifiers(seed_result):
    md = render_report(seed_result, "markdown", redact=False)
    assert "Provisioning UDID: 00008112-001A2C3E0A91801E" in md and "Personal identifiers" not in md


def test_markdown_escapes_prose_and_fences_cannot_be_closed_by_content():
    md = render_markdown(_hostile_result())
    assert "<script>" not in md.replace("```", "")[: md.index("<details>")]  # prose: escaped
    assert "&lt;b&gt;tags&lt;/b&gt;" in md and "`code`" in md and "`csrutil status`" in md
    # Every fence around content containing ``` is longer than it, so the content stays inside.
    fences = re.findall(r"^(`{3,})text$", md, re.M)
    assert fences and all(len(f) >= 4 for f in fences)
    for fence in set(fences):
        opened = len(re.findall(rf"^{fence}text$", md, re.M))
        closed = len(re.findall(rf"^{fence}$", md, re.M))
        assert opened == closed
    assert "(https://example.com/a_%28b%29)" in md


def test_html_is_self_contained_escaped_and_balanced():
    page = render_html(_hostile_result())
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    # No external assets: nothing is fetched when the file is opened or printed.
    assert not re.search(r"\b(?:src|srcset)=|<link\b|@import|url\(", page)
    assert "@media print" in page and "beforeprint" in page
    assert "<code>csrutil status</code>" in page

    class Balance(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag not in ("meta", "br"):
                self.stack.append(tag)

        def handle_endtag(self, tag):
            assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
            self.stack.pop()

    checker = Balance()
    checker.feed(page)
    assert checker.stack == []


def test_html_report_of_a_real_session(seed_result):
    page = render_report(seed_result, "html")
    assert "<h1>advisor report: " in page
    assert re.search(r'class="status status-(confirmed|likely)"', page)
    assert page.count("<details>") >= len(seed_result["probes"])
    assert "Provisioning UDID: &lt;udid-1&gt;" in page


def test_json_export_is_the_contract_shape_redacted(seed_result):
    out = json.loads(render_report(seed_result, "json"))
    assert {"advisor_version", "knowledge_version", "diagnoses", "facts", "asked", "unanswered", "probes", "log_matches"} <= set(out)
    assert out["redacted"] is True
    assert all({"argv", "exit_code", "duration_ms", "facts"} <= set(p) for p in out["probes"])
    assert "00008112-001A2C3E0A91801E" not in json.dumps(out)


def test_no_diagnosis_report_says_so():
    result = {"advisor_version": "1", "knowledge_version": "k", "diagnoses": [], "unanswered": [{"question": "platform", "fact": "platform", "text": "Which platform?"}]}
    md = render_markdown(result)
    assert "no diagnosis reached" in md and "found no known cause" in md and "`platform`: Which platform?" in md
    assert "found no known cause" in render_html(result)
