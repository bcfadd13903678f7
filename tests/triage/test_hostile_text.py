"""Triage of text that is hard to read: other encodings and line ends, terminal escapes,
parser bombs, and logs where most lines match (issue 12, #17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.triage import LogTriage
from advisor.triage import signature_index as index_module
from advisor.triage.log_formats import parse_line

SIG = "Signature check failed: code failed to satisfy specified code requirement(s)"
NOISE = "Provider is not signed with a Developer ID certificate"
CHATTER = "2025-11-04 10:12:01.458 Df trustd[120:3c] [com.apple.securityd:trust] Trust evaluate result: 0 for photos.apple.com"


def compact(message: str, n: int = 0) -> str:
    return f"2025-11-04 10:12:{n % 60:02d}.{n % 1000:03d} E  AcmeTunnel[{100 + n}:2c3d] [com.apple.networkextension:] {message}"


def triage_bytes(triage: LogTriage, tmp_path: Path, data: bytes):
    path = tmp_path / "log.txt"
    path.write_bytes(data)
    return triage.triage_path(str(path))


def found(result) -> list[tuple[int, str]]:
    return [(m.line, m.signature) for m in result.matches]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_logs_are_read(triage: LogTriage, tmp_path: Path, encoding: str) -> None:
    text = "\r\n".join([CHATTER, compact(SIG), compact(NOISE)]) + "\r\n"
    result = triage_bytes(triage, tmp_path, text.encode(encoding))
    assert found(result) == [(2, "ne-signature-check-failed"), (3, "ne-provider-not-developer-id")]
    assert result.lines_read == 3


def test_binary_with_nuls_is_still_refused(triage: LogTriage, tmp_path: Path) -> None:
    from advisor.exit_status import UserError

    with pytest.raises(UserError, match="binary data"):
        triage_bytes(triage, tmp_path, b"\x00\xff" * 5000)


def test_cr_only_line_ends_are_line_ends(triage: LogTriage, tmp_path: Path) -> None:
    result = triage_bytes(triage, tmp_path, "\r".join([CHATTER, compact(SIG), CHATTER, compact(NOISE)]).encode())
    assert found(result) == [(2, "ne-signature-check-failed"), (4, "ne-provider-not-developer-id")]
    assert result.lines_read == 4


def test_a_utf8_bom_does_not_hide_the_first_line(triage: LogTriage, tmp_path: Path) -> None:
    result = triage_bytes(triage, tmp_path, b"\xef\xbb\xbf" + compact(SIG).encode() + b"\n")
    assert found(result) == [(1, "ne-signature-check-failed")]


def test_colour_codes_are_stripped_and_controls_escaped(triage: LogTriage) -> None:
    line = f"\x1b]0;title\x07\x1b[1;31m{compact(SIG)}\x1b[0m \x08\u202eevil"
    [match] = triage.triage_text(line).matches
    assert match.signature == "ne-signature-check-failed"
    assert "\x1b" not in match.text and "\u202e" not in match.text and "\x08" not in match.text
    assert match.text.endswith("\\x08\\u202eevil")


def test_shown_keeps_tabs_and_text() -> None:
    from advisor.plain_text import printable as shown

    assert shown("a\tb é ✓") == "a\tb é ✓"
    assert shown("\x1b[2J\x00\x7f\x9b") == "\\x1b[2J\\x00\\x7f\\x9b"


def test_deeply_nested_json_lines_are_not_a_recursion_error() -> None:
    line = '{"eventMessage": "' + SIG + '", "x": ' + "[" * 50_000 + "]" * 50_000 + "}"
    assert parse_line(line) is not None  # read as a plain line, not raised


def test_json_key_lines_keep_their_value() -> None:
    assert parse_line(f'    "eventMessage" : "{SIG}",').message == SIG  # type: ignore[union-attr]
    assert parse_line('"eventMessage": "a \\"quoted\\" word"').message == 'a "quoted" word'  # type: ignore[union-attr]
    assert parse_line('  "formatString" : "x",') is None


def test_a_message_cut_short_with_an_ellipsis_still_matches(triage: LogTriage) -> None:
    cut = "Signature check failed: code failed to satisfy specified code requ..."
    assert found(triage.triage_text(compact(cut) + "   ")) == [(1, "ne-signature-check-failed")]
    assert found(triage.triage_text(compact(cut.replace("...", "\u2026")))) == [(1, "ne-signature-check-failed")]


def test_repeated_messages_are_scored_once(triage: LogTriage, monkeypatch: pytest.MonkeyPatch) -> None:
    """#17: when most lines match, each distinct message is scored once, not once per line.
    (Before, 300,000 matching lines meant 300,000 fuzzy scorings of several signatures.)"""
    scored: list[str] = []
    original = index_module.CompiledSignature._fuzzy

    def counting(self, norm: str, cut_short: bool):  # type: ignore[no-untyped-def]
        scored.append(norm)
        return original(self, norm, cut_short)

    monkeypatch.setattr(index_module.CompiledSignature, "_fuzzy", counting)
    fresh = LogTriage(triage.kb)  # its own caches, so the count is this test's
    # 6,000 lines, 3 messages: timestamps and pids differ in the prefix, UUIDs inside the message.
    lines = [
        compact(msg, n)
        for n in range(2000)
        for msg in (SIG, NOISE, f"NESMVPNSession[Primary Tunnel:Acme:{n:08X}-1A2B-4C3D-9E8F-0123456789AB:(null)]: status changed to disconnected, last stop reason Plugin was disabled")
    ]
    result = fresh.triage_text("\n".join(lines))
    assert sum(m.count for m in result.matches) == 6000
    assert len(result.matches) == 3
    assert len(scored) <= 20, f"{len(scored)} fuzzy scorings for 3 distinct messages"


def test_lines_that_differ_only_in_ids_share_one_match(triage: LogTriage) -> None:
    lines = [compact(f"Failed to start com.example{n}.vpn.tunnel: Signature check failed: code failed to satisfy specified code requirement(s)", n) for n in range(500)]
    result = triage.triage_text("\n".join(lines))
    assert [(m.line, m.count) for m in result.matches] == [(1, 500)]


def test_patterns_only_look_at_the_head_of_a_long_message(triage: LogTriage) -> None:
    """A lazy catalog pattern such as `(/[^:]+?) not valid` is quadratic in the text it scans;
    it sees the first MAX_PATTERN_CHARS characters, so a hostile line costs little."""
    assert index_module.MAX_PATTERN_CHARS <= 4096
    hostile = "/a" * 30_000 + " AppleMobileFileIntegrityError Code=-413"
    result = triage.triage_text("\n".join(hostile + f" {n}" for n in range(20)))
    assert result.lines_read == 20


def test_what_is_remembered_for_repeats_stays_bounded(triage: LogTriage) -> None:
    """Long or endlessly distinct messages are not all remembered: the memory of scores for
    repeated messages is bounded in entries and in key length."""
    fresh = LogTriage(triage.kb)
    long_lines = [compact(f"{SIG} " + f"{n} " * 400) for n in range(300)]  # each about 2 KB
    distinct = [compact(f"{SIG} attempt {n}", n) for n in range(index_module.MEMO_ENTRIES + 500)]
    fresh.triage_text("\n".join(long_lines + distinct))
    for memo in (fresh.index._scores, fresh.index._fuzzy_scores):
        assert len(memo._items) <= index_module.MEMO_ENTRIES
        assert all(len(key[-2] if isinstance(key[-1], bool) else key[-1]) <= index_module.MEMO_KEY_CHARS for key in memo._items)
