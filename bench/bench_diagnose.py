"""`advisor diagnose` for a transcript's answers, whole process, against importing its libraries.

Target: median <= 0.35 s and <= 1.5x `python -c "import yaml, networkx, rapidfuzz"` in the same run.
"""

from __future__ import annotations

import argparse

from measure import PYTHON, interleaved_medians, report

# The seed thread's answers (transcripts/seed-*.yaml): a development-signed macOS appex, an iOS
# TestFlight copy of the same app installed, and the two log lines from the post.
ANSWERS = ["platform=macos", "packaging=appex", "distribution=development", "other_copy_installed=yes", "ios_copy_installed=yes"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    diagnose = [PYTHON, "-m", "advisor", "diagnose", "--format", "json"]
    for a in ANSWERS:
        diagnose += ["--answer", a]
    diagnose += ["--describe", "The packet tunnel works on one Mac but not on another: Signature check failed: code failed to satisfy specified code requirement(s)"]
    medians = interleaved_medians(
        {"baseline": [PYTHON, "-c", "import yaml, networkx, rapidfuzz"], "diagnose": diagnose}, args.runs
    )
    ratio = medians["diagnose"] / medians["baseline"]
    report(
        "advisor diagnose (whole process)",
        [
            ("runs", str(args.runs)),
            ("baseline: import yaml, networkx, rapidfuzz", f"{medians['baseline'] * 1000:.0f} ms median"),
            ("advisor diagnose --format json", f"{medians['diagnose'] * 1000:.0f} ms median"),
            ("ratio (target <= 1.5)", f"{ratio:.2f}x"),
            ("target <= 350 ms", "met" if medians["diagnose"] <= 0.35 else "NOT met"),
        ],
    )


if __name__ == "__main__":
    main()
