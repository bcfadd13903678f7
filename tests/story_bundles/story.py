"""Real public stories with the bundle and the Mac they imply, run through advisor as a user would.

Each story file (tests/story_bundles/stories/*.yaml, format in tests/story_bundles/README.md)
names a distribution channel, provider type and packaging, says how its bundle and its Mac
differ from the healthy ones of that channel, and carries the poster's description and quoted
log. `build_story(story, dest)` writes the bundle with the project's builder
(tests/fixtures/bundle_builder.channel_build + build_app) and declares the Mac
(tests/fake_mac/mac_state.healthy_mac, changed as the story says); `run_mode` runs
`advisor diagnose` in this process with the fake Mac's tools first on PATH:

* MODE_BUNDLE: `--app APP --probe yes` (no description, no log);
* MODE_FULL: `--app APP --probe yes --describe TEXT --log FILE`;
* MODE_TEXT: `--describe TEXT --log FILE` (no bundle, no probes).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

import tests.fake_mac.store_signing  # noqa: F401  (registers Apple's store signers with the builder)
from tests.fake_mac import outputs as out
from tests.fake_mac.channels import Setup
from tests.fake_mac.mac_faults import (
    QUARANTINE,
    FaultSite,
    another_vpn_selected,
    configuration_names_another_provider,
    disabled_by_user,
    no_configuration_saved,
    not_installed,
    stale_copy,
    unnotarized,
    upgrade_waits_for_reboot,
    waiting_for_user,
)
from tests.fake_mac.mac_state import TEAM_ID, Component, Configuration, MacState, Registration, healthy_mac, scenario
from tests.fake_mac.toolbox import FakeMac, Reply, Scenario
from tests.fixtures.bundle_builder import AppSpec, ProfileSpec, ProviderSpec, build_app, channel_build
from tests.matrix.mac_cases import environment

STORIES = Path(__file__).resolve().parent / "stories"
MODE_BUNDLE = "bundle+mac"
MODE_FULL = "bundle+mac+text"
MODE_TEXT = "text"
MODES = (MODE_BUNDLE, MODE_FULL, MODE_TEXT)

# Where the app lives on the story's Mac, relative to the story's folder.
LOCATIONS = {
    "applications": "Applications",
    "downloads": "Users/dev/Downloads",
    "derived-data": "Users/dev/Library/Developer/Xcode/DerivedData/App-bxkqfhzjdlwgzc/Build/Products/Debug",
}
_CODE_KEYS = {"signing", "name", "bundle_id", "entitlements_update", "info_update", "min_os", "frameworks", "links", "mach_service_name", "hardened_runtime", "timestamp", "certificate", "stapled", "macho_platform"}
_PROFILE_KEYS = {"type", "entitlements_update", "entitlements", "expired", "devices", "team_id"}


@dataclass(frozen=True)
class Story:
    path: Path
    id: str
    source: str
    description: str
    log: str
    expected: str | None
    also_acceptable: tuple[str, ...]
    visible: bool  # the bundle or the Mac shows the fault: expected first from them alone
    channel: str
    provider_type: str | None  # None: the app has no provider bundle
    packaging: str
    bundle: dict[str, Any] = field(default_factory=dict)
    mac: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> set[str]:
        return {d for d in (self.expected, *self.also_acceptable) if d}

    @property
    def platform(self) -> str:
        return self.channel.split("-", 1)[0]


def load_story(path: Path) -> Story:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    setup = data["setup"]
    exp = data["expected"]
    return Story(
        path=path,
        id=str(data["id"]),
        source=str(data["source"]),
        description=" ".join(str(data.get("description") or "").split()),
        log=str(data.get("log") or ""),
        expected=exp.get("diagnosis"),
        also_acceptable=tuple(exp.get("also_acceptable") or ()),
        visible=bool(data["visible"]),
        channel=str(setup["channel"]),
        provider_type=setup.get("provider_type"),
        packaging=str(setup.get("packaging", "appex")),
        bundle=dict(data.get("bundle") or {}),
        mac=dict(data.get("mac") or {}),
    )


def all_stories() -> list[Story]:
    return [load_story(p) for p in sorted(STORIES.glob("*.yaml"))]


# ---- the bundle ----------------------------------------------------------------------------
def _profile(base: ProfileSpec | str | None, change: dict[str, Any] | None) -> ProfileSpec | str | None:
    if change is None:
        return None  # `profile: null`: no embedded profile
    unknown = set(change) - _PROFILE_KEYS
    if unknown:
        raise ValueError(f"unknown profile keys {sorted(unknown)}")
    spec = base if isinstance(base, ProfileSpec) else ProfileSpec()
    update = {**spec.entitlements_update, **(change.get("entitlements_update") or {})}
    fields = {k: v for k, v in change.items() if k != "entitlements_update"}
    return replace(spec, entitlements_update=update, **fields)


def _code(spec: Any, change: dict[str, Any]) -> Any:
    fields: dict[str, Any] = {}
    for key, value in change.items():
        if key == "profile":
            fields["profile"] = _profile(spec.profile, value)
        elif key in ("entitlements_update", "info_update"):
            fields[key] = {**getattr(spec, key), **(value or {})}
        elif key in ("frameworks", "links"):
            fields[key] = tuple(value)
        elif key in _CODE_KEYS:
            fields[key] = value
        else:
            raise ValueError(f"unknown bundle key {key!r}")
    return replace(spec, **fields)


def build_bundle(story: Story, dest: Path) -> Path:
    """The story's app as `<dest>/<name>.app`."""
    kwargs = channel_build(story.channel, story.provider_type or "packet-tunnel", story.packaging)
    change = story.bundle
    app: AppSpec = _code(kwargs["app"], change.get("app") or {})
    providers: list[ProviderSpec] = [_code(p, change.get("provider") or {}) for p in kwargs["providers"]]
    # More providers of the same kind and type (an app with two tunnels), each as the first one changed.
    providers += [_code(providers[0], more) for more in change.get("more_providers") or []]
    if story.provider_type is None or change.get("providers_embedded") is False:
        providers = []
    signing = change.get("signing", kwargs["signing"])
    built = build_app(dest, platform=kwargs["platform"], app=app, providers=providers, signing=signing, team_id=kwargs["team_id"])
    return built.app_dir


# ---- the Mac -------------------------------------------------------------------------------
_SYSEX_STATES = {
    "waiting-for-user": waiting_for_user,
    "disabled": disabled_by_user,
    "not-installed": not_installed,
    "waiting-to-upgrade": upgrade_waits_for_reboot,
}
_CONFIGURATIONS = {
    "another-selected": another_vpn_selected,
    "names-another-provider": configuration_names_another_provider,
    "none": no_configuration_saved,
}


def _older_sysex(state: MacState, version: tuple[str, str]) -> None:
    """The running system extension is an older build than the bundle's (never replaced)."""
    ids = {p.bundle_id for p in state.providers if p.kind == "sysex"}
    state.sysex_rows = [
        replace(r, short_version=version[0], bundle_version=version[1]) if r.bundle_id in ids else r for r in state.sysex_rows
    ]


def declare_mac(story: Story, app: Path, applications: Path, site: FaultSite) -> MacState:
    state = healthy_mac(app, story.channel, applications)
    mac = story.mac
    if story.platform == "ios":
        return state  # an iOS app examined on a Mac: nothing of the Mac concerns it
    if "os" in mac:
        state.os_version, state.os_build = str(mac["os"][0]), str(mac["os"][1])
    if "sip" in mac:
        state.sip = str(mac["sip"])
    if mac.get("quarantine"):
        state.quarantine = QUARANTINE
    if mac.get("gatekeeper") == "unnotarized":
        unnotarized(state, site)
    if "sysex" in mac:
        _SYSEX_STATES[str(mac["sysex"])](state, site)
    if "running_sysex_version" in mac:
        _older_sysex(state, tuple(str(v) for v in mac["running_sysex_version"]))  # type: ignore[arg-type]
    if mac.get("older_build_registered"):
        stale_copy(state, site)
    if "configuration" in mac:
        _CONFIGURATIONS[str(mac["configuration"])](state, site)
    for row in mac.get("other_sysex") or []:
        state.sysex_rows.append(out.SysexEntry(row.get("team", TEAM_ID), row["id"], row.get("version", "1.0"), row.get("build", "1"), row.get("name", "Extension"), row.get("state", "activated enabled"), row.get("enabled", True), row.get("active", True)))
    for reg in mac.get("other_apps") or []:
        state.registrations.append(Registration(reg["path"], reg["id"], reg.get("kind", "app"), reg.get("version", "1.0"), reg.get("extension_point"), reg.get("election", " ")))
    for conf in mac.get("other_configurations") or []:
        service = out.VpnService(conf["service"], conf["owner"], conf["name"], enabled=bool(conf.get("enabled", False)))
        state.configurations.append(Configuration(service, conf["provider"]))
    state.log_lines += [str(line) for line in mac.get("log") or []]
    return state


@dataclass
class Built:
    story: Story
    app: Path
    mac: FakeMac
    log_file: Path


def build_story(story: Story, dest: Path) -> Built:
    """Write the story's bundle where its Mac keeps it, and its fake Mac's tools."""
    case = dest.resolve() / story.id
    shutil.rmtree(case, ignore_errors=True)
    applications = case / "Applications"
    applications.mkdir(parents=True)
    folder = case / LOCATIONS[str(story.mac.get("location", "applications"))]
    app = build_bundle(story, folder)
    setup = Setup(story.channel, story.provider_type or "packet-tunnel", story.packaging)
    site = FaultSite(case, setup, lambda d, s: d)  # no story's Mac holds a second build of another setup
    state = declare_mac(story, app, applications, site)
    log_file = case / "quoted.log"
    log_file.write_text(story.log, encoding="utf-8")
    tools = scenario(state)
    if story.bundle.get("signing") == "ad-hoc":
        _adhoc_codesign(tools, state)
    return Built(story, app, FakeMac(case / "mac", tools), log_file)


def _adhoc_display(component: Component) -> str:
    """stderr of `codesign -d -vvv` on ad hoc signed code ("Sign to Run Locally", Simulator builds)."""
    return (
        f"Executable={component.executable}\nIdentifier={component.bundle_id}\nFormat=app bundle with Mach-O thin (arm64)\n"
        "CodeDirectory v=20400 size=1021 flags=0x2(adhoc) hashes=21+7 location=embedded\n"
        "Hash type=sha256 size=32\nSignature=adhoc\nInfo.plist entries=24\nTeamIdentifier=not set\n"
        "Sealed Resources version=2 rules=13 files=9\nInternal requirements count=0 size=12\n"
    )


def _adhoc_codesign(tools: Scenario, state: MacState) -> None:
    """The Mac's codesign describes the story's ad hoc signed bundles as ad hoc."""
    by_path = {c.path: c for c in state.components}
    for rule in tools.tools["codesign"]:
        if rule.args and rule.args[:2] == ["-d", "-vvv"] and rule.args[-1] in by_path:
            rule.reply = Reply(stderr=_adhoc_display(by_path[rule.args[-1]]))


# ---- running advisor -----------------------------------------------------------------------
@dataclass
class Outcome:
    story: Story
    mode: str
    ranked: list[tuple[str, str]]  # (diagnosis id, status), best first
    error: str = ""

    @property
    def first(self) -> str | None:
        return self.ranked[0][0] if self.ranked else None

    @property
    def top3(self) -> list[str]:
        return [d for d, _ in self.ranked[:3]]

    @property
    def confirmed(self) -> list[str]:
        return [d for d, s in self.ranked if s == "confirmed"]

    @property
    def wrong_confirmed(self) -> list[str]:
        return [d for d in self.confirmed if d not in self.story.accepted]

    @property
    def right(self) -> bool:
        return self.first in self.story.accepted

    @property
    def in_top3(self) -> bool:
        return any(d in self.story.accepted for d in self.top3)

    def rank_of_expected(self) -> int | None:
        ids = [d for d, _ in self.ranked]
        ranks = [ids.index(d) for d in self.story.accepted if d in ids]
        return min(ranks) + 1 if ranks else None


def run_mode(built: Built, mode: str) -> Outcome:
    """`advisor diagnose` in this process, the way `mode` says, on the story's fake Mac."""
    from advisor.cli import main

    story = built.story
    report = built.log_file.with_name(f"report-{mode}.json")
    argv = ["diagnose", "--format", "json", "--output", str(report)]
    if mode in (MODE_BUNDLE, MODE_FULL):
        argv += ["--app", str(built.app), "--probe", "yes"]
    if mode in (MODE_FULL, MODE_TEXT):
        if story.description:
            argv += ["--describe", story.description]
        argv += ["--log", str(built.log_file)]
    env: dict[str, str | None] = {"PATH": built.mac.path, "ADVISOR_APPLICATIONS_DIR": built.mac.scenario.applications_dir, "ADVISOR_LSREGISTER": None}
    if mode == MODE_TEXT:
        env = {"PATH": str(built.mac.root / "no-tools"), "ADVISOR_APPLICATIONS_DIR": None, "ADVISOR_LSREGISTER": None}
    err = io.StringIO()
    report.unlink(missing_ok=True)
    with environment(env), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = main(argv)
    if status not in (0, 1) or not report.is_file():
        return Outcome(story, mode, [], f"exit {status}: {err.getvalue().strip()[:300]}")
    result = json.loads(report.read_text())
    ranked = [(str(d["id"]), str(d.get("status"))) for d in result.get("diagnoses") or []]
    return Outcome(story, mode, ranked)
