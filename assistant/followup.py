"""In-assistant follow-ups ("那公务接待费呢？", "去年呢？") from a client-sent history.

Kept for clients that send `history` to the single-question entry; the conversation layer
(assistant/conversation.py) resolves follow-ups above `Assistant.ask` and passes explicit
department/year instead.
"""

from __future__ import annotations

import re

from assistant.plan import Catalog
from assistant.understand import Query, parse

_FOLLOW_UP = re.compile(r"^(那|那么|还有|再问|那个|它|其中)|呢[？?]?$")


def last_answer(history: list[dict] | None) -> dict | None:
    """The last answer in a client-sent history, keeping only well-typed fields (it is user input)."""
    for turn in reversed(history or []):
        if isinstance(turn, dict) and turn.get("role") == "assistant" and isinstance(turn.get("answer"), dict):
            a = turn["answer"]
            year = a.get("year")
            return {
                "department": a["department"] if isinstance(a.get("department"), str) else None,
                "year": int(year) if isinstance(year, int) or (isinstance(year, str) and year.isdigit()) else None,
                "item": a["item"][:200] if isinstance(a.get("item"), str) else None,
                "measure": a["measure"] if isinstance(a.get("measure"), str) else None,
            }
    return None


def apply_history(q: Query, question: str, history: list[dict] | None, catalog: Catalog,
                  use_thesaurus: bool = True) -> Query:
    """A short question takes the department, year and item the previous answer was about."""
    prev = last_answer(history)
    if not prev:
        return q
    short = len(q.item) <= 8 or _FOLLOW_UP.search(question.strip())
    if short and not q.departments and prev["department"]:
        q.departments = [prev["department"]]
    if short and not q.years and prev["year"] and not q.previous_year:
        q.years = [prev["year"]]
    item_words = re.sub(r"[那么呢？?。，,的还有再问它其中]|去年|上年|占多少|比例|占比", "", q.item)
    if not item_words and prev.get("item"):
        measure, prev_year = q.measure, q.previous_year
        q2 = parse(str(prev["item"]), catalog.departments)
        q.item, q.targets, q.codes = q2.item, q2.targets if use_thesaurus else [], q2.codes
        q.measure, q.previous_year = measure, prev_year
    return q
