"""A sum across departments ("省检察院和省法院2019年的预算总计加起来是多少"): each department's figure is
looked up and cited on its own (assistant/library_questions.py), then added here in code. The answer's
value is the sum, never one of its parts; when a part is missing, or the parts are of different years
or kinds of document, nothing is added and the answer says why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from assistant.compose import fmt, where
from assistant.conversation_state import SeriesPoint
from assistant.records import Answer
from assistant.understand import DATA
from budgetqa.vocabulary import convert, is_money, vocabulary


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    import tomllib

    raw = tomllib.loads((DATA / "computed.toml").read_text(encoding="utf-8"))
    return {k: re.compile(raw[k]) for k in ("adding", "differing")}


def _adding() -> re.Pattern[str]:
    return _patterns()["adding"]


def asks_difference(question: str) -> bool:
    """Whether the question asks one figure taken from the other ("A比B多多少", "相差多少")."""
    return bool(_patterns()["differing"].search(re.sub(r"\s+", "", question)))


def asks_sum(question: str) -> bool:
    """Whether the question asks the figures added ("加起来", "合计", "一共", "总和")."""
    return bool(_adding().search(re.sub(r"\s+", "", question)))


def without_adding(item: str) -> str:
    """The item's words without the words asking a sum ('年末结转和结余加起来' -> '年末结转和结余')."""
    return bare(item) or item


def bare(item: str) -> str:
    """The words asking a sum or a difference taken out: '' when nothing else was said ('加起来多少')."""
    rest = _patterns()["differing"].sub(" ", _adding().sub(" ", item))
    rest = re.sub(r"[的]?\s*(是|为)?\s*多少(钱)?\s*$", "", rest.strip())
    rest = re.sub(r"(比|较|和|与|跟)\s*(多|少|高|低)?了?\s*[?？]?\s*$", "", rest.strip())  # "预算总计比(多)": a body stood there
    return re.sub(r"\s+", " ", rest).strip()


def _refused(ans: Answer, measure: str, why: str) -> Answer:
    return ans.model_copy(update={"value": None, "unit": None, "measure": measure, "answer": ans.answer + why})


def _in_one_unit(points: Sequence[tuple[SeriesPoint, Any]]) -> tuple[str, list[float] | None]:
    units = {p.unit for p, _ in points}
    unit = units.pop() if len(units) == 1 else vocabulary().usual_money
    values = [convert(p.value, p.unit, unit) if is_money(p.unit) or p.unit == unit else None for p, _ in points]
    return unit, None if any(v is None for v in values) else [round(v, 2) for v in values if v is not None]


def added(question: str, ans: Answer, points: Sequence[tuple[SeriesPoint, Any]], missing: Sequence[str]) -> Answer:
    """`ans` (one figure per department, each cited) with the figures added when the question asks a
    sum, or the second taken from the first when it asks a difference of two ("A比B多多少"): value, unit
    and computation are the result's. Unchanged when neither is asked."""
    differs = asks_difference(question) and not asks_sum(question)
    if not (asks_sum(question) or differs) or len(points) + len(missing) < 2:
        return ans
    measure, verb = ("difference", "相减") if differs else ("sum", "相加")
    if missing:
        return _refused(ans, measure, f"缺少部分部门的数，无法{verb}。")
    if len({(p.year, f.kind) for p, f in points}) > 1:
        return _refused(ans, measure, f"这些数字不是同一年度、同一类型文件的数，不{verb}。")
    if differs and len(points) != 2:
        return _refused(ans, measure, "请说明要比较哪两个部门。")
    unit, parts = _in_one_unit(points)
    if parts is None:
        return _refused(ans, measure, f"这些数字单位不同，无法{verb}。")
    if differs:
        return _difference(ans, points, parts, unit)
    total = round(sum(parts), 2)
    how = " + ".join(fmt(v) for v in parts) + f" = {fmt(total)}"
    lines = "；".join(f"{p.department}{p.label}{fmt(v)}{unit}（{where(f)}）"
                      for (p, f), v in zip(points, parts, strict=True))
    year = points[0][0].year
    text = f"{year}年{'、'.join(p.department for p, _ in points)}的{points[0][0].label}合计{fmt(total)}{unit}。" \
           f"计算方法：{how}。其中{lines}。"
    if len({p.unit for p, _ in points}) > 1:
        text += f"相加时已将元折算为{unit}。"
    return ans.model_copy(update={"value": total, "unit": unit, "computation": how, "answer": text,
                                  "measure": "sum", "department": None, "year": year})


def _difference(ans: Answer, points: Sequence[tuple[SeriesPoint, Any]], parts: list[float], unit: str) -> Answer:
    """The first department's figure against the second's: how much more (or less), computed in code."""
    (a, fa), (b, fb) = points
    v = round(parts[0] - parts[1], 2)
    how = f"{fmt(parts[0])} - {fmt(parts[1])} = {fmt(v)}"
    text = f"{a.year}年{a.department}的{a.label}比{b.department}{'多' if v >= 0 else '少'}{fmt(abs(v))}{unit}。" \
           f"计算方法：{how}。其中{a.department}{a.label}{fmt(parts[0])}{unit}（{where(fa)}）；" \
           f"{b.department}{b.label}{fmt(parts[1])}{unit}（{where(fb)}）。"
    return ans.model_copy(update={"value": abs(v), "unit": unit, "computation": how, "answer": text,
                                  "measure": "difference", "department": None, "year": a.year})


__all__ = ["added", "asks_difference", "asks_sum", "bare", "without_adding"]
