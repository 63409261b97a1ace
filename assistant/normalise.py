"""Question text → the comparable form matching works on.

What people type differs from what documents print in ways that carry no meaning: traditional
characters (辦 / 办), full-width letters and digits, spaces and quotes, number words (二〇一九年,
两项), English (through `data/glossary.toml`). Homophone typos (委拖 for 委托, 计效 for 绩效) are
not rewritten here: `pinyin_key` gives labels and questions a toneless pinyin form that candidate
matching compares as a second signal (assistant/features.py).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache

from assistant.understand import DATA, base_year_asked, premise_as_question, span_as_change

_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_YEAR_WORDS = re.compile(r"([〇零一二三四五六七八九]{4})(?=年)")
_SPACE_NEAR_CJK = re.compile(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\s+|\s+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")
_QUOTES = str.maketrans({"「": "“", "」": "”", "『": "“", "』": "”", "〝": "“", "〞": "”", "‘": "“", "’": "”"})


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    from opencc import OpenCC  # opencc-python-reimplemented: dictionaries ship with the package

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters → simplified (政府辦 → 政府办, 項目 → 项目)."""
    return _converter().convert(text) if text else text


def _possessive(text: str) -> str:
    return re.sub(r"[’']s\b", "", text)


@lru_cache(maxsize=1)
def glossary() -> tuple[tuple[str, str], ...]:
    """(English phrase lower-cased, Chinese words), longest phrase first: glossary.toml and the
    general list of body types, body_types.toml."""
    pairs = []
    for name in ("glossary.toml", "body_types.toml"):  # budget words; the kinds of public body
        raw = tomllib.loads((DATA / name).read_text(encoding="utf-8"))
        # the question loses its "'s" before matching ("people's court" -> "people court"): so do the phrases
        pairs += [(_possessive(en.lower()), t["zh"]) for t in raw["term"] for en in t["en"]]
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p)))


def is_english(text: str) -> bool:
    """More Latin letters than Chinese characters: a question asked in English."""
    latin = len(re.findall(r"[A-Za-z]", text))
    return latin > 2 * len(re.findall(r"[\u4e00-\u9fff]", text)) and latin >= 6


def english_to_chinese(text: str) -> str:
    """An English question rendered in the document's words, phrase by phrase from the glossary.
    Chinese already in the question (a name in brackets) and digits (years) are kept; English words
    the glossary lacks are kept too (place names are matched by pinyin, assistant/departments.py)."""
    t = " " + _possessive(text.lower()) + " "
    for en, zh in glossary():
        t = re.sub(rf"(?<![a-z]){re.escape(en)}(?![a-z])", f" {zh} ", t)
    return re.sub(r"\s+", " ", t).strip()


def _year_words(m: re.Match[str]) -> str:
    return "".join(str(_DIGIT[c]) for c in m.group(1))


def normalise(text: str) -> str:
    """The question in the form matching reads: NFKC (full-width → half-width), simplified
    characters, one kind of quote, no spaces beside Chinese, year words as digits, English through
    the glossary."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text)
    t = to_simplified(t).translate(_QUOTES)
    t = _YEAR_WORDS.sub(_year_words, t)
    if is_english(t):
        t = english_to_chinese(t)
    t = _SPACE_NEAR_CJK.sub("", t)
    return re.sub(r"\s{2,}", " ", t).strip()


@lru_cache(maxsize=65536)
def pinyin_of(ch: str) -> str:
    """Toneless pinyin of one Chinese character ('' for anything else)."""
    if not ("\u4e00" <= ch <= "\u9fff"):
        return ""
    from pypinyin import Style, lazy_pinyin  # the dictionary ships with the package

    return lazy_pinyin(ch, style=Style.NORMAL)[0]


def pinyin_key(text: str) -> list[str]:
    """The Chinese characters of a text as toneless syllables: 计效工资 and 绩效工资 both give
    ['ji', 'xiao', 'gong', 'zi']."""
    return [p for p in (pinyin_of(c) for c in text) if p]


def pinyin_bigrams(text: str) -> set[str]:
    syl = pinyin_key(text)
    return {syl[i] + " " + syl[i + 1] for i in range(len(syl) - 1)}


def romanised_places(text: str, departments: list[str]) -> str:
    """Latin words that spell part of a loaded department's name in pinyin, as those characters:
    an English question's place names ('Jiangsu', 'Putuo') read as the documents print them."""
    words = set(re.findall(r"[a-z]{4,}", text.lower()))
    if not words:
        return text
    spelled: dict[str, str] = {}
    for name in departments:
        for n in (2, 3):
            for i in range(len(name) - n + 1):
                part = name[i:i + n]
                if re.fullmatch(r"[\u4e00-\u9fff]+", part):
                    spelled.setdefault("".join(pinyin_key(part)), part)
    out = text
    for w in sorted(words, key=lambda x: (-len(x), x)):
        if w in spelled:
            out = re.sub(rf"(?i)(?<![a-z]){w}(?![a-z])", spelled[w], out)
    return out


def readable(question: str, departments: list[str]) -> str:
    """The question as every reader of it takes it (the planner and the conversation layer alike):
    normalised, and an English question's place names as the loaded departments print them. Reading
    it here once keeps a layer that folds spaces away from gluing English words together."""
    # "从2017年到2019年涨了多少" as 2019 against 2017; "听说有100多辆，是真的吗" as how many there are
    # "X是A万元，比2024年增加B万元，那2024年是多少" as the base year's figure of X
    return base_year_asked(premise_as_question(span_as_change(romanised_places(normalise(question), departments))))
