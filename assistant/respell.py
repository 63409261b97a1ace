"""Homophone typos read as the word the documents print: 委拖业务费 → 委托业务费, 公务接代费 → 公务接待费,
计效工资 → 绩效工资, 陪训费 → 培训费.

A typed two-character word that no label in scope uses is replaced by a label word that sounds the
same (toneless pinyin, assistant/normalise.py) and differs from it in one character only, when exactly
one such label word exists. Words of a story the labels do not speak of stay as typed unless they
sound like a label word with one character in common, which is what a typo is.
"""

from __future__ import annotations

from collections.abc import Iterable

from assistant.normalise import pinyin_of


def sound_index(label_grams: Iterable[str]) -> dict[tuple[str, str, int, str], set[str]]:
    """(syllable, syllable, position of the kept character, kept character) → label bigrams."""
    out: dict[tuple[str, str, int, str], set[str]] = {}
    for g in label_grams:
        if len(g) != 2:
            continue
        a, b = pinyin_of(g[0]), pinyin_of(g[1])
        if not a or not b:
            continue
        for keep in (0, 1):
            out.setdefault((a, b, keep, g[keep]), set()).add(g)
    return out


def respell(text: str, label_grams: frozenset[str], index: dict[tuple[str, str, int, str], set[str]]) -> str:
    """`text` with each unknown bigram that sounds like exactly one label bigram (one character kept)
    written as that label bigram."""
    out = list(text)
    for i in range(len(text) - 1):
        g = "".join(out[i:i + 2])
        if g in label_grams:
            continue
        a, b = pinyin_of(g[0]), pinyin_of(g[1])
        if not a or not b:
            continue
        options = set()
        for keep in (0, 1):
            options |= {x for x in index.get((a, b, keep, g[keep]), set()) if x != g}
        if len(options) == 1:
            fix = options.pop()
            # the fix must not break a label word the text already has around it
            before = "".join(out[max(0, i - 1):i + 3])
            after_text = out[:i] + list(fix) + out[i + 2:]
            after = "".join(after_text[max(0, i - 1):i + 3])
            if sum(after[j:j + 2] in label_grams for j in range(len(after) - 1)) > \
                    sum(before[j:j + 2] in label_grams for j in range(len(before) - 1)):
                out = after_text
    return "".join(out)
