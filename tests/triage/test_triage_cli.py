"""`advisor triage`: text and JSON output, stdin, exit codes, one-line errors."""

from __future__ import annotations

import json

LOG = "\n".join([
    "2025-11-04 10:12:01.456 E  AcmeTunnel[9876:2c3d] [com.apple.networkextension:] Signature check failed: code failed to satisfy specified code requirement(s)",
    "2025-11-04 10:12:01.457 Df AcmeTunnel[9876:2c3d] [com.apple.networkextension:] Provider is not signed with a Developer ID certificate",
    "2025-11-04 10:12:01.458 Df trustd[120:3c] [com.apple.securityd:trust] Trust evaluate result: 0",
]) + "\n"


def test_json_output(advisor_cli, tmp_path):
    log = tmp_path / "ne.log"
    log.write_text(LOG, encoding="utf-8")
    done = advisor_cli("triage", str(log), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["lines_read"] == 3
    assert [(m["line"], m["signature"], m["kind"]) for m in data["matches"]] == [
        (1, "ne-signature-check-failed", "cause"),
        (2, "ne-provider-not-developer-id", "noise"),
    ]
    assert data["matches"][1]["points_to"] == ["log-noise-developer-id"]


def test_text_output_explains_noise_as_noise(advisor_cli):
    done = advisor_cli("triage", "-", stdin=LOG)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("Read 3 lines: 2 known messages (1 cause, 1 noise).")
    assert "line 1  CAUSE  ne-signature-check-failed" in out
    assert "line 2  NOISE  ne-provider-not-developer-id" in out
    assert "Harmless noise:" in out and "log-noise-developer-id" in out
    assert "ios-app-bundle-id-conflict" in out


def test_no_match_still_succeeds(advisor_cli):
    done = advisor_cli("triage", "-", stdin="nothing to see here\n")
    assert done.returncode == 0
    assert "no known Network Extension messages" in done.stdout


def test_bad_input_is_one_line_and_exit_2(advisor_cli, tmp_path):
    for target in (str(tmp_path), str(tmp_path / "missing.log")):
        done = advisor_cli("triage", target)
        assert done.returncode == 2
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    binary = tmp_path / "blob"
    binary.write_bytes(b"\x00\xff" * 5000)
    done = advisor_cli("triage", str(binary), "--format", "json")
    assert done.returncode == 2 and "binary data" in done.stderr and done.stdout == ""
