"""A sentence that states a whole and its parts ("本部门政府采购预算830.00万元，其中：政府采购货物预算
10.00万元、政府采购工程预算550.00万元、政府采购服务预算270.00万元"): the parts' labels hold the whole's
words and one word more each (货物, 工程, 服务). A question that says none of those words asks the whole,
however the lexical scores order them: a part's figure would be a wrong answer. A question that says
one part's own words ("其中工程类的") asks that part, not the whole.

The whole is recognised by arithmetic, not by its words: its figure is the sum of the other figures the
same sentence states.
"""

from __future__ import annotations

from assistant.compose import label
from assistant.lookup import Scored
from assistant.understand import Query, language
from ingest.records import Fact

_WITHIN = 0.011  # the parts add up to the whole as printed (two decimals)
_LOOK = 8  # hits looked at for the whole and its parts


def whole_first(q: Query, hits: list[Scored]) -> list[Scored]:
    """`hits` with the reading of the sentence the question names first: the part whose own words it
    says ("其中工程类的" → 政府采购工程预算), else the whole when the best hit is a part and no part's own
    words are said; `hits` itself (the same list) when neither applies."""
    if not hits or hits[0].fact.source != "narrative" or not hits[0].fact.quote:
        return hits
    top = hits[0].fact
    same = [h for h in hits[:_LOOK] if h.fact.quote == top.quote and h.fact.unit == top.unit]
    for w in same:
        parts = [h for h in same if h is not w and h.fact.value <= w.fact.value]
        if len(parts) < 2 or abs(sum(h.fact.value for h in parts) - w.fact.value) > _WITHIN:
            continue
        asked = _asked(q)
        named = [h for h in parts if _names_own_words(h.fact, w.fact, asked)]
        lead = named[0] if len(named) == 1 else (w if not named and top is not w.fact else None)
        if lead is not None and lead is not hits[0]:
            return [lead, *(h for h in hits if h is not lead)]
        return hits
    return hits


def _asked(q: Query) -> str:
    """The question's words without filler, with the budget terms its everyday words stand for."""
    asked = q.q
    for filler in language()["filler"]:
        asked = asked.replace(filler, " ")
    return asked + " " + " ".join(label for _word, label in q.targets)


def _names_own_words(part: Fact, whole: Fact, asked: str) -> bool:
    """Whether the question says the part's own words: the characters of its label the whole's lacks."""
    own = [ch for ch in dict.fromkeys(label(part)) if ch not in set(label(whole))]
    said = [ch for ch in own if ch in asked]
    return bool(own) and len(said) >= min(2, len(own))
