"""The Mac-state half of the matrix: the healthy Mac of every setup, and one Mac fault at a time.

Every case builds (once per work folder, then copies) a correct bundle of its setup
(tests/fake_mac/channels), declares the healthy Mac it works on (tests/fake_mac/mac_state),
injects at most one fault (tests/fake_mac/mac_faults), puts that Mac's fake tools first on PATH
and runs advisor in this process through `advisor.cli.main`, as a user would:

* VIA_PROBE: `advisor diagnose --app APP --probe yes --describe TEXT --format json`;
* VIA_COLLECT: `advisor collect --app APP --describe TEXT --output T` on the fake Mac, then
  `advisor diagnose --from T --format json` elsewhere (the fake tools off PATH).

The description is generic and no answer is given: the Mac and the bundle must speak for
themselves. `run_case` changes this process's environment while a case runs (PATH and
ADVISOR_APPLICATIONS_DIR) and restores it: run cases one at a time in a process.

    from tests.matrix.mac_cases import all_cases, run_case
    outcome = run_case(all_cases()[0], Path("/tmp/matrix"))
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.fake_mac.channels import APP_NAME, Setup, build_setup, healthy_setups
from tests.fake_mac.mac_faults import HEALTHY_VARIANTS, MAC_FAULTS, FaultSite, MacFault, fault_named
from tests.fake_mac.mac_state import healthy_mac, scenario
from tests.fake_mac.toolbox import FakeMac
from tests.matrix.model import CHANNELS, HEALTHY, VIA_COLLECT, VIA_PROBE, MatrixCase, MatrixOutcome

GENERIC_DESCRIPTION = "The VPN does not work."  # matches no symptom and resembles no cause
VIAS = (VIA_PROBE, VIA_COLLECT)
_ENVIRONMENT = ("PATH", "ADVISOR_APPLICATIONS_DIR", "ADVISOR_LSREGISTER")


# ---- the cases ---------------------------------------------------------------------------
def fault_setups(fault: MacFault, rotation: int = 0) -> list[Setup]:
    """One setup per channel where the fault can happen (per channel and packaging when its
    mechanism differs by packaging); provider types rotate so that faults cover them all."""
    groups: dict[tuple[str, ...], list[Setup]] = {}
    for setup in healthy_setups():
        if fault.fits(setup):
            key = (setup.channel, setup.packaging) if fault.per_packaging else (setup.channel,)
            groups.setdefault(key, []).append(setup)
    return [options[(rotation + n) % len(options)] for n, options in enumerate(groups.values())]


def all_cases() -> list[MatrixCase]:
    cases: list[MatrixCase] = []
    for setup in healthy_setups():
        cases += [MatrixCase(HEALTHY, setup.channel, setup.provider_type, setup.packaging, via) for via in VIAS]
    for rotation, fault in enumerate((*MAC_FAULTS, *HEALTHY_VARIANTS)):
        for setup in fault_setups(fault, rotation):
            cases += [
                MatrixCase(fault.diagnosis, setup.channel, setup.provider_type, setup.packaging, via, fault.variant)
                for via in VIAS
            ]
    assert all(c.channel in CHANNELS for c in cases)
    return cases


# ---- bundles -----------------------------------------------------------------------------
def copy_setup(workdir: Path, setup: Setup, dest: Path) -> Path:
    """A fresh copy of the setup's healthy bundle as `<dest>/<APP_NAME>.app` (built once per
    work folder; a copy per case, because faults may change the bundle on disk)."""
    cached = workdir / "mac-bundles" / setup.key / f"{APP_NAME}.app"
    if not cached.is_dir():
        staging = workdir / "mac-bundles" / f".{setup.key}.{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        build_setup(staging, setup)
        cached.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(staging / f"{APP_NAME}.app", cached)
        except OSError:  # another process built it meanwhile
            if not cached.is_dir():
                raise
        shutil.rmtree(staging, ignore_errors=True)
    dest.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copytree(cached, dest / f"{APP_NAME}.app", symlinks=True))


# ---- running advisor ---------------------------------------------------------------------
@contextlib.contextmanager
def environment(values: dict[str, str | None]) -> Iterator[None]:
    """Set (or unset, for None) these environment variables for the block."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _on(mac: FakeMac) -> contextlib.AbstractContextManager[None]:
    return environment(
        {"PATH": mac.path, "ADVISOR_APPLICATIONS_DIR": mac.scenario.applications_dir, "ADVISOR_LSREGISTER": None}
    )


def _advisor(*argv: str) -> tuple[int, str]:
    """`advisor ARGV` in this process: (exit status, what it wrote to stderr)."""
    from advisor.cli import main

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, err.getvalue()


def _diagnose(via: str, mac: FakeMac, app: Path, case_dir: Path) -> tuple[dict[str, Any] | None, str]:
    report = case_dir / "report.json"
    if via == VIA_PROBE:
        with _on(mac):
            status, err = _advisor(
                "diagnose", "--app", str(app), "--probe", "yes", "--describe", GENERIC_DESCRIPTION, "--format", "json", "--output", str(report)
            )
    elif via == VIA_COLLECT:
        transcript = case_dir / "collected.yaml"
        with _on(mac):
            status, err = _advisor("collect", "--app", str(app), "--describe", GENERIC_DESCRIPTION, "--output", str(transcript))
        if status == 0:  # diagnosed anywhere: this Mac's tools are not there
            status, more = _advisor("diagnose", "--from", str(transcript), "--format", "json", "--output", str(report))
            err += more
    else:
        raise ValueError(f"case via {via!r}: the Mac matrix runs {', '.join(VIAS)}")
    if status not in (0, 1) or not report.is_file():
        return None, f"exit {status}: {err.strip()[:300]}"
    return json.loads(report.read_text()), err


def _outcome(case: MatrixCase, result: dict[str, Any] | None, err: str) -> tuple[MatrixOutcome, list[str]]:
    if result is None:
        return MatrixOutcome(case, None, detail=err), []
    ranked = result.get("diagnoses") or []
    findings = (result.get("bundle") or {}).get("findings") or []
    outcome = MatrixOutcome(
        case,
        ranked[0]["id"] if ranked else None,
        confirmed=[d["id"] for d in ranked if d.get("status") == "confirmed"],
        error_findings=[f["rule"] for f in findings if f.get("severity") == "error"],
        ranked=[(d["id"], str(d.get("status"))) for d in ranked],
    )
    shown = ", ".join(f"{d['id']} ({d['status']} {d['score']:.2f})" for d in ranked[:3]) or "no diagnosis"
    outcome.detail = shown + (f"; error findings: {', '.join(outcome.error_findings)}" if outcome.error_findings else "")
    return outcome, [d["id"] for d in ranked]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def run_case(case: MatrixCase, workdir: Path) -> MatrixOutcome:
    """Build (or reuse) the case's bundle, give it the case's Mac, run advisor, read the result."""
    return evaluate(case, workdir)[0]


def evaluate(case: MatrixCase, workdir: Path) -> tuple[MatrixOutcome, list[str]]:
    """`run_case`, plus every diagnosis id in rank order."""
    fault = None
    if case.fault != HEALTHY or case.variant:
        fault = fault_named(case.fault, case.variant)
        if fault is None:
            raise ValueError(f"{case.name}: no Mac fault {case.fault!r} variant {case.variant!r}")
    setup = Setup(case.channel, case.provider_type, case.packaging)
    workdir = Path(workdir).resolve()
    case_dir = workdir / "mac-cases" / _slug(case.name)
    shutil.rmtree(case_dir, ignore_errors=True)
    applications = case_dir / "Applications"
    applications.mkdir(parents=True)
    app = copy_setup(workdir, setup, case_dir / fault.app_folder(setup) if fault else applications)
    state = healthy_mac(app, setup.channel, applications)
    if fault is not None:
        fault.inject(state, FaultSite(case_dir, setup, lambda dest, other: copy_setup(workdir, other, dest)))
    mac = FakeMac(case_dir / "mac", scenario(state))
    result, err = _diagnose(case.via, mac, app, case_dir)
    return _outcome(case, result, err)
