"""A fake Mac for tests on any OS: fake macOS tools first on PATH, bundles on disk.

Reusable by every test that needs probes to run (probes, diagnose, collect, TUI):

    from tests.fake_mac import FakeMac, Scenario, Reply, Rule, always, when, seed_mac, broken

* `FakeMac(root, scenario)` writes one executable per tool into `root/bin`; `.env()` gives a
  subprocess environment (PATH = the fake tools only, ADVISOR_APPLICATIONS_DIR set),
  `.activate(monkeypatch)` does the same for the test process, `.calls()` lists every call.
* `Scenario(tools={name: [Rule, ...]}, applications_dir=...)`: first matching rule replies;
  `Rule(args, reply)` matches argument lists with fnmatch patterns (`None` = any call).
  `.with_tool(name, rules)` / `.without_tool(name)` derive variants.
* `Reply(stdout, stderr, exit_code, hang_seconds, stdout_megabytes, garbage_bytes,
  spawn_child, echo_env, echo_argv)`.
* `seed_mac(tmp)` builds the seed thread's Mac; `broken(kind)` gives a misbehaving tool.
* `outputs` has realistic output for each tool; `bundles.make_plist_app` writes Info.plist-only
  bundles (tests/fixtures/bundle_builder writes signed, inspectable ones).
* Whole Macs, declared rather than scripted: `channels.build_setup(dest, Setup(channel,
  provider_type, packaging))` writes a correct bundle of any distribution channel
  (`store_signing` adds Apple's store and TestFlight signers to the builder);
  `mac_state.healthy_mac(app, channel, applications)` declares the Mac it works on and
  `mac_state.scenario(state)` renders every tool's replies from it; `mac_faults.MAC_FAULTS`
  change one thing each (tests/matrix/mac_cases runs them all).
"""

from tests.fake_mac import outputs
from tests.fake_mac.bundles import PACKET_TUNNEL, ProviderPlist, make_plist_app
from tests.fake_mac.seed import APP_ID, PROVIDER_ID, SERVICE_ID, TEAM_ID, UDID, SeedMac, broken, seed_mac
from tests.fake_mac.toolbox import HANG_SECONDS, Call, FakeMac, Reply, Rule, Scenario, always, when

__all__ = [
    "APP_ID",
    "HANG_SECONDS",
    "PACKET_TUNNEL",
    "PROVIDER_ID",
    "SERVICE_ID",
    "TEAM_ID",
    "UDID",
    "Call",
    "FakeMac",
    "ProviderPlist",
    "Reply",
    "Rule",
    "Scenario",
    "SeedMac",
    "always",
    "broken",
    "make_plist_app",
    "outputs",
    "seed_mac",
    "when",
]
