"""One way engine tests tell a story: answers, then a description, then log lines."""

from __future__ import annotations

from advisor.investigation import Investigation, KnowledgeRuntime
from advisor.knowledge.model import KnowledgeBase


def investigate(
    kb: KnowledgeBase, runtime: KnowledgeRuntime | None, answers: dict[str, str], log: str = "", describe: str = ""
) -> Investigation:
    inv = Investigation.start(kb, runtime)
    for fact, value in answers.items():
        inv.answer(fact, value)
    if describe:
        inv.add_description(describe)
    if log:
        inv.add_log_text(log)
    return inv
