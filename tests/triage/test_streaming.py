"""Streaming a log file: line numbers, repeats, bounds, and bad input."""

from __future__ import annotations

import gzip
import io

import pytest

from advisor.exit_status import UserError
from advisor.triage import triage as triage_module

SIG_LINE = "2025-11-04 10:12:01.456 E  AcmeTunnel[9876:2c3d] [com.apple.networkextension:] Signature check failed: code failed to satisfy specified code requirement(s)"
NOISE_LINE = "2025-11-04 10:12:01.457 Df AcmeTunnel[9876:2c3d] [com.apple.networkextension:] Provider is not signed with a Developer ID certificate"
CHATTER = "2025-11-04 10:12:01.458 Df trustd[120:3c] [com.apple.securityd:trust] Trust evaluate result: 0 for photos.apple.com"


def write(tmp_path, data: bytes, name: str = "log.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_line_numbers_and_lines_read(triage, tmp_path):
    text = "\n".join([CHATTER, SIG_LINE, CHATTER, CHATTER, NOISE_LINE]) + "\n"
    result = triage.triage_path(write(tmp_path, text.encode()))
    assert [(m.line, m.signature, m.kind) for m in result.matches] == [
        (2, "ne-signature-check-failed", "cause"),
        (5, "ne-provider-not-developer-id", "noise"),
    ]
    assert result.lines_read == 5
    assert result.matches[0].captures["process"] == "AcmeTunnel"


def test_repeated_lines_are_counted_once(triage, tmp_path):
    other_pid = SIG_LINE.replace("9876:2c3d", "5555:1a1a").replace("10:12:01.456", "10:13:00.001")
    result = triage.triage_path(write(tmp_path, "\n".join([SIG_LINE, CHATTER, other_pid, SIG_LINE]).encode()))
    assert [(m.line, m.count) for m in result.matches] == [(1, 3)]
    assert result.lines_read == 4


def test_blocks_split_lines_anywhere(triage, tmp_path, monkeypatch):
    monkeypatch.setattr(triage_module, "BLOCK", 7)
    text = "\r\n".join([CHATTER, SIG_LINE, CHATTER, NOISE_LINE])  # CRLF, no final newline
    result = triage.triage_path(write(tmp_path, text.encode()))
    assert [(m.line, m.signature) for m in result.matches] == [(2, "ne-signature-check-failed"), (4, "ne-provider-not-developer-id")]
    assert result.lines_read == 4


def test_a_huge_line_is_cut_and_skipped_not_held(triage, tmp_path, monkeypatch):
    monkeypatch.setattr(triage_module, "BLOCK", 4096)
    huge = b"Signature check failed: code failed to satisfy specified code requirement(s) " + b"x" * (5 * 1024 * 1024)
    result = triage.triage_path(write(tmp_path, huge + b"\n" + NOISE_LINE.encode() + b"\n" + b"y" * 300_000))
    assert [(m.line, m.signature) for m in result.matches] == [(1, "ne-signature-check-failed"), (2, "ne-provider-not-developer-id")]
    assert result.lines_read == 3
    assert len(result.matches[0].text) <= triage_module.MAX_TEXT


def test_invalid_utf8_is_replaced_not_fatal(triage, tmp_path):
    data = b"\xff\xfe\xfa garbage \xc3\x28\n" + SIG_LINE.encode() + b"\xe2\x80\n"
    result = triage.triage_path(write(tmp_path, data))
    assert [m.line for m in result.matches] == [2]


def test_empty_file_gives_an_empty_result(triage, tmp_path):
    result = triage.triage_path(write(tmp_path, b""))
    assert result.matches == [] and result.lines_read == 0


def test_the_number_of_kept_matches_is_bounded(triage, tmp_path, monkeypatch):
    monkeypatch.setattr(triage_module, "MAX_MATCHES", 2)
    lines = [SIG_LINE, NOISE_LINE, "OSSystemExtensionErrorDomain error 8.", "OSSystemExtensionErrorDomain error 9.", SIG_LINE]
    result = triage.triage_path(write(tmp_path, "\n".join(lines).encode()))
    assert len(result.matches) == 2 and result.omitted == 2
    assert result.matches[0].count == 2
    assert result.to_json()["omitted"] == 2


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda p: str(p), "is a directory"),
        (lambda p: str(p / "missing.log"), "no such file"),
        (lambda p: write(p, b"\x00\x01\x02binary\x00" * 100, "blob.bin"), "binary data"),
        (lambda p: write(p, gzip.compress(SIG_LINE.encode()), "log.gz"), "gzip"),
    ],
    ids=["directory", "missing", "binary", "gzip"],
)
def test_bad_input_is_one_clear_error(triage, tmp_path, setup, message):
    with pytest.raises(UserError, match=message):
        triage.triage_path(setup(tmp_path))


def test_a_logarchive_directory_gets_a_hint(triage, tmp_path):
    archive = tmp_path / "system.logarchive"
    archive.mkdir()
    with pytest.raises(UserError, match="log show --archive"):
        triage.triage_path(str(archive))


def test_standard_input(triage, monkeypatch):
    fake = io.TextIOWrapper(io.BytesIO((CHATTER + "\n" + SIG_LINE + "\n").encode()))
    monkeypatch.setattr("sys.stdin", fake)
    result = triage.triage_path("-")
    assert [m.line for m in result.matches] == [2] and result.lines_read == 2


def test_text_and_lines_agree_with_files(triage, tmp_path):
    text = "\n".join([CHATTER, SIG_LINE, NOISE_LINE])
    from_text = triage.triage_text(text).to_json()
    from_file = triage.triage_path(write(tmp_path, text.encode())).to_json()
    assert from_text == from_file
    assert triage.triage_text("") .to_json() == {"matches": [], "lines_read": 0}
