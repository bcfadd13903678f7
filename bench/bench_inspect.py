"""Benchmark: `advisor inspect` on an app whose executable is a 200 MB universal binary.

Builds the bundle (sparse, in a temporary folder), then runs, alternately and several times,
`advisor inspect APP --format json` (what `python -m advisor` runs) and the baseline
`python -c "import plistlib"`, each as a fresh interpreter that reports its own peak RSS.
Prints the median wall time and peak RSS of both and their ratio, and whether inspect stays
within 0.5 s and 80 MB.

    .venv/bin/python bench/bench_inspect.py [--runs N] [--size-mb 200]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fixtures.bundle_builder import AppSpec, ProviderSpec, build_app  # noqa: E402

TIME_BUDGET_S = 0.5
MEMORY_BUDGET_MB = 80.0


# Each measured process reports its own peak RSS (VmHWM) as it exits: the rusage of a child
# also counts the parent's memory when the child was vforked, which would hide the difference.
_PROBE = """
import sys
def peak_mb():
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024**2 if sys.platform == 'darwin' else peak / 1024
code = 0
try:
    if sys.argv[1] == 'advisor':
        from advisor.cli import main  # exactly what `python -m advisor` runs
        code = main(sys.argv[2:])
    else:
        import plistlib
finally:
    sys.stderr.write(f'PEAK_MB={peak_mb():.2f}\\n')
sys.exit(code)
"""


def measure(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one fresh process running `argv` under the probe."""
    command = [sys.executable, "-c", _PROBE, *argv]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    lines = result.stderr.strip().splitlines()
    if result.returncode not in (0, 1) or not lines or not lines[-1].startswith("PEAK_MB="):
        raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr.strip()}")
    return elapsed, float(lines[-1].removeprefix("PEAK_MB="))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--size-mb", type=int, default=200, help="total size of the universal executable")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-inspect-"))
    try:
        per_slice = args.size_mb * 1024 * 1024 // 2
        built = build_app(
            workdir,
            signing="developer-id",
            app=AppSpec(archs=("x86_64", "arm64"), executable_size=per_slice, hash_types=("sha1", "sha256")),
            providers=[ProviderSpec(archs=("x86_64", "arm64"))],
        )
        executable = built.app_dir / "Contents" / "MacOS" / "ExampleVPN"
        size_mb = executable.stat().st_size / 1024**2
        print(
            f"bundle: {built.path} (executable {size_mb:.0f} MB universal, {executable.stat().st_blocks * 512 / 1024**2:.1f} MB on disk)"
        )

        inspect_cmd = ["advisor", "inspect", str(built.path), "--format", "json"]
        baseline_cmd = ["baseline"]
        measure(inspect_cmd)  # warm the page cache and .pyc files once
        inspect_runs, baseline_runs = [], []
        for _ in range(args.runs):
            inspect_runs.append(measure(inspect_cmd))
            baseline_runs.append(measure(baseline_cmd))

        def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
            return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)

        inspect_s, inspect_mb = medians(inspect_runs)
        base_s, base_mb = medians(baseline_runs)
        print(f"runs: {args.runs} each, alternating")
        print(f"{'':28}{'median wall':>14}{'median peak RSS':>18}")
        print(f"{'advisor inspect':28}{inspect_s * 1000:>11.0f} ms{inspect_mb:>15.1f} MB")
        baseline_label = 'python -c "import plistlib"'
        print(f"{baseline_label:28}{base_s * 1000:>11.0f} ms{base_mb:>15.1f} MB")
        print(f"ratio inspect / baseline: time {inspect_s / base_s:.1f}x, memory {inspect_mb / base_mb:.1f}x")
        within = inspect_s <= TIME_BUDGET_S and inspect_mb <= MEMORY_BUDGET_MB
        print(f"budget (<= {TIME_BUDGET_S} s, <= {MEMORY_BUDGET_MB:.0f} MB): {'met' if within else 'EXCEEDED'}")
        return 0 if within else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
