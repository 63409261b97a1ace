"""The fitted decision: the probability that an answer's figure is right, from its signals
(assistant/signals.py), and what to say when it is not sure enough.

`answered` stands when the probability reaches the fitted `answer` threshold. Below it, a figure
lookup whose rival readings state different figures becomes `ambiguous` (one line per reading, and the
question which) when the probability reaches `ambiguous`; otherwise `not_found` with "did you mean".
Weights and thresholds are data (data/confidence.json), fitted with grouped cross-validation by
scripts/fit_confidence.py so that held-out questions are rarely answered with a wrong figure.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.compose import cite, not_found, nothing_found
from assistant.decide import reading_of, suggestion
from assistant.plan import Plan
from assistant.records import Answer
from assistant.signals import Reader, Signals, signals

WEIGHTS = Path(__file__).parent / "data" / "confidence.json"


@dataclass(frozen=True)
class Confidence:
    """Logistic regression over named signals (standardised), with the two decision thresholds."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    answer: float  # answer at or above this probability
    ambiguous: float  # below `answer`: list the readings at or above this, else not found

    def probability(self, s: Signals) -> float:
        z = self.intercept + sum(c * (x - m) / sd for c, x, m, sd in
                                 zip(self.coef, s.vector(self.names), self.mean, self.scale, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def verdict(self, s: Signals) -> str:
        p = self.probability(s)
        if p >= self.answer:
            return "answered"
        if p >= self.ambiguous and len(s.readings) >= 2:
            return "ambiguous"
        return "not_found"

    def to_json(self) -> dict:
        return {"weights": {n: round(c, 5) for n, c in zip(self.names, self.coef, strict=True)},
                "mean": {n: round(m, 6) for n, m in zip(self.names, self.mean, strict=True)},
                "scale": {n: round(sd, 6) for n, sd in zip(self.names, self.scale, strict=True)},
                "intercept": round(self.intercept, 5),
                "thresholds": {"answer": self.answer, "ambiguous": self.ambiguous}}

    @classmethod
    def from_json(cls, d: dict) -> Confidence:
        names = tuple(d["weights"])
        return cls(names, tuple(float(d["mean"][n]) for n in names), tuple(float(d["scale"][n]) or 1.0 for n in names),
                   tuple(float(d["weights"][n]) for n in names), float(d["intercept"]),
                   float(d["thresholds"]["answer"]), float(d["thresholds"]["ambiguous"]))


@lru_cache(maxsize=4)
def load(path: Path = WEIGHTS) -> Confidence | None:
    """The fitted model, or None when no weights file is there (answers pass unchecked)."""
    if not path.exists():
        return None
    return Confidence.from_json(json.loads(path.read_text(encoding="utf-8"))["model"])


def check(bot: Reader, p: Plan, a: Answer, model: Confidence | None) -> Answer:
    """The answer as decided: unchanged when sure enough (or not answered, or no model), else the
    close readings with the question which, else not found."""
    if model is None or a.status != "answered" or a.value is None:
        return a
    s = signals(bot, p, a)
    v = model.verdict(s)
    if v == "answered":
        return a
    if v == "ambiguous":
        return ambiguous(p, a, s)
    return not_found(a.question, nothing_found(p.query.item, p.text), [suggestion(h) for h in s.near[:3]])


def ambiguous(p: Plan, a: Answer, s: Signals) -> Answer:
    lines = [reading_of(f) for f in s.readings]
    text = "这个问题有几种读法，数字不同：\n" + "\n".join(f"· {x}" for x in lines) + "\n请问您指的是哪一项？"
    return Answer(question=a.question, status="ambiguous", answer=text, alternatives=lines,
                  citations=[cite(f) for f in s.readings], department=a.department, year=a.year, item=a.item,
                  measure=a.measure)
