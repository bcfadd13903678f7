"""`advisor inspect` output and exit codes, and the API other parts of advisor rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from advisor.cli import main
from advisor.evidence import Source
from advisor.inspectors import BundleInspection, Finding, bundle_ids, inspect_bundle
from advisor.inspectors.static_checks import RULE_IDS
from tests.fixtures.bundle_builder import (
    DEFAULT_UDID,
    NE,
    AppSpec,
    ProfileSpec,
    ProviderSpec,
    build_app,
    build_from_artifacts,
)

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


def _cli(capsys: pytest.CaptureFixture[str], kb_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["inspect", *args, "--knowledge", str(kb_dir)])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_contract_shape_and_exit_0(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path)
    code, out, err = _cli(capsys, minimal_kb_dir, str(built.path), "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) >= {"bundle", "providers", "findings"}
    assert data["findings"] == []
    bundle = data["bundle"]
    assert bundle["bundle_id"] == "com.example.vpn" and bundle["platform"] == "macos"
    assert bundle["signing_identity"] == "apple-development"
    assert bundle["signature"]["team_id"] == "ABCDE12345" and bundle["profile"]["kind"] == "development"
    [provider] = data["providers"]
    assert provider["kind"] == "sysex" and provider["provider_types"] == ["packet-tunnel"]
    assert provider["path"] == "ExampleVPN.app/Contents/Library/SystemExtensions/com.example.vpn.tunnel.systemextension"
    assert provider["entitlements"][NE] == ["packet-tunnel-provider"]
    assert data["facts"]["platform"]["value"] == "macos"
    assert ("packaging", "sysex") in [(o["fact"], o["value"]) for o in data["observations"]]


def test_json_findings_and_exit_1(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path, signing="developer-id", providers=[ProviderSpec(kind="appex")])
    code, out, _ = _cli(capsys, minimal_kb_dir, str(built.path), "--format", "json")
    assert code == 1
    findings = json.loads(out)["findings"]
    assert findings and all(set(f) >= {"id", "severity", "detail", "path"} for f in findings)
    assert {"id": "appex-requires-mac-app-store", "severity": "error"}.items() <= findings[0].items()


def test_warnings_only_exit_0(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    unsandboxed = {"com.apple.security.app-sandbox": None, "com.apple.security.network.client": None}
    built = build_app(tmp_path, providers=[ProviderSpec(entitlements_update=unsandboxed)])
    code, out, _ = _cli(capsys, minimal_kb_dir, str(built.path))
    assert code == 0
    assert "warning sandbox-requirement" in out and out.rstrip().endswith("1 warning")


def test_text_report(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path, signing="developer-id", app=AppSpec(profile=ProfileSpec(expired=True)))
    code, out, _ = _cli(capsys, minimal_kb_dir, str(built.path), "--udid", DEFAULT_UDID)
    assert code == 1
    assert out.startswith("ExampleVPN.app  (macOS app, com.example.vpn 1.0)")
    assert (
        "signed: Developer ID Application: Example Corp (ABCDE12345) (team ABCDE12345, hardened runtime, timestamped)"
        in out
    )
    assert "error   profile-expired  (profile-expired)" in out
    assert "ExampleVPN.app/Contents/embedded.provisionprofile [ExpirationDate]" in out


def test_zip_and_ipa_inputs(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    for platform, pack in (("macos", "zip"), ("ios", "ipa")):
        built = build_app(
            tmp_path / pack, platform=platform, pack=pack, providers=[ProviderSpec(executable_mode=0o600)]
        )
        inspection = inspect_bundle(built.path, kb)
        assert inspection.bundle["packaging"] == "zip"
        assert {f.rule for f in inspection.findings} == {"provider-executable-not-executable"}  # modes survive the zip


def test_provider_path_inspects_its_app(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path)
    inspection = inspect_bundle(built.providers[0], kb)
    assert inspection.bundle["bundle_id"] == "com.example.vpn" and len(inspection.providers) == 1


def test_standalone_provider_bundle(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path / "a", providers=[ProviderSpec(entitlements_update={NE: None})])
    standalone = tmp_path / built.providers[0].name
    built.providers[0].rename(standalone)
    inspection = inspect_bundle(standalone, kb)
    assert inspection.bundle["standalone_provider"] is True and inspection.bundle["kind"] == "sysex"
    assert {f.rule for f in inspection.findings} == {"ne-entitlement-missing"}


def test_pointers_weights_and_source(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    built = build_app(
        tmp_path,
        providers=[ProviderSpec(entitlements_update={"com.apple.security.app-sandbox": None}, mach_service_name="")],
    )
    inspection = inspect_bundle(built.path, kb)
    pointers = inspection.pointers()
    assert len(pointers) == len(inspection.findings)
    by_diagnosis = {p.diagnosis: p for p in pointers}
    assert by_diagnosis["sysex-mach-service-name"].weight == 5.0
    assert by_diagnosis["sandbox-requirement"].weight == 2.0
    assert all(p.source is Source.BUNDLE and p.detail and p.origin for p in pointers)
    assert by_diagnosis["sysex-mach-service-name"].origin.endswith(
        "Contents/Info.plist:NetworkExtension.NEMachServiceName"
    )


def test_info_severity_weighs_half() -> None:
    inspection = BundleInspection("x", {}, [], [Finding("d", "r", "info", "detail", "p")])
    assert inspection.pointers()[0].weight == 0.5 and not inspection.has_errors


def test_bundle_ids(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path, providers=[ProviderSpec(), ProviderSpec(kind="appex", provider_type="app-proxy")])
    ids = bundle_ids(inspect_bundle(built.path, kb))
    assert ids["app_bundle_id"] == "com.example.vpn" and ids["app_path"] == str(built.app_dir.resolve())
    assert ids["on_disk"] is True
    providers = {(p["bundle_id"], p["kind"]): p for p in ids["providers"]}
    assert set(providers) == {("com.example.vpn.tunnel", "sysex"), ("com.example.vpn.proxy", "appex")}
    assert all(p["network_extension"] for p in ids["providers"])
    assert {Path(p["path"]) for p in ids["providers"]} == {p.resolve() for p in built.providers}


def test_bundle_ids_inside_an_archive(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path, pack="zip")
    ids = bundle_ids(inspect_bundle(built.path, kb))
    assert ids["on_disk"] is False and ids["app_path"] is None
    assert ids["providers"][0]["path"].startswith("ExampleVPN.app/Contents/Library/SystemExtensions/")


def test_observations_use_the_fact_vocabulary(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    cases = [
        {},
        {
            "signing": "developer-id",
            "providers": [
                ProviderSpec(
                    kind="appex",
                    provider_type="dns-proxy",
                    entitlements_update={"com.apple.security.app-sandbox": None},
                )
            ],
        },
        {"platform": "ios", "providers": [ProviderSpec(frameworks=("A.framework",))]},
        {"providers": [ProviderSpec(profile=ProfileSpec(expired=True, devices=[]))]},
    ]
    seen = set()
    for i, build in enumerate(cases):
        inspection = inspect_bundle(build_app(tmp_path / str(i), **build).path, kb, udid=DEFAULT_UDID)
        for obs in inspection.observations:
            assert obs.source is Source.BUNDLE and obs.detail and obs.origin
            assert obs.fact in kb.facts, obs.fact
            assert obs.value in kb.facts[obs.fact].values, (obs.fact, obs.value)
            seen.add(obs.fact)
        assert len({o.fact for o in inspection.observations}) == len(inspection.observations)
    assert seen >= {
        "platform",
        "packaging",
        "provider_type",
        "signing_identity",
        "hardened_runtime",
        "ne_entitlement_form",
        "ne_entitlement_present",
        "sysex_category_declared",
        "mach_service_valid",
        "install_entitlement",
        "device_in_profile",
        "team_ids_match",
        "profile_expired",
        "profile_authorizes_entitlements",
        "certificate_in_profile",
        "provider_sandboxed",
        "network_client_entitlement",
        "principal_class_resolves",
        "provider_executable_ok",
        "provider_embedded",
        "appex_has_frameworks",
        "app_groups_match",
        "distribution",
    }


def test_distribution_is_inferred_only_from_telling_signatures(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    def facts(folder: str, **build: object) -> dict:
        return {o.fact: o for o in inspect_bundle(build_app(tmp_path / folder, **build).path, kb).observations}  # type: ignore[arg-type]

    devid = facts("devid", signing="developer-id")["distribution"]
    assert devid.value == "developer-id" and "inferred" in devid.detail
    assert "distribution" not in facts("store", signing="apple-distribution", platform="ios")


def test_rules_file_matches_the_checks(kb) -> None:  # type: ignore[no-untyped-def]
    raw = yaml.safe_load((KNOWLEDGE / "bundle-rules.yaml").read_text())["bundle_rules"]
    assert sorted(raw) == sorted(RULE_IDS)
    contract = yaml.safe_load((KNOWLEDGE / "contract.yaml").read_text())["contract"]["diagnoses"]
    catalog = set(contract) | {
        "macos-provider-requires-sysex",
        "bundle-modified-after-signing",
        "sysex-bundle-name-mismatch",
        "sysex-framework-not-embedded",
    }
    for rule_id, rule in kb.bundle_rules.items():
        assert rule.diagnosis in catalog, (rule_id, rule.diagnosis)
        assert rule.diagnosis in kb.diagnoses, (rule_id, rule.diagnosis)


def test_case_artifacts_build_the_described_bundles(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    """The shared cases' `artifacts:` (d02, d04) build bundles whose findings point at their diagnosis."""
    d02 = {
        "provider": {
            "kind": "sysex",
            "signing": "developer-id",
            "entitlements": {NE: ["content-filter-provider"]},
            "profile": {"type": "developer-id", "entitlements": {NE: ["content-filter-provider-systemextension"]}},
        }
    }
    built = build_from_artifacts(tmp_path / "d02", d02, signing="developer-id")
    inspection = inspect_bundle(built.path, kb)
    assert inspection.providers[0]["provider_types"] == ["content-filter"]
    assert "developer-id-entitlement-suffix" in {f.id for f in inspection.findings}
    d04 = {
        "app": {"entitlements": {"com.apple.security.app-sandbox": False}},
        "provider": {"kind": "appex", "entitlements": {"com.apple.security.app-sandbox": False}},
    }
    inspection = inspect_bundle(build_from_artifacts(tmp_path / "d04", d04).path, kb)
    assert "sandbox-requirement" in {f.id for f in inspection.findings}
