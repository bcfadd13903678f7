"""Each input format's prefix is recognised and stripped; JSON metadata is skipped."""

from __future__ import annotations

import pytest

from advisor.triage.log_formats import LogRecord, parse_line

MESSAGE = "Signature check failed: code failed to satisfy specified code requirement(s)"


@pytest.mark.parametrize(
    "line, process, subsystem",
    [
        (f"2025-11-04 10:12:01.456789-0700 0x2c3d     Error       0x0                  9876   0    AcmeTunnel: (NetworkExtension) [com.apple.networkextension:] {MESSAGE}", "AcmeTunnel", "com.apple.networkextension:"),
        (f"2025-11-04 10:12:01.456 E  AcmeTunnel[9876:2c3d] [com.apple.networkextension:] {MESSAGE}", "AcmeTunnel", "com.apple.networkextension:"),
        (f"2025-11-04 10:12:01.456789-0700  localhost AcmeTunnel[9876]: (NetworkExtension) [com.apple.networkextension:] {MESSAGE}", "AcmeTunnel", "com.apple.networkextension:"),
        (f"2025-11-04 10:12:01.456789+0100 AcmeTunnel[9876:56789] [] {MESSAGE}", "AcmeTunnel", ""),
        (f"Nov  4 10:12:01 MacBook-Pro AcmeTunnel[9876]: {MESSAGE}", "AcmeTunnel", ""),
        (f"error\t10:12:01.456789-0700\tAcmeTunnel\t{MESSAGE}", "AcmeTunnel", ""),
        (f"default\tAcmeTunnel\tcom.apple.networkextension\t{MESSAGE}", "AcmeTunnel", "com.apple.networkextension"),
        ('{"eventMessage":"' + MESSAGE + '","processImagePath":"\\/Applications\\/Acme.app\\/Contents\\/MacOS\\/AcmeTunnel","subsystem":"com.apple.networkextension"}', "AcmeTunnel", "com.apple.networkextension"),
        (f'  "eventMessage" : "{MESSAGE}",', "", ""),
        (MESSAGE, "", ""),
    ],
    ids=["default", "compact", "syslog", "xcode", "bsd-syslog", "console", "console-subsystem", "ndjson", "json-pretty", "plain"],
)
def test_prefixes_are_stripped(line, process, subsystem):
    assert parse_line(line) == LogRecord(MESSAGE, process, subsystem)


def test_json_escapes_are_decoded():
    record = parse_line('  "eventMessage" : "App containing System Extension to be activated must be in \\/Applications folder \\u2019x\\u2019",')
    assert record is not None and record.message == "App containing System Extension to be activated must be in /Applications folder ’x’"


@pytest.mark.parametrize("line", ['  "formatString" : "Signature check failed: %{public}@",', '  "processImagePath" : "\\/usr\\/libexec\\/nesessionmanager",'])
def test_json_metadata_lines_carry_no_message(line):
    assert parse_line(line) is None


def test_crash_report_and_dialog_lines_are_their_own_message():
    assert parse_line("Exception Type:  EXC_CRASH (Code Signature Invalid)").message == "Exception Type:  EXC_CRASH (Code Signature Invalid)"
    assert parse_line("The operation couldn’t be completed. (OSSystemExtensionErrorDomain error 8.)").process == ""
