"""Discovery: the app and its providers from disk, other copies, and what probe runs reveal."""

from __future__ import annotations

import plistlib
import zipfile
from pathlib import Path

import pytest

from advisor.exit_status import UserError
from advisor.probes import (
    ProbeContext,
    ProbeRun,
    context_observations,
    discover_context,
    find_ios_copies,
    ios_copy_observations,
    refine_context,
)
from tests.fake_mac import APP_ID, PROVIDER_ID, SERVICE_ID, ProviderPlist, SeedMac, make_plist_app, outputs


def test_app_and_its_providers(seed: SeedMac) -> None:
    ctx = discover_context(str(seed.app))
    assert ctx.app_path == str(seed.app)
    assert ctx.bundle_id == APP_ID
    assert ctx.provider_paths == [str(seed.provider)]
    assert ctx.provider_bundle_ids == [PROVIDER_ID]
    assert ctx.extension_points == ["com.apple.networkextension.packet-tunnel"]
    assert ctx.profile_paths == [f"{seed.app}/Contents/embedded.provisionprofile", f"{seed.provider}/Contents/embedded.provisionprofile"]
    assert ctx.sysex_bundle_ids == []


def test_a_provider_path_leads_to_its_container(seed: SeedMac) -> None:
    assert discover_context(str(seed.provider)).app_path == str(seed.app)


def test_binary_plists_and_system_extensions(tmp_path: Path) -> None:
    made = make_plist_app(
        tmp_path / "Filter.app",
        "com.example.filter",
        [
            ProviderPlist("com.example.filter.sysex", "com.example.filter.sysex", kind="sysex", extension_point="com.apple.networkextension.filter-data", short_version="2.0", bundle_version="7"),
            ProviderPlist("Widget", "com.example.filter.widget", extension_point="com.apple.widgetkit-extension"),
        ],
        binary_plists=True,
        with_profile=False,
    )
    ctx = discover_context(str(made["app"]))
    assert ctx.bundle_id == "com.example.filter"
    assert ctx.provider_bundle_ids == ["com.example.filter.sysex"]  # the widget is not an NE provider
    assert ctx.sysex_bundle_ids == ["com.example.filter.sysex"]
    assert ctx.extension_points == ["com.apple.networkextension.filter-data"]
    assert ctx.bundle_versions == {"com.example.filter.sysex": "2.0/7"}
    assert ctx.minimum_system_versions == {"com.example.filter.sysex": "13.0"}
    assert ctx.profile_paths == [f"{made['com.example.filter.sysex']}/Contents/embedded.provisionprofile"]


def test_ios_layout(seed: SeedMac) -> None:
    ctx = discover_context(str(seed.ios_app))
    assert ctx.provider_paths == [str(seed.ios_provider)]
    assert ctx.profile_paths[0].endswith("Wrapper/Tunnelbox.app/embedded.mobileprovision")
    assert ctx.minimum_system_versions == {}  # iOS bundles carry MinimumOSVersion, not a macOS minimum


def test_unreadable_values_are_skipped_not_fatal(tmp_path: Path) -> None:
    app = tmp_path / "Broken.app"
    (app / "Contents").mkdir(parents=True)
    (app / "Contents" / "Info.plist").write_bytes(b"<plist><dict><key>CFBundleIdentifier</key>")
    assert discover_context(str(app)).bundle_id is None
    (app / "Contents" / "Info.plist").write_bytes(plistlib.dumps({"CFBundleIdentifier": "$(PRODUCT_BUNDLE_IDENTIFIER)"}))
    ctx = discover_context(str(app))
    assert ctx.bundle_id is None and ctx.app_path == str(app)


def test_bad_paths_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        discover_context(str(tmp_path / "Missing.app"))
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(UserError, match=r"notes\.txt: not an app"):
        discover_context(str(tmp_path / "notes.txt"))
    with pytest.raises(UserError):
        discover_context(None, "com.example; rm")


def test_a_zip_and_nothing_give_machine_wide_probes_only(tmp_path: Path) -> None:
    archive = tmp_path / "Example.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Example.app/Contents/Info.plist", "")
    assert discover_context(str(archive)).app_path is None
    assert discover_context(str(archive)).platform == "macos"
    assert discover_context(None) == ProbeContext(applications_dir=discover_context(None).applications_dir)


@pytest.mark.parametrize(
    ("name", "members", "platform"),
    [
        ("Example.ipa", ["Payload/Example.app/Info.plist", "Payload/Example.app/PlugIns/Tunnel.appex/Info.plist"], "ios"),
        ("Example.zip", ["Example.app/Info.plist", "Example.app/PlugIns/Tunnel.appex/Info.plist"], "ios"),
        ("Example.zip", ["Example.app/Contents/Info.plist", "Example.app/Contents/PlugIns/T.appex/Contents/Info.plist"], "macos"),
        ("Both.zip", ["A.app/Info.plist", "B.app/Contents/Info.plist"], None),
        ("Nothing.zip", ["README.txt"], None),
    ],
)
def test_an_archives_platform_is_read_from_its_layout(tmp_path: Path, name: str, members: list[str], platform: str | None) -> None:
    archive = tmp_path / name
    with zipfile.ZipFile(archive, "w") as zf:
        for member in members:
            zf.writestr(member, "")
    assert discover_context(str(archive)).platform == platform
    (tmp_path / "Broken.zip").write_bytes(b"PK\x03\x04 not really")
    assert discover_context(str(tmp_path / "Broken.zip")).platform is None


def test_bundle_id_finds_the_app_in_applications(seed: SeedMac, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_APPLICATIONS_DIR", str(seed.applications))
    assert discover_context(None, APP_ID).app_path == str(seed.app)  # the native one, not the iOS wrapper
    assert discover_context(None, PROVIDER_ID).app_path == str(seed.app)
    assert discover_context(None, "com.example.absent") == ProbeContext(bundle_id="com.example.absent", applications_dir=str(seed.applications))


def test_ios_copies_in_applications(seed: SeedMac, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_APPLICATIONS_DIR", str(seed.applications))
    copies = find_ios_copies([APP_ID, PROVIDER_ID])
    assert [(c.bundle_id, c.path) for c in copies] == [(APP_ID, str(seed.ios_app)), (PROVIDER_ID, str(seed.ios_provider))]
    found = {o.fact: o.value for o in ios_copy_observations(discover_context(str(seed.app)))}
    assert found == {"ios_copy_installed": "yes", "other_copy_installed": "yes"}
    assert find_ios_copies(["com.example.other"]) == []


def test_app_location(seed: SeedMac, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ADVISOR_APPLICATIONS_DIR", str(seed.applications))
    [inside] = context_observations(discover_context(str(seed.app)))
    assert (inside.fact, inside.value) == ("app_location", "applications")
    elsewhere = make_plist_app(tmp_path / "DerivedData" / "Tunnelbox.app", APP_ID, [])["app"]
    [outside] = context_observations(discover_context(str(elsewhere)))
    assert outside.value == "elsewhere"


def _run(probe_id: str, parser: str, stdout: str, context: ProbeContext) -> ProbeRun:
    return ProbeRun(probe_id, ["x"], 0, 5, stdout, "", parser=parser, context=context)


def test_refine_adds_service_ids_and_the_registered_app(seed: SeedMac, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_APPLICATIONS_DIR", str(seed.root / "elsewhere"))
    only_id = discover_context(None, APP_ID)
    assert only_id.app_path is None
    runs = [
        _run("mdfind-app", "mdfind_bundle_id", outputs.mdfind_paths([str(seed.ios_app), str(seed.app)]), only_id),
        _run("vpn-services", "vpn_services", outputs.scutil_nc_list([outputs.VpnService(SERVICE_ID, APP_ID, "Tunnelbox")]), only_id),
    ]
    refined = refine_context(only_id, runs)
    assert refined.app_path == str(seed.app)  # the native copy, not the Wrapper one
    assert refined.provider_bundle_ids == [PROVIDER_ID]
    assert refined.vpn_service_ids == [SERVICE_ID]
