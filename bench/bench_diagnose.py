"""`advisor diagnose` for a transcript's answers, whole process, against importing its libraries.

Target: median <= 1.0x `python -c "import yaml, networkx, rapidfuzz"` in the same run (the two are
run in turn, so machine noise hits them alike). The knowledge base comes from the compiled cache,
as on every run but the first after an edit; a cold start (no cache: the YAML is parsed) is shown too.
"""

from __future__ import annotations

import argparse

from measure import PYTHON, interleaved_medians, report

# The seed thread's answers (transcripts/seed-*.yaml): a development-signed macOS appex, an iOS
# TestFlight copy of the same app installed, and the two log lines from the post.
ANSWERS = ["platform=macos", "packaging=appex", "distribution=development", "other_copy_installed=yes", "ios_copy_installed=yes"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    diagnose = [PYTHON, "-m", "advisor", "diagnose", "--format", "json"]
    for a in ANSWERS:
        diagnose += ["--answer", a]
    diagnose += ["--describe", "The packet tunnel works on one Mac but not on another: Signature check failed: code failed to satisfy specified code requirement(s)"]
    commands = {
        "baseline": [PYTHON, "-c", "import yaml, networkx, rapidfuzz"],
        "diagnose": diagnose,
        "cold": ["env", "ADVISOR_NO_CACHE=1", *diagnose],
        "python": [PYTHON, "-c", "pass"],
    }
    medians = interleaved_medians(commands, args.runs)
    ratio = medians["diagnose"] / medians["baseline"]
    report(
        "advisor diagnose (whole process)",
        [
            ("runs", str(args.runs)),
            ("python -c pass", f"{medians['python'] * 1000:.0f} ms median"),
            ("baseline: import yaml, networkx, rapidfuzz", f"{medians['baseline'] * 1000:.0f} ms median"),
            ("advisor diagnose --format json", f"{medians['diagnose'] * 1000:.0f} ms median"),
            ("ratio (target <= 1.0)", f"{ratio:.2f}x ({'met' if ratio <= 1.0 else 'NOT met'})"),
            ("cold: no compiled cache (YAML parsed)", f"{medians['cold'] * 1000:.0f} ms median ({medians['cold'] / medians['baseline']:.2f}x)"),
        ],
    )


if __name__ == "__main__":
    main()
