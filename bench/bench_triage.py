"""`advisor triage` on a large generated log, against `grep -F -f` on the same file.

A 1,000,000-line `log show` export (about 150 MB, default and compact styles) of ordinary macOS
chatter with 0.1 % Network Extension lines (catalog messages with varied ids, pids and UUIDs).
Baseline: `grep -F -c -f FILE` with the catalog's fixed strings (each signature's `text`); also
shown, grep with the triage prefilter's own anchors (a stricter baseline: grep runs fastest on
short distinctive strings). All commands run on the same file in the same run, interleaved.
Targets: triage median <= 4x the catalog-strings grep; triage peak memory <= 100 MB.

Worst cases (issue 12, #17), each against a baseline run on the same input in the same run:
* 300,000 lines that all match (catalog messages, each line distinct: a counter at the end),
  and 300,000 that all match with the messages repeating (ids, UUIDs and pids varying), against
  `grep -F -c -f` with the catalog texts on the same file;
* a 120,000-character description against a one-line one.
`--against DIR` also runs each case with the advisor checkout in DIR (say, main before the fix),
interleaved, and prints the ratio of this checkout to it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from measure import PYTHON, REPO, interleaved_medians, peak_rss_mb_of, report, run_process

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


def write_matching_log(path: Path, lines: int, distinct: bool, seed: int = 2) -> None:
    """Every line a catalog message: distinct (a counter ends each) or repeating (fresh ids,
    UUIDs and pids every 1,000 lines, which normalising folds)."""
    rng = random.Random(seed)
    messages: list[str] = []
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            if i % 1000 == 0:
                messages = relevant_messages(rng)
            message = messages[i % len(messages)] + (f" attempt {i}" if distinct else "")
            out.write(f"2025-11-04 10:{i // 60000 % 60:02d}:{i // 1000 % 60:02d}.{i % 1000:03d} Df nesessionmanager"
                      f"[{rng.randrange(50, 9999)}:{rng.getrandbits(16):x}] [{rng.choice(SUBSYSTEMS)}] {message}\n")


def _seconds(argv: list[str], cwd: Path) -> float:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(cwd)
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, cwd=str(cwd), env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[:4]} failed ({proc.returncode}): {proc.stderr[-400:]!r}")
    return elapsed


def _medians(commands: dict[str, tuple[list[str], Path]], runs: int) -> dict[str, float]:
    """Interleaved (A B C A B C ...) so machine noise hits every command alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (argv, cwd) in commands.items():
            samples[name].append(_seconds(argv, cwd))
    return {name: statistics.median(values) for name, values in samples.items()}


def worst_cases(runs: int, against: Path | None, lines: int) -> None:
    """Issue 12, #17: logs where every line matches, and a description at the argument limit."""
    from advisor.knowledge.loader import load_knowledge

    kb = load_knowledge()
    checkouts = {"this checkout": REPO} | ({"--against": against} if against else {})
    with tempfile.TemporaryDirectory() as tmp:
        texts = Path(tmp) / "catalog-strings.txt"
        texts.write_text("\n".join(sig.text for sig in kb.signatures.values()) + "\n", encoding="utf-8")
        for distinct in (True, False):
            log = Path(tmp) / f"matching-{distinct}.log"
            write_matching_log(log, lines, distinct)
            commands = {"grep texts": (["grep", "-F", "-c", "-f", str(texts), str(log)], REPO)}
            for label, checkout in checkouts.items():
                commands[f"triage ({label})"] = ([PYTHON, "-m", "advisor", "triage", str(log), "--format", "json"], checkout)
            medians = _medians(commands, runs)
            kind = "distinct (a counter ends each line)" if distinct else "repeating (ids, UUIDs, pids vary)"
            rows = [
                ("log", f"{lines:,} lines, all matching, {kind}, {log.stat().st_size / 1e6:.0f} MB"),
                ("runs (interleaved)", str(runs)),
                ("grep -F -c -f <catalog texts> (baseline)", f"{medians['grep texts']:.2f} s median"),
            ]
            for label in checkouts:
                value = medians[f"triage ({label})"]
                rows.append((f"advisor triage, {label}", f"{value:.2f} s median, {value / medians['grep texts']:.1f}x grep"))
            if against:
                ratio = medians["triage (this checkout)"] / medians["triage (--against)"]
                rows.append(("this checkout / --against", f"{ratio:.2f} ({1 / ratio:.1f}x faster)"))
            report("advisor triage when most lines match (issue 12, #17)", rows)
            log.unlink()
    quoted = "Signature check failed: code failed to satisfy specified code requirement(s)"
    long_text = (f"It fails: {quoted}. " + "nothing helps after a reinstall, " * 4000)[:120_000]
    commands = {}
    for label, checkout in checkouts.items():
        commands[f"short ({label})"] = ([PYTHON, "-m", "advisor", "diagnose", "--describe", f"It fails: {quoted}", "--format", "json"], checkout)
        commands[f"120,000 chars ({label})"] = ([PYTHON, "-m", "advisor", "diagnose", "--describe", long_text, "--format", "json"], checkout)
    medians = _medians(commands, runs)
    rows = [("runs (interleaved)", str(runs))]
    for label in checkouts:
        short, long = medians[f"short ({label})"], medians[f"120,000 chars ({label})"]
        rows.append((f"diagnose --describe, one line ({label}, baseline)", f"{short:.2f} s median"))
        rows.append((f"diagnose --describe, 120,000 characters ({label})", f"{long:.2f} s median, {long / short:.1f}x the one-line run"))
    if against:
        ratio = medians["120,000 chars (this checkout)"] / medians["120,000 chars (--against)"]
        rows.append(("this checkout / --against, long description", f"{ratio:.2f} ({1 / ratio:.1f}x faster)"))
    report("a very long description (issue 12, #17)", rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--worst-lines", type=int, default=300_000, help="lines of the all-matching logs")
    parser.add_argument("--worst-runs", type=int, default=3, help="runs of each worst case")
    parser.add_argument("--against", type=Path, help="another advisor checkout (e.g. main) to compare the worst cases with")
    parser.add_argument("--only-worst", action="store_true", help="skip the 1,000,000-line log")
    args = parser.parse_args()
    worst_cases(args.worst_runs, args.against.resolve() if args.against else None, args.worst_lines)
    if args.only_worst:
        return
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
