"""Redaction: personal identifiers become consistent numbered pseudonyms; what diagnosis needs stays."""

from __future__ import annotations

import copy
import plistlib
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.exit_status import ExitStatus, UserError
from advisor.redaction import RedactionFailed, Redactor, redact_result
from advisor.reports import render_report
from advisor.transcripts.format import Expectation, RecordedProbe, Transcript, dump_transcript
from advisor.transcripts.redaction import redact_transcript
from tests.hostile.io_support import advisor_env

SILICON_UDID = "00008132-000A103C02F8801C"
OTHER_UDID = "00008103-001A2B3C4D5E6F70"
HARDWARE_UUID = "6F1A2B3C-4D5E-6F70-8192-A3B4C5D6E7F8"
TEAM = "K7M2Q9X4LD"

HARDWARE = f"""Hardware:

    Hardware Overview:

      Chip: Apple M3 Pro
      Serial Number (system): C02XK1ABCD12
      Hardware UUID: {HARDWARE_UUID}
      Provisioning UDID: {SILICON_UDID}
"""


def _profile_xml(devices: list[str]) -> str:
    return plistlib.dumps(
        {"Name": "Dev profile", "TeamIdentifier": [TEAM], "TeamName": "Jules Morel", "ProvisionedDevices": devices}
    ).decode()


def test_apple_silicon_udid_is_replaced_anywhere_and_consistently():
    r = Redactor()
    out = r.value({"a": f"device {SILICON_UDID} failed", "b": [f"again {SILICON_UDID.lower()}", f"other {OTHER_UDID}"]})
    assert out == {"a": "device <udid-1> failed", "b": ["again <udid-1>", "other <udid-2>"]}


def test_uuid_form_is_a_device_only_where_labelled_and_then_everywhere():
    config_uuid = "7B1E2C3D-4F5A-4B6C-8D7E-9F0A1B2C3D4E"
    text = f"NESMVPNSession[Primary Tunnel:Tunnelr:{config_uuid}:(null)] on {HARDWARE_UUID}\n{HARDWARE}"
    out = Redactor().text(text)
    assert config_uuid in out  # a configuration id is not personal
    assert HARDWARE_UUID not in out
    assert out.count("<udid-2>") == 2  # the unlabelled mention of the same UUID follows the labelled one
    assert "Provisioning UDID: <udid-1>" in out
    assert "Serial Number (system): <serial-1>" in out


def test_same_device_in_system_profiler_and_profile_xml_gets_one_pseudonym_and_xml_stays_valid():
    r = Redactor()
    hardware, profile = r.value([HARDWARE, _profile_xml([OTHER_UDID, SILICON_UDID])])
    assert "Provisioning UDID: <udid-1>" in hardware
    parsed = plistlib.loads(profile.encode())  # escaped as &lt;udid-1&gt; inside the XML
    assert parsed["ProvisionedDevices"] == ["<udid-3>", "<udid-1>"]  # <udid-2> is the Hardware UUID
    assert parsed["TeamIdentifier"] == [TEAM]
    assert parsed["TeamName"] == "<name-1>"


def test_provisioned_devices_key_marks_uuid_form_devices():
    ios_udid = "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"  # older iPhone UDID (40 hex)
    out = Redactor().value({"profile": {"provisioned_devices": [HARDWARE_UUID, ios_udid], "uuid": HARDWARE_UUID.lower()[::-1]}})
    assert out["profile"]["provisioned_devices"] == ["<udid-1>", "<udid-2>"]


def test_emails_and_home_folders_keep_their_structure():
    text = "/Users/jmorel/Library/Developer/Xcode/DerivedData/X.app and /home/ci/work and /Users/Shared/x mail j.morel@example.com"
    out = Redactor().text(text)
    assert out == "/Users/<user-1>/Library/Developer/Xcode/DerivedData/X.app and /home/<user-2>/work and /Users/Shared/x mail <email-1>"


def test_certificate_holders_are_pseudonymised_team_ids_stay():
    text = (
        "Authority=Apple Development: Jane Doe (PQ7R8S9T0U)\n"
        "origin=Developer ID Application: Example Corp (ABCDE12345)\n"
        "Authority=Apple Development: realjewlion@gmail.com (687D42QJZ6)\n"
        "TeamIdentifier=ABCDE12345\n"
        "Jane Doe's MacBook; com.Example Corp stays? bundle com.jane.app\n"
    )
    out = Redactor().text(text)
    assert "Authority=Apple Development: <name-1> (<person-id-1>)" in out
    assert "origin=Developer ID Application: <name-2> (ABCDE12345)" in out  # the Team ID stays
    assert "Authority=Apple Development: <email-1> (<person-id-2>)" in out
    assert "TeamIdentifier=ABCDE12345" in out
    assert "<name-1>'s MacBook" in out  # a learned holder name is replaced in free text too
    assert "com.jane.app" in out and "com.Example Corp" in out  # never inside a dotted identifier


def test_bundle_ids_and_team_ids_survive():
    ids = "com.example.tunnelr.PacketTunnel K7M2Q9X4LD.com.example.tunnelr group.com.example"
    assert Redactor().text(ids) == ids


def test_one_redactor_numbers_consistently_across_calls():
    r = Redactor()
    assert r.text(f"udid {SILICON_UDID}") == "udid <udid-1>"
    assert r.text(f"{OTHER_UDID} {SILICON_UDID}") == "<udid-2> <udid-1>"


def test_redacting_twice_changes_nothing_more():
    once = Redactor().text(HARDWARE + "/Users/jmorel/x Apple Development: Jane Doe (PQ7R8S9T0U) a@b.io")
    assert Redactor().text(once) == once


def test_redact_result_copies_and_marks():
    result = {
        "diagnoses": [{"id": "profile-missing-device", "evidence": [{"fact": "device_in_profile", "detail": f"Provisioning UDID: {SILICON_UDID}"}]}],
        "facts": {"device_in_profile": {"value": "no", "detail": f"{SILICON_UDID} missing"}},
        "probes": [{"argv": ["xattr", "-p", "com.apple.quarantine", "/Users/jmorel/Desktop/Tunnelr.app"]}],
    }
    original = copy.deepcopy(result)
    out = redact_result(result)
    assert result == original  # the input is untouched
    assert out["redacted"] is True
    assert out["facts"]["device_in_profile"]["detail"] == "<udid-1> missing"
    assert out["diagnoses"][0]["evidence"][0]["detail"] == "Provisioning UDID: <udid-1>"
    assert out["probes"][0]["argv"][-1] == "/Users/<user-1>/Desktop/Tunnelr.app"


def test_redact_transcript_keeps_answers_expectations_and_shares_numbering_across_fields():
    t = Transcript(
        id="x",
        describe=f"My Mac {SILICON_UDID} fails",
        answers={"platform": "macos"},
        log="amfid: /Users/dana/App.app/Contents/MacOS/App not valid",
        probes=[
            RecordedProbe("hardware-overview", ["system_profiler", "SPHardwareDataType"], 0, 5, HARDWARE, ""),
            RecordedProbe("profile-embedded", ["security", "cms", "-D", "-i", "/Users/dana/App.app/Contents/embedded.provisionprofile"], 0, 5, _profile_xml([SILICON_UDID]), ""),
        ],
        expected=Expectation(first="profile-missing-device"),
    )
    out = redact_transcript(t)
    assert out.answers == {"platform": "macos"} and out.expected == t.expected and out.id == "x"
    assert out.describe == "My Mac <udid-1> fails"
    assert "/Users/<user-1>/App.app" in out.log
    assert out.probes[1].argv[-1] == "/Users/<user-1>/App.app/Contents/embedded.provisionprofile"
    assert plistlib.loads(out.probes[1].stdout.encode())["ProvisionedDevices"] == ["<udid-1>"]
    assert SILICON_UDID not in repr(out)
    assert t.describe.startswith("My Mac 0000")  # the original is not modified


# ---- issue 12, item 11: identifiers that were missed, in every format and in transcripts -------

FORMATS = ("text", "json", "markdown", "html")
UPPER_40 = "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
HYPHENLESS = SILICON_UDID.replace("-", "")
MISSED = {  # what the text says -> what must not survive
    "serial C02XK1ABJGH5 on this Mac": "C02XK1ABJGH5",
    "S/N: C02XK1ABJGH6": "C02XK1ABJGH6",
    f"an old iPhone {UPPER_40} attached": UPPER_40,
    f"device {HYPHENLESS} again": HYPHENLESS,
    "/Users/Jane Doe/Library/Developer/App.app": "Jane Doe",
    "reached Janes-MacBook-Pro.local over Bonjour": "Janes-MacBook-Pro",
}


@pytest.mark.parametrize("text, secret", list(MISSED.items()))
def test_identifiers_once_missed_are_replaced(text: str, secret: str) -> None:
    out = Redactor().text(text)
    assert secret.lower() not in out.lower(), out


def test_one_device_one_pseudonym_however_its_id_is_written() -> None:
    r = Redactor()
    out = r.text(f"{SILICON_UDID} {HYPHENLESS} {SILICON_UDID.lower()} Hardware UUID: {HARDWARE_UUID} {HARDWARE_UUID.replace('-', '')}")
    assert out == "<udid-1> <udid-1> <udid-1> Hardware UUID: <udid-2> <udid-2>"


def test_what_stays_stays() -> None:
    kept = "cdhash 8f3b0c2d4e5f60718293a4b5c6d7e8f901234567 serial port opened S/N unknown com.example.local TeamID K7M2Q9X4LD"
    assert Redactor().text(kept) == kept


def _result_with(text: str) -> dict:
    return {
        "advisor_version": "1", "knowledge_version": "1",
        "diagnoses": [{"id": "profile-missing-device", "title": "t", "status": "likely", "score": 0.5,
                       "evidence": [{"fact": "log", "value": "v", "source": "log", "detail": text}], "fix": [text], "references": []}],
        "facts": {"device_in_profile": {"value": "no", "source": "probe", "detail": text}},
        "asked": [], "unanswered": [],
        "probes": [{"id": "hardware-overview", "argv": ["system_profiler", text], "exit_code": 0, "duration_ms": 1, "facts": {}, "stdout": text, "stderr": text}],
        "log_matches": [{"line": 1, "text": text, "signature": "s", "score": 90.0, "kind": "cause"}],
        "bundle": {"path": text, "findings": [{"id": "x", "severity": "error", "detail": text, "path": text}]},
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_redacts_what_was_missed(fmt: str) -> None:
    text = " | ".join(MISSED)
    out = render_report(_result_with(text), fmt, redact=True)
    for secret in MISSED.values():
        assert secret.lower() not in out.lower(), (fmt, secret)


def test_a_transcript_redacts_what_was_missed() -> None:
    text = "\n".join(MISSED)
    t = Transcript(id="x", describe=text, log=text, probes=[RecordedProbe("p", ["p", text], 0, 1, text, text)], notes=text)
    dumped = dump_transcript(redact_transcript(t))
    for secret in MISSED.values():
        assert secret.lower() not in dumped.lower(), secret


# Generated identifiers, embedded between words, must not survive in any format.
_hex = "0123456789ABCDEF"
_words = st.lists(st.sampled_from(["the", "provider", "failed", "on", "Mac", "error", "at", "copy", ":", "-", "(", ")"]), max_size=4).map(" ".join)


@st.composite
def identifiers(draw: st.DrawFn) -> tuple[str, list[str]]:
    """(text as written, the secrets it holds)."""
    kind = draw(st.sampled_from(["silicon", "hyphenless", "upper40", "labelled-uuid", "serial", "email", "home", "host"]))
    hexes = lambda n: draw(st.text(st.sampled_from(_hex), min_size=n, max_size=n))  # noqa: E731
    if kind == "silicon":
        s = f"0000{hexes(4)}-{hexes(16)}"
        return draw(st.sampled_from([s, s.lower()])), [s.replace("-", "")]
    if kind == "hyphenless":
        s = f"0000{hexes(20)}"
        return s, [s]
    if kind == "upper40":
        s = hexes(39) + draw(st.sampled_from("ABCDEF"))
        return s, [s]
    if kind == "labelled-uuid":
        s = f"{hexes(8)}-{hexes(4)}-{hexes(4)}-{hexes(4)}-{hexes(12)}"
        label = draw(st.sampled_from(["Provisioning UDID: ", "Hardware UUID: ", "udid=", "UDID "]))
        return label + draw(st.sampled_from([s, s.replace("-", "")])), [s.replace("-", "")]
    if kind == "serial":
        s = draw(st.from_regex(r"\A[A-Z][0-9][A-Z0-9]{8,10}\Z"))
        label = draw(st.sampled_from(["serial ", "Serial: ", "Serial Number (system): ", "S/N: ", "serial number "]))
        return label + s, [s]
    if kind == "email":
        s = draw(st.from_regex(r"\A[a-z]{3,8}\.[a-z]{3,8}@[a-z]{3,8}\.(com|org|io)\Z"))
        return s, [s]
    first, last = draw(st.from_regex(r"\A[A-Z][a-z]{3,7}\Z")), draw(st.from_regex(r"\A[A-Z][a-z]{3,7}q\Z"))
    if kind == "home":
        name = draw(st.sampled_from([f"{first} {last}", f"{first.lower()}{last.lower()}"]))
        return f"/Users/{name}/Library/App.app", [name]
    host = f"{first}s-MacBook-{last}"
    return f"{host}.local", [host]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_words, identifiers(), _words), min_size=1, max_size=3), st.sampled_from(FORMATS))
def test_generated_identifiers_never_survive_in_any_format(pieces: list, fmt: str) -> None:
    text = " \n ".join(f"{before} {ident} {after}" for before, (ident, _), after in pieces)
    secrets = [s for _, (_, ss), _ in pieces for s in ss]
    out = render_report(_result_with(text), fmt, redact=True)
    flat = out.lower().replace("-", "")
    for secret in secrets:
        assert secret.lower().replace("-", "") not in flat, (fmt, secret)
    dumped = dump_transcript(redact_transcript(Transcript(id="x", log=text, describe=text))).lower().replace("-", "")
    for secret in secrets:
        assert secret.lower().replace("-", "") not in dumped, secret


# ---- fails closed ---------------------------------------------------------------------------


def test_a_redactor_that_raises_renders_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self, obj):
        raise ValueError("boom")

    monkeypatch.setattr(Redactor, "value", broken)
    with pytest.raises(RedactionFailed) as caught:
        render_report(_result_with("x"), "markdown", redact=True)
    assert caught.value.exit_status == ExitStatus.INTERNAL_ERROR and "nothing was written" in caught.value.message
    with pytest.raises(RedactionFailed):
        redact_transcript(Transcript(id="x", log="x"))
    assert render_report(_result_with("x"), "markdown", redact=False)  # --no-redact still works


def test_a_redactor_that_cannot_be_imported_renders_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "advisor.redaction", None)
    for attempt in (lambda: render_report(_result_with("x"), "json"), lambda: redact_transcript(Transcript(id="x"))):
        with pytest.raises(UserError) as caught:
            attempt()
        assert caught.value.exit_status == ExitStatus.INTERNAL_ERROR and "redaction is not available" in caught.value.message


BLOCK_REDACTION = "import sys; sys.modules['advisor.redaction'] = None\nfrom advisor.cli import main\nsys.exit(main(sys.argv[1:]))\n"


@pytest.mark.parametrize("broken", ["import", "raise"])
def test_without_a_working_redactor_no_command_writes_anything(tmp_path: Path, broken: str) -> None:
    script = BLOCK_REDACTION if broken == "import" else (
        "import sys\nimport advisor.redaction as r\n"
        "r.Redactor.learn = lambda *a, **k: 1 / 0\n"
        "from advisor.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    log = tmp_path / "ne.log"
    log.write_text(f"Signature check failed: code failed to satisfy specified code requirement(s) serial C02XK1ABJGH5 {SILICON_UDID}\n")
    session = tmp_path / "session.yaml"
    runs = [
        ["diagnose", "--log", str(log), "--format", "json", "--output", str(tmp_path / "r.json"), "--transcript", str(tmp_path / "t.yaml")],
        ["collect", "--log", str(log), "--output", str(tmp_path / "c.yaml")],
    ]
    plain = subprocess.run([sys.executable, "-m", "advisor", "diagnose", "--log", str(log), "--no-redact", "--output", str(tmp_path / "x.md"),
                            "--transcript", str(session)], env=advisor_env(), cwd=tmp_path, capture_output=True, timeout=60)
    assert plain.returncode in (0, 1), plain.stderr
    runs.append(["report", str(session), "--output", str(tmp_path / "r.md")])
    for args in runs:
        proc = subprocess.run([sys.executable, "-c", script, *args], env=advisor_env(PATH=str(tmp_path)), cwd=tmp_path, capture_output=True, timeout=60)
        err = proc.stderr.decode()
        assert proc.returncode == 3 and err.count("\n") == 1 and "redaction" in err and "nothing was written" in err, (args, err)
        assert proc.stdout == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ne.log", "session.yaml", "x.md"]
