""""人大呢？": a follow-up that is only a short piece of one loaded department's name. The general short forms
(assistant/mentions.py) need a name's body character (院, 局, 厅…) or three of its characters; in a follow-up
that names nothing else, two characters found in exactly one other department's name, and in no row of the
documents the conversation is about, are that department ("人大" is no item of the 政协's documents)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from assistant.follow_up_words import strip_ends
from assistant.mentions import Mentions, fold, words


def short_department(m: Mentions, departments: list[str], current: str | None,
                     labels: Callable[[], Iterable[str]], replying: bool = False) -> Mentions:
    """`m` with the department the bare follow-up names by a short piece of its name, when exactly one
    loaded department other than `current` holds it and none of `labels` (the rows and tables of the
    conversation's documents) does; else `m` unchanged. `replying`: the last answer asked which department
    ("我问的是人大"), so a piece of one department's name is that department, whatever the rows say."""
    if m.departments or m.years or (current is None and not replying):
        return m
    core = _core(m.text)
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", core or ""):
        return m
    hits = [d for d in departments if core in fold(d)]
    if len(hits) != 1 or hits[0] == current or (current and core in fold(current)):
        return m
    if not replying and any(core in fold(x) for x in labels()):
        return m  # an item of the documents talked about ("财政拨款"), not a department
    at = m.text.find(core)
    return Mentions(text=m.text, departments=[hits[0]], spans=[(at, at + len(core))], years=[])


def _core(text: str) -> str:
    t = strip_ends(text)
    for w in sorted(words()["clarifiers"], key=len, reverse=True):
        if t.startswith(w):
            t = t[len(w):]
            break
    return re.sub(r"(的|呢|那边|那里|这边)+$", "", t)
