"""The conversation's building blocks: question card, evidence panel, message log, probe progress."""
