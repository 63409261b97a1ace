"""Character bigrams, the unit of the fuzzy name matches (indicators, listed items, counted rows,
passage headings), and the longest-first order in which filler words are stripped."""

from __future__ import annotations

import re
from collections.abc import Iterable


def bigrams(text: str) -> set[str]:
    """Every two-character piece of `text`."""
    return {text[i:i + 2] for i in range(len(text) - 1)}


def chinese_bigrams(text: str) -> set[str]:
    """The two-character pieces of `text`'s Chinese characters read as one run (digits, letters,
    spaces and punctuation dropped first)."""
    return bigrams(re.sub(r"[^\u4e00-\u9fff]", "", text))


def share_named(name: str, grams: set[str]) -> float:
    """The share of `name`'s Chinese bigrams that `grams` (a question's) holds; 0 for a name without any."""
    own = chinese_bigrams(name)
    return sum(g in grams for g in own) / len(own) if own else 0.0


def longest_first(words: Iterable[str]) -> tuple[str, ...]:
    """`words` longest first, then in character order: the order to strip or match them in."""
    return tuple(sorted(words, key=lambda w: (-len(w), w)))
