"""A "did you mean" item answered outright, saying which item was understood.

People write an abbreviated label out ("国防动员办公室的办公经费" for 国防办办公经费, "提高租金的补贴" for
提租补贴), mistype one character beside a name, or add a qualifier in a table title's style ("行政（事业）
单位…经费"). The lookup then finds the item, but not surely enough to answer. When one figure is far
ahead of every other and the item's own name (its label without the words every label carries) is
spelled, character by character in order, inside what the question names, with nothing after it but
filler, the question is answered with that item and the answer says so. Everything else stays "not
found" with its suggestions. The words and the margin are data (data/understood.toml).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from assistant.candidates import Candidate
from assistant.compose import label
from assistant.decide import figures
from assistant.grams import longest_first
from assistant.lookup import Scored
from assistant.records import Answer
from assistant.understand import DATA, Query, language

C = TypeVar("C", Candidate, Scored)
_BRACKETED = re.compile(r"[(（]([\u4e00-\u9fff]{1,8})[)）]")


@dataclass(frozen=True)
class _Settings:
    ratio: float
    floor: float
    floor_score: float
    least_core: int
    generic: tuple[str, ...]
    trailing: tuple[str, ...]
    filler: tuple[str, ...]


@lru_cache(maxsize=1)
def settings() -> _Settings:
    raw = tomllib.loads((DATA / "understood.toml").read_text(encoding="utf-8"))
    return _Settings(float(raw["ratio"]), float(raw["floor"]), float(raw["floor_score"]), int(raw["least_core"]), longest_first(raw["generic"]),
                     longest_first(raw["trailing"]),
                     longest_first([*(w for w in language()["filler"] if len(w) >= 2), *raw["particles"]]))


def _without(text: str, words: tuple[str, ...]) -> str:
    for w in words:
        text = text.replace(w, " ")
    return text


def _cjk(text: str) -> str:
    return "".join(re.findall(r"[\u4e00-\u9fff]", text))


def core(row: str) -> str:
    """A label's own name: its Chinese characters without the words every budget label carries (and
    without the filler words a question loses, so that both are compared alike)."""
    s = settings()
    return _cjk(_without(_without(row, s.generic), s.filler))


def asked(item: str) -> str:
    """What the question names: its Chinese characters without filler and generic words."""
    s = settings()
    return _cjk(_without(_without(item, s.generic), s.filler))


def _spelled_at(name: str, text: str) -> tuple[int, int] | None:
    """(first, last) positions in `text` of `name`'s characters in order, the tightest such span."""
    best: tuple[int, int] | None = None
    for start in (i for i, ch in enumerate(text) if ch == name[0]):
        pos = start
        for ch in name[1:]:
            pos = text.find(ch, pos + 1)
            if pos < 0:
                break
        else:
            if best is None or pos - start < best[1] - best[0]:
                best = (start, pos)
    return best


def covers(row: str, item: str) -> bool:
    """Whether the question's item spells the label's own name: its characters in order, at most one
    character before them (a typo) or a qualifier in brackets there, and only filler after."""
    s = settings()
    name, text = core(row), asked(item)
    if len(name) < s.least_core or not text:
        return False
    span = _spelled_at(name, text)
    if span is None:
        return False
    if span[1] - span[0] + 1 > 2 * len(name):
        return False  # a name spread thin over a long question: its characters are there by chance
    before, after = text[:span[0]], text[span[1] + 1:]
    if _cjk(_without(after, s.trailing)):
        return False
    qualifiers = "".join(_BRACKETED.findall(item))
    return len(before) <= 1 or bool(qualifiers and all(ch in before for ch in qualifiers))


def _far_ahead(by_figure: list[tuple[float, C]], floor: float) -> C | None:
    """The best figure's item when its score is at least `floor` and `ratio` times the next figure's."""
    if not by_figure:
        return None
    top, best = by_figure[0]
    second = by_figure[1][0] if len(by_figure) > 1 else 0.0
    return best if top >= floor and top >= settings().ratio * second else None


def _spelled(q: Query, c: C | None) -> C | None:
    if c is None or q.measure != "value" or q.count or q.narrative:
        return None
    return c if covers((c.fact.row or "").split(" / ")[-1], q.item) else None


def reading(q: Query, cands: list[Candidate]) -> Candidate | None:
    """Of the fitted ranker's candidates, the one to answer with: its figure far ahead of the next, its
    name spelled in the question. None: the question stays not found."""
    return _spelled(q, _far_ahead(figures(cands), settings().floor))


def near_reading(q: Query, near: list[Scored]) -> Scored | None:
    """The same of the lexical lookup's near matches (scores, not probabilities)."""
    best: dict[tuple[float, str], Scored] = {}
    for h in near:
        key = (round(h.fact.value, 2), h.fact.unit)
        if key not in best or h.score > best[key].score:
            best[key] = h
    ranked = sorted(((h.score, h) for h in best.values()), key=lambda sh: -sh[0])
    return _spelled(q, _far_ahead(ranked, settings().floor_score))


def said(answer: Answer, c: Candidate | Scored) -> Answer:
    """The answer, opening with the item it was understood as."""
    return answer.model_copy(update={"answer": f"按“{label(c.fact)}”理解：{answer.answer}"})
