"""`advisor triage` on a large generated log, against `grep -F -f` on the same file.

A 1,000,000-line `log show` export (about 150 MB, default and compact styles) of ordinary macOS
chatter with 0.1 % Network Extension lines (catalog messages with varied ids, pids and UUIDs).
Baseline: `grep -F -c -f FILE` with the catalog's fixed strings (each signature's `text`); also
shown, grep with the triage prefilter's own anchors (a stricter baseline: grep runs fastest on
short distinctive strings). All commands run on the same file in the same run, interleaved.
Targets: triage median <= 4x the catalog-strings grep; triage peak memory <= 100 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
from pathlib import Path

from measure import PYTHON, interleaved_medians, peak_rss_mb_of, report, run_process

PROCESSES = [
    "kernel", "mDNSResponder", "runningboardd", "WindowServer", "trustd", "launchd", "symptomsd",
    "cfprefsd", "bluetoothd", "locationd", "powerd", "apsd", "Safari", "loginwindow", "configd",
    "identityservicesd", "airportd", "coreaudiod", "Finder", "Dock", "nesessionmanager", "neagent",
    "nehelper", "sysextd", "amfid", "syspolicyd", "securityd", "taskgated-helper", "ExampleVPN",
]
SUBSYSTEMS = [
    "com.apple.runningboard:process", "com.apple.mDNSResponder:Default", "com.apple.network:connection",
    "com.apple.xpc:connection", "com.apple.symptomsd:analytics", "com.apple.defaults:User Defaults",
    "com.apple.networkextension:", "com.apple.sx:XPC", "com.apple.securityd:trust", "com.apple.launchservices:open",
]
# Ordinary log chatter, shaped like real lines (capitals, error domains, ids, paths, hex).
CHATTER = [
    "[0x{hex}] activating connection: mach=true listener=false peer=false name=com.apple.{word}.xpc",
    "Acquiring assertion targeting [app<application.com.apple.{word}.{num}>:{num}]",
    "nw_connection_report_state_with_handler_on_nw_queue [C{num}] reporting state ready",
    "CFPrefsPlistSource<0x{hex}> (Domain: com.apple.{word}, User: kCFPreferencesCurrentUser)",
    "Trust evaluate result: {num} for {Word}.apple.com",
    "tcp_connection_{word} [C{num}.1] event: flow:finish_connect @{num}.{num}s",
    "Process {Word}[{num}] exited with status 0",
    "NESMVPNSession[Primary Tunnel:Example VPN:{uuid}:(null)]: status changed to connected",
    "boringssl_context_info_handler({num}) [C{num}.1.1:2][0x{hex}] Client handshake done",
    "Updating path for interface en0: satisfied (Path is satisfied), interface: en0[802.11], ipv4, dns",
    "Task <{uuid}>.<{num}> finished with error [-999] Error Domain=NSURLErrorDomain Code=-999",
    "LSExceptions shared instance invalidated for timeout.",
    "Resolve via {Word}Service returned Error Domain=NSOSStatusErrorDomain Code=-10814",
    "[{Word}] Submitting {word} request for bundle com.apple.{word}",
    "Registered for notification com.apple.{word}.{Word}Changed in client {num}",
    "Loaded Info.plist for {Word} version 1.{num}",
    "Entering exit handler. Received SIGTERM for pid {num}.",
    "Sending HID event to {Word}: {num} ({hex})",
    "setting up {Word} listener for uid {num}",
    "{Word}: inserted {num} items, deleted 0, elapsed {num} ms",
]
WORDS = ["photos", "mail", "music", "finder", "spotlight", "icloud", "network", "weather", "calendar", "maps", "notes", "xcode"]
FILL = re.compile(r"\{(hex|num|word|Word|uuid)\}")
PLACEHOLDERS = {
    "<id>": lambda r: f"com.example{r.randrange(100)}.vpn.{r.choice(['tunnel', 'filter', 'proxy'])}",
    "<uuid>": lambda r: f"{r.getrandbits(32):08X}-1A2B-4C3D-9E8F-{r.getrandbits(48):012X}",
    "<path>": lambda r: f"/Applications/Example{r.randrange(100)}.app/Contents/Library/SystemExtensions/x.systemextension",
    "<hex>": lambda r: f"0x{r.getrandbits(48):012x}",
    "<n>": lambda r: str(r.randrange(50, 99999)),
}


def _fill(template: str, rng: random.Random) -> str:
    def value(m: re.Match[str]) -> str:
        kind = m.group(1)
        if kind == "hex":
            return f"{rng.getrandbits(48):012x}"
        if kind == "num":
            return str(rng.randrange(1, 99999))
        if kind == "uuid":
            return PLACEHOLDERS["<uuid>"](rng)
        word = rng.choice(WORDS)
        return word.capitalize() if kind == "Word" else word

    return FILL.sub(value, template)


def relevant_messages(rng: random.Random) -> list[str]:
    """The catalog's texts with their placeholders filled (what real NE lines look like)."""
    from advisor.knowledge.loader import load_knowledge

    out = []
    for sig in load_knowledge().signatures.values():
        text = sig.text
        for placeholder, make in PLACEHOLDERS.items():
            while placeholder in text:
                text = text.replace(placeholder, make(rng), 1)
        out.append(text)
    return out


def write_log(path: Path, lines: int, relevant_share: float, seed: int = 1) -> int:
    rng = random.Random(seed)
    relevant = relevant_messages(rng)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            if rng.random() < relevant_share:
                message = rng.choice(relevant)
                written += 1
            else:
                message = _fill(rng.choice(CHATTER), rng)
            process = rng.choice(PROCESSES)
            clock = f"10:{i // 60000 % 60:02d}:{i // 1000 % 60:02d}"
            if i % 2:  # log show --style compact
                out.write(f"2025-11-04 {clock}.{i % 1000:03d} Df {process}[{rng.randrange(50, 9999)}:{rng.getrandbits(16):x}] "
                          f"[{rng.choice(SUBSYSTEMS)}] {message}\n")
            else:  # log show default style
                out.write(f"2025-11-04 {clock}.{i % 1000000:06d}-0700 0x{rng.getrandbits(20):<7x} Default 0x0 "
                          f"{rng.randrange(50, 9999):<5} 0 {process}: [{rng.choice(SUBSYSTEMS)}] {message}\n")
    return written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from advisor.knowledge.loader import load_knowledge
    from advisor.triage import LogTriage

    kb = load_knowledge()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "big.log"
        relevant = write_log(log, args.lines, 0.001)
        texts = Path(tmp) / "catalog-strings.txt"
        texts.write_text("\n".join(sig.text for sig in kb.signatures.values()) + "\n", encoding="utf-8")
        anchors = Path(tmp) / "prefilter-anchors.txt"
        anchors.write_text("\n".join(LogTriage(kb).index.anchors) + "\n", encoding="utf-8")
        commands = {
            "grep texts": ["grep", "-F", "-c", "-f", str(texts), str(log)],
            "grep anchors": ["grep", "-F", "-c", "-f", str(anchors), str(log)],
            "triage": [PYTHON, "-m", "advisor", "triage", str(log), "--format", "json"],
        }
        medians = interleaved_medians(commands, args.runs)
        found = {name: run_process(argv).stdout.strip() for name, argv in commands.items() if name.startswith("grep")}
        triaged = json.loads(run_process(commands["triage"]).stdout)
        peak = peak_rss_mb_of(commands["triage"])
        ratio = medians["triage"] / medians["grep texts"]
        strict = medians["triage"] / medians["grep anchors"]
        report(
            "advisor triage on a generated log",
            [
                ("log", f"{args.lines:,} lines, {log.stat().st_size / 1e6:.0f} MB, {relevant} catalog lines ({relevant / args.lines:.2%})"),
                ("triage found", f"{sum(m['count'] for m in triaged['matches'])} lines ({len(triaged['matches'])} distinct) of {triaged['lines_read']:,}"),
                ("runs (interleaved)", str(args.runs)),
                ("grep -F -c -f <catalog texts>", f"{medians['grep texts']:.2f} s median ({found['grep texts']} lines)"),
                ("grep -F -c -f <prefilter anchors>", f"{medians['grep anchors']:.2f} s median ({found['grep anchors']} lines)"),
                ("advisor triage --format json", f"{medians['triage']:.2f} s median"),
                ("ratio to catalog-strings grep (target <= 4)", f"{ratio:.2f}x {'met' if ratio <= 4 else 'NOT met'}"),
                ("ratio to anchors grep (stricter)", f"{strict:.2f}x"),
                ("triage peak memory (target <= 100 MB)", f"{peak:.0f} MB {'met' if peak <= 100 else 'NOT met'}"),
            ],
        )


if __name__ == "__main__":
    main()
