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
def _adding() -> re.Pattern[str]:
    import tomllib

    raw = tomllib.loads((DATA / "computed.toml").read_text(encoding="utf-8"))
    return re.compile(raw["adding"])


def asks_sum(question: str) -> bool:
    """Whether the question asks the figures added ("加起来", "合计", "一共", "总和")."""
    return bool(_adding().search(re.sub(r"\s+", "", question)))


def without_adding(item: str) -> str:
    """The item's words without the words asking a sum ('年末结转和结余加起来' -> '年末结转和结余')."""
    rest = _adding().sub(" ", item)
    rest = re.sub(r"[的]?\s*(是|为)?\s*多少(钱)?\s*$", "", rest.strip())
    return re.sub(r"\s+", " ", rest).strip() or item


def added(question: str, ans: Answer, points: Sequence[tuple[SeriesPoint, Any]], missing: Sequence[str]) -> Answer:
    """`ans` (one figure per department, each cited) with the figures added when the question asks a
    sum: value, unit and computation are the sum's. Unchanged when no sum is asked."""
    if not asks_sum(question) or len(points) + len(missing) < 2:
        return ans
    if missing:
        return ans.model_copy(update={"value": None, "unit": None, "measure": "sum",
                                      "answer": ans.answer + "缺少部分部门的数，无法相加。"})
    if len({(p.year, f.kind) for p, f in points}) > 1:
        return ans.model_copy(update={"value": None, "unit": None, "measure": "sum",
                                      "answer": ans.answer + "这些数字不是同一年度、同一类型文件的数，不相加。"})
    units = {p.unit for p, _ in points}
    unit = units.pop() if len(units) == 1 else vocabulary().usual_money
    values = [convert(p.value, p.unit, unit) if is_money(p.unit) or p.unit == unit else None for p, _ in points]
    if any(v is None for v in values):
        return ans.model_copy(update={"value": None, "unit": None, "measure": "sum",
                                      "answer": ans.answer + "这些数字单位不同，无法相加。"})
    parts = [round(v, 2) for v in values if v is not None]
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


__all__ = ["added", "asks_sum", "without_adding"]
