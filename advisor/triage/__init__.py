"""Log triage: classify log lines against the known message catalog (knowledge/signatures)."""

from advisor.triage.triage import LogMatch, LogTriage, TriageResult

__all__ = ["LogMatch", "LogTriage", "TriageResult"]
