"""Print the healthy and fault matrices (fault x channel, pass/fail, with counts).

The bundle matrix (tests/matrix/bundle_cases.py) is always run; the Mac-state matrix
(tests/matrix/mac_cases.py) too when it exists. A healthy case passes with no error finding and
no confirmed diagnosis; a fault case when its diagnosis ranks first and nothing else is
confirmed. Hints (faults only a warning-level rule sees) pass when their diagnosis is listed and
nothing is confirmed; the rank they reach is shown. Exits 1 when any case fails.

    .venv/bin/python bench/matrix.py [--jobs N] [--only bundle|mac] [--verbose]
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.matrix.model import CHANNELS, HEALTHY, MatrixCase, MatrixOutcome  # noqa: E402

_SHORT = {
    "macos-development": "mac-dev",
    "macos-developer-id": "mac-devid",
    "macos-app-store": "mac-store",
    "macos-testflight": "mac-tf",
    "ios-development": "ios-dev",
    "ios-app-store": "ios-store",
    "ios-testflight": "ios-tf",
    "ios-ad-hoc": "ios-adhoc",
    "ios-enterprise": "ios-ent",
}


def _matrix_modules(only: str | None) -> dict[str, ModuleType]:
    modules: dict[str, ModuleType] = {}
    for label, name in (("bundle", "tests.matrix.bundle_cases"), ("mac", "tests.matrix.mac_cases")):
        if only and only != label:
            continue
        try:
            modules[label] = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


Result = tuple[str, bool, MatrixOutcome, int | None]  # matrix, hint?, outcome, rank of the fault


def _run_one(label: str, index: int, hint: bool, workdir: str) -> Result:
    module = importlib.import_module(f"tests.matrix.{'bundle_cases' if label == 'bundle' else 'mac_cases'}")
    cases = _cases(module, hint)
    case = cases[index]
    if not hint:
        return label, False, module.run_case(case, Path(workdir) / f"{label}-{index}"), None
    path, udid = module.build_case(case, Path(workdir) / f"{label}-hint-{index}")
    investigation = module.diagnose(path, udid)
    ranked = investigation.diagnoses()
    ids = [a.id for a in ranked]
    findings = (investigation.bundle or {}).get("findings", [])
    outcome = MatrixOutcome(
        case,
        top=ids[0] if ids else None,
        confirmed=[a.id for a in ranked if str(a.status) == "confirmed"],
        error_findings=[f["rule"] for f in findings if f["severity"] == "error"],
        detail="; ".join(f"{a.id} {a.status} {a.score}" for a in ranked[:3]),
    )
    return label, True, outcome, (ids.index(case.fault) + 1 if case.fault in ids else None)


def _cases(module: ModuleType, hint: bool) -> list[MatrixCase]:
    if hint:
        return list(module.hint_cases()) if hasattr(module, "hint_cases") else []
    return list(module.all_cases())


def _grid(title: str, rows: dict[str, dict[str, list[bool]]], extra: Callable[[str], str] | None = None) -> list[str]:
    width = max([len(r) for r in rows] + [len(title)]) + 2
    lines = [title.ljust(width) + "".join(_SHORT[c].rjust(10) for c in CHANNELS) + "     total"]
    for row in sorted(rows):
        cells = rows[row]
        out = row.ljust(width)
        passed = total = 0
        for channel in CHANNELS:
            results = cells.get(channel, [])
            passed += sum(results)
            total += len(results)
            if not results:
                out += "-".rjust(10)
            else:
                mark = f"{sum(results)}/{len(results)}"
                out += (mark if all(results) else f"FAIL {mark}").rjust(10)
        out += f"{passed:>6}/{total:<4}"
        if extra:
            out += extra(row)
        lines.append(out)
    return lines


def _print_rich(work: str) -> None:
    """The third section: one fault in a rich bundle (tests/matrix/rich_fault_cases)."""
    from tests.matrix import rich_fault_cases as rich

    builder = rich.Builder(Path(work) / "rich")
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # cases, first, confirmed, other confirmed, unrelated errors
    failing: list[str] = []
    for n, case in enumerate(rich.all_cases()):
        run = rich.run_case(case, builder, Path(work) / "rich-case" / str(n))
        row = rows[f"{case.fault}/{case.variant.split('/')[0]}"]
        row[0] += 1
        row[1] += run.outcome.top == case.fault
        row[2] += run.fault_confirmed
        row[3] += bool([c for c in run.outcome.confirmed if c != case.fault])
        row[4] += bool(run.unrelated_errors)
        if rich.verdict(run):
            failing.append(f"  FAIL {case.name}: {rich.verdict(run)}")
    width = max(len(r) for r in rows) + 2
    print("== rich fault matrix (one fault in a rich bundle)")
    print("fault".ljust(width) + "cases  first  confirmed  other-confirmed  unrelated-errors")
    for key in sorted(rows):
        c, f, k, o, u = rows[key]
        print(key.ljust(width) + f"{c:>5}  {f:>5}  {k:>9}  {o:>15}  {u:>16}")
    total = [sum(r[i] for r in rows.values()) for i in range(5)]
    print("total".ljust(width) + f"{total[0]:>5}  {total[1]:>5}  {total[2]:>9}  {total[3]:>15}  {total[4]:>16}")
    print(f"{len(failing)} rich case(s) failing")
    print("\n".join(failing))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--only", choices=("bundle", "mac", "rich"), help="run one matrix")
    parser.add_argument("--verbose", action="store_true", help="print every failing case with its ranking")
    ns = parser.parse_args(argv)
    modules = _matrix_modules(ns.only)
    work = tempfile.mkdtemp(prefix="advisor-matrix-")
    jobs = [(label, i, hint) for label, module in modules.items() for hint in (False, True) for i in range(len(_cases(module, hint)))]
    start = time.perf_counter()
    results: list[Result] = []
    if ns.jobs > 1:
        with ProcessPoolExecutor(ns.jobs) as pool:
            results = list(pool.map(_run_one, *zip(*[(label, i, hint, work) for label, i, hint in jobs], strict=True), chunksize=8))
    else:
        results = [_run_one(label, i, hint, work) for label, i, hint in jobs]
    elapsed = time.perf_counter() - start

    failures: list[tuple[str, MatrixOutcome]] = []
    report: list[str] = []
    for label in modules:
        outcomes = [(o, rank) for lab, hint, o, rank in results if lab == label and not hint]
        healthy: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
        faults: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
        for outcome, _ in outcomes:
            case = outcome.case
            if case.fault == HEALTHY:
                row = f"{case.provider_type}/{case.packaging}" + (f" [{case.variant}]" if case.variant else "")
                healthy[row][case.channel].append(outcome.passed)
            else:
                faults[f"{case.fault}/{case.variant}" if case.variant else case.fault][case.channel].append(outcome.passed)
            if not outcome.passed:
                failures.append((label, outcome))
        n_healthy = sum(1 for o, _ in outcomes if o.case.fault == HEALTHY)
        n_fault = len(outcomes) - n_healthy
        ok_healthy = sum(1 for o, _ in outcomes if o.case.fault == HEALTHY and o.passed)
        ok_fault = sum(1 for o, _ in outcomes if o.case.fault != HEALTHY and o.passed)
        report.append(f"== {label} matrix: {len(outcomes)} cases; healthy {ok_healthy}/{n_healthy} passed, faults {ok_fault}/{n_fault} passed")
        report += _grid("healthy (no error finding, nothing confirmed)", healthy)
        report.append("")
        report += _grid("fault (ranks first, nothing else confirmed)", faults)
        hint_results = [(o, rank) for lab, hint, o, rank in results if lab == label and hint]
        if hint_results:
            hints: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
            ranks: dict[str, list[int | None]] = defaultdict(list)
            for outcome, rank in hint_results:
                ok = rank is not None and not outcome.confirmed and not outcome.error_findings
                key = f"{outcome.case.fault}/{outcome.case.variant}"
                hints[key][outcome.case.channel].append(ok)
                ranks[key].append(rank)
                if not ok:
                    failures.append((label, outcome))

            def rank_text(row: str, ranks: dict[str, list[int | None]] = ranks) -> str:
                seen = ranks[row]
                firsts = sum(1 for r in seen if r == 1)
                worst = max((r for r in seen if r is not None), default=0)
                return f"   first in {firsts}/{len(seen)}, worst rank {worst}"

            n_ok = sum(1 for o, r in hint_results if r is not None and not o.confirmed and not o.error_findings)
            report.append("")
            report += _grid(f"hint (listed, nothing confirmed): {n_ok}/{len(hint_results)}", hints, rank_text)
        report.append("")
    print("\n".join(report))
    total = len(results)
    print(f"{total} cases in {elapsed:.1f} s ({elapsed / max(total, 1) * 1000:.0f} ms a case, {ns.jobs} job(s)); {len(failures)} failing")
    if not ns.only or ns.only == "rich":
        print()
        _print_rich(work)
    if failures and ns.verbose:
        for label, outcome in failures:
            print(f"  FAIL [{label}] {outcome.case.name}: top={outcome.top} confirmed={outcome.confirmed} "
                  f"errors={outcome.error_findings} :: {outcome.detail}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
