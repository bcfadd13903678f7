"""Redaction: personal identifiers become consistent numbered pseudonyms; what diagnosis needs stays."""

from __future__ import annotations

import copy
import plistlib

from advisor.redaction import Redactor, redact_result
from advisor.transcripts.format import Expectation, RecordedProbe, Transcript
from advisor.transcripts.redaction import redact_transcript

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
