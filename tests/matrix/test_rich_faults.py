"""One fault in a rich, correct bundle (tests/matrix/rich_fault_cases): for every fault a bundle
or a Mac can show, in every channel where it can happen and at least two provider types, the
injected diagnosis ranks first (confirmed when the evidence proves it) and nothing else is
confirmed, through `advisor inspect` and `advisor diagnose --app --probe yes` on a fake Mac.

Each distinct bundle is built once per module (one Builder per worker process).

KNOWN_FAILURES lists the cases advisor still gets wrong (found by this matrix, not yet fixed;
see the report of branch rich-faults): they run as strict expected failures, so a fix shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.matrix import rich_fault_cases
from tests.matrix.model import MatrixCase

pytestmark = pytest.mark.slow
CASES = rich_fault_cases.all_cases()

KNOWN_FAILURES: set[str] = set()  # none left; a new failure found by the matrix goes here


@pytest.fixture(scope="module")
def builder(tmp_path_factory: pytest.TempPathFactory) -> rich_fault_cases.Builder:
    return rich_fault_cases.Builder(tmp_path_factory.mktemp("rich-faults"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rich_fault(case: MatrixCase, builder: rich_fault_cases.Builder, tmp_path: Path) -> None:
    if case.name in KNOWN_FAILURES:
        pytest.xfail("found by the rich fault matrix, not fixed yet")
    run = rich_fault_cases.run_case(case, builder, tmp_path / "case")
    problems = rich_fault_cases.verdict(run)
    assert not problems, f"{case.name}: {problems} ({run.outcome.detail})"


def test_every_fault_meets_two_provider_types_where_the_rich_bundles_have_them() -> None:
    seen: dict[str, set[str]] = {}
    for case in CASES:
        seen.setdefault(f"{case.fault}/{case.variant.split('/')[0]}", set()).add(case.provider_type)
    single = sorted(k for k, types in seen.items() if len(types) < 2)
    # A macOS NE app extension is a packet tunnel in every rich bundle; a filter or DNS proxy
    # app extension on macOS is one type by definition of the fault.
    assert set(single) <= {
        "sandbox-requirement/appex-sandbox-off",
        "macos-provider-requires-sysex/content-filter-appex",
        "macos-provider-requires-sysex/dns-proxy-appex",
    }, single


def test_codesign_dict_output_and_binary_profiles_are_both_exercised() -> None:
    assert any(c.variant.endswith("dict-codesign") for c in CASES)
    assert any("binary-profiles" in c.variant for c in CASES)
