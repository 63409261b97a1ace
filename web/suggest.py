"""'Did you mean' questions for an answer that found nothing: what the documents do hold, phrased as
questions a click asks again. Presentation only: every suggestion is a question the assistant answers
on its own (no figure is stated here).

Three kinds, in this order: the question with a year the library holds instead of one it lacks; the
question with a loaded department instead of a body it does not hold; rows whose names share words
with the question (from the label index). With none of these, the example questions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from assistant.records import Answer
from assistant.understand import language, parse
from budgetqa.vocabulary import is_total_row, money_pattern
from ingest.names import short_name
from web.labels import plain

log = logging.getLogger(__name__)

NearLabels = Callable[[str], list[str]]  # row labels near a text (the label index), nearest first


def _bigrams(text: str) -> set[str]:
    chars = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", text)
    return {chars[i:i + 2] for i in range(len(chars) - 1)}


def _key(item: str) -> str:
    """The item without question words ('是多少', '预算', …): what the asker is looking for."""
    words = sorted((w for w in language()["filler"] if len(w) >= 2), key=len, reverse=True)
    for w in words:
        item = item.replace(w, " ")
    return re.sub(r"[\s？?。，,！!的呢吗]+", " ", item).strip()


def _ask_form(label: str) -> str:
    return f"{label}是多少？"


def _alternatives(ans: Answer) -> list[str]:
    """The assistant's own did-you-mean items ('2025年某部门的“公务接待费”') as questions."""
    figure = re.compile(rf"\d(?:{money_pattern()})")  # an alternative stating a figure is a reading, not an item
    return [_ask_form(a) for a in ans.alternatives if a and not figure.search(a) and "见《" not in a]


def _other_year(question: str, asked: list[int], held: Sequence[int]) -> list[str]:
    if not asked or any(y in held for y in asked):
        return []
    out = []
    for y in sorted(held, reverse=True)[:2]:
        out.append(re.sub(rf"{asked[0]}\s*年", f"{y}年", question, count=1))
    return [q for q in out if q != question]


def _other_department(question: str, unknown: str | None, departments: Sequence[str]) -> list[str]:
    if not unknown or unknown not in question:
        return []
    return [question.replace(unknown, short_name(d), 1) for d in list(dict.fromkeys(departments))[:2]]


def _near_rows(question: str, item: str, bodies: Sequence[str], near: NearLabels, limit: int) -> list[str]:
    for body in sorted(bodies, key=len, reverse=True):  # who is asked about is not what is asked for
        item = item.replace(body, " ")
    key = _key(item)
    want = _bigrams(key)
    if not want:
        return []
    body_words = set().union(*(_bigrams(b) for b in bodies)) if bodies else set()
    scored: dict[str, float] = {}
    for rank, label in enumerate(near(key or question)):
        name = plain(label)
        if " / " in label or not name or is_total_row(name) or name == key:
            continue
        shared = len(want & (_bigrams(name) - body_words))
        # names that share words with the question (a good part of it), not merely nearby vectors
        if shared >= 2 or shared / len(want) >= 0.3:
            scored.setdefault(name, shared / len(want) - rank * 1e-3)
    return [_ask_form(n) for n in sorted(scored, key=lambda n: -scored[n])[:limit]]


def did_you_mean(question: str, ans: Answer, departments: Sequence[str], years: Sequence[int],
                 near: NearLabels, examples: Sequence[str], limit: int = 4,
                 answerable: Callable[[str], bool] | None = None) -> tuple[str, list[str]]:
    """(title, questions) to offer under a not_found answer; ('', []) for any other answer.
    `departments`/`years`: what the library holds; `near`: row labels near a text; `answerable`:
    whether the assistant answers a question (a suggestion that finds nothing is left out)."""
    if ans.status != "not_found":
        return "", []
    q = parse(question, list(departments))
    found = (_alternatives(ans) + _other_year(question, q.years, years)
             + _other_department(question, q.unknown_department, departments))
    try:
        bodies = [*departments, *(short_name(d) for d in departments), *([q.unknown_department] if q.unknown_department else [])]
        found += _near_rows(question, q.item, bodies, near, limit)
    except Exception:  # the label index is still being built, or unreachable: suggest from the rest
        log.info("no label suggestions for %r", question[:80], exc_info=True)
    found = [s for s in dict.fromkeys(found) if s.strip() and s != question][:limit + 2]
    if answerable is not None:
        found = [s for s in found if answerable(s)]
    found = found[:limit]
    if found:
        return "您是不是想问：", found
    return ("文档里有这些数据，可以试试：", list(examples)[:limit]) if examples else ("", [])
