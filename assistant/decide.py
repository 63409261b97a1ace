"""Deciding honestly on ranked candidates: answer when the best is clearly ahead, ask which when
two readings with different figures are close, say not found (with "did you mean") otherwise.

The thresholds are fitted with the ranker (scripts/fit_ranker.py) so that at most a few percent of
held-out questions are answered with a wrong figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from assistant.candidates import Candidate
from assistant.compose import fmt, label, where
from assistant.lookup import Scored
from assistant.ranker import Thresholds
from ingest.records import Fact

C = TypeVar("C", Candidate, Scored)  # anything ranked that carries a fact

Verdict = Literal["answered", "ambiguous", "not_found"]


@dataclass
class Decision:
    verdict: Verdict
    best: Candidate | None
    readings: list[Candidate]  # ambiguous: the close readings, one line each
    confidence: float = 0.0  # the best figure's probability


def figures(cands: list[Candidate]) -> list[tuple[float, Candidate]]:
    """The candidates grouped by the figure they state, best first: (summed probability, the
    figure's best-ranked fact). The same figure printed in several tables is one reading, so its
    probability is the sum of theirs."""
    mass: dict[tuple[float, str], list] = {}
    for c in cands:
        key = (round(c.fact.value, 2), c.fact.unit)
        if key not in mass:
            mass[key] = [0.0, c]
        elif mass[key][1].fact.source == "narrative" and c.fact.source == "table":
            mass[key][1] = c  # a table states the figure where its type belongs; the sentence is a citation
        mass[key][0] += c.p
    return sorted(((m, c) for m, c in mass.values()), key=lambda mc: -mc[0])


def decide(cands: list[Candidate], t: Thresholds) -> Decision:
    groups = figures(cands)
    if not groups:
        return Decision("not_found", None, [])
    p1, best = groups[0]
    p2 = groups[1][0] if len(groups) > 1 else 0.0
    if p1 >= t.answer and p1 - p2 >= t.margin:
        return Decision("answered", best, [], p1)
    if p1 >= t.ambiguous and p2 >= t.ambiguous:
        return Decision("ambiguous", best, [c for m, c in groups[:3] if m >= t.ambiguous], p1)
    return Decision("not_found", None, [], p1)


def suggestions(cands: Sequence[C], n: int = 3) -> list[C]:
    """Up to n of the best candidates with distinct labels: the "did you mean" items."""
    seen: set[str] = set()
    out = []
    for c in cands:
        name = label(c.fact)
        if name and name not in seen:
            seen.add(name)
            out.append(c)
        if len(out) == n:
            break
    return out


def reading(c: Candidate) -> str:
    """One line per reading: what, how much, where."""
    return reading_of(c.fact)


def reading_of(f: Fact) -> str:
    return f"{f.year}年{f.department}{label(f)}：{fmt(f.value)}{f.unit}（{where(f)}）"


def suggestion(c: Candidate | Scored) -> str:
    f = c.fact
    return f"{f.year}年{f.department}的“{label(f)}”"
