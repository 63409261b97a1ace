"""The fitted ranker: a conditional logistic regression over assistant/features.py, weights read
from `data/ranker.json` (written by scripts/fit_ranker.py, cross-validated there; reviewable as data).

Within one question the candidates compete with each other and with "none of them" (`null`, a
fitted constant): P(candidate i) = exp(w·x_i) / (exp(null) + Σ_j exp(w·x_j)). So a probability says
how far a fact is ahead of the others and of the possibility that the documents do not say; the
decision thresholds (answer, ask which reading, not found) are fitted in the same script so that few
questions are answered wrongly on held-out folds.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.features import FEATURES

WEIGHTS = Path(__file__).parent / "data" / "ranker.json"


@dataclass(frozen=True)
class Thresholds:
    """answer when p ≥ answer and p − p(best other figure) ≥ margin; ambiguous when both of two different
    figures reach ambiguous and they are within margin; otherwise not found."""

    answer: float = 0.5
    margin: float = 0.1
    ambiguous: float = 0.3


@dataclass(frozen=True)
class Model:
    name: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    null: float  # the score of "none of the candidates"
    thresholds: Thresholds = field(default_factory=Thresholds)
    embedder: str | None = None  # the embedding model the dense feature was fitted with (BUDGETQA_EMBED_MODEL)

    def score(self, x: list[float]) -> float:
        return sum(c * (v - m) / s for c, v, m, s in zip(self.coef, x, self.mean, self.scale, strict=True))

    def probabilities(self, xs: list[list[float]]) -> list[float]:
        """Each candidate's probability of being the answer, against the others and "none of them"."""
        scores = [self.score(x) for x in xs]
        top = max([self.null, *scores])
        e = [math.exp(s - top) for s in scores]
        total = math.exp(self.null - top) + sum(e)
        return [v / total for v in e]

    def to_json(self) -> dict:
        return {"name": self.name, "weights": {f: round(c, 5) for f, c in zip(self.features, self.coef, strict=True)},
                "mean": [round(v, 6) for v in self.mean], "scale": [round(v, 6) for v in self.scale],
                "null": round(self.null, 5), "thresholds": self.thresholds.__dict__, "embedder": self.embedder}

    @classmethod
    def from_json(cls, d: dict) -> Model:
        feats = tuple(d["weights"])
        return cls(d["name"], feats, tuple(d["mean"]), tuple(d["scale"]), tuple(d["weights"][f] for f in feats),
                   float(d["null"]), Thresholds(**d.get("thresholds", {})), d.get("embedder"))

    def reorder(self) -> Model:
        """The model over FEATURES' order (a feature the file lacks weighs nothing)."""
        idx = {f: i for i, f in enumerate(self.features)}

        def pick(vals: tuple[float, ...], default: float) -> tuple[float, ...]:
            return tuple(vals[idx[f]] if f in idx else default for f in FEATURES)

        return Model(self.name, FEATURES, pick(self.mean, 0.0), pick(self.scale, 1.0), pick(self.coef, 0.0),
                     self.null, self.thresholds, self.embedder)


@lru_cache(maxsize=4)
def load_models(path: Path = WEIGHTS) -> dict[str, Model]:
    """name → model ("dense": with dense similarity, "lexical": without, for a library with no index)."""
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {m["name"]: Model.from_json(m).reorder() for m in raw["models"]}
