"""The assistant's tools as LangChain tools, so a language model can call them.

`table_lookup` returns stored facts with their citations; `compute` does arithmetic in code and
says how. A model never does the arithmetic itself.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Literal

from langchain_core.tools import BaseTool, StructuredTool

from assistant.compose import fmt

if TYPE_CHECKING:
    from assistant.service import Assistant


def compute(op: Literal["sum", "difference", "share", "growth"], values: list[float]) -> dict:
    """sum of values; difference a - b; share a / b × 100; growth (a - b) / b × 100 (b = last year)."""
    if op == "sum":
        v = round(sum(values), 2)
        return {"value": v, "how": " + ".join(fmt(x) for x in values) + f" = {fmt(v)}"}
    if len(values) != 2:
        raise ValueError(f"{op} takes exactly two values, got {len(values)}")
    a, b = values
    if op == "difference":
        v = round(a - b, 2)
        return {"value": v, "how": f"{fmt(a)} - {fmt(b)} = {fmt(v)}"}
    if b == 0:
        raise ValueError(f"{op}: the second value is 0")
    if op == "share":
        v = round(a / b * 100, 2)
        return {"value": v, "how": f"{fmt(a)} ÷ {fmt(b)} × 100% = {fmt(v)}%"}
    v = round((a - b) / b * 100, 2)
    return {"value": v, "how": f"({fmt(a)} - {fmt(b)}) ÷ {fmt(b)} × 100% = {fmt(v)}%"}


def make_tools(bot: Assistant) -> list[BaseTool]:
    def table_lookup(item: str, department: str | None = None, year: int | None = None) -> str:
        """Find budget figures for an item (e.g. 公务用车运行维护费) in the ingested documents.
        Returns JSON facts: value, unit, document, page, table, row, column."""
        plan = bot.plan(item, department=department, year=year)
        hits = bot.lookup(plan.query, plan.departments, plan.years, plan.kind)
        return json.dumps([{"value": h.fact.value, "unit": h.fact.unit, "document": h.fact.document,
                            "page": h.fact.page, "table": h.fact.table, "row": h.fact.row,
                            "column": h.fact.column, "department": h.fact.department, "year": h.fact.year}
                           for h in hits[:5]], ensure_ascii=False)

    def compute_tool(op: Literal["sum", "difference", "share", "growth"], values: list[float]) -> str:
        """Arithmetic on figures returned by table_lookup: sum, difference, share (%), growth (%)."""
        return json.dumps(compute(op, values), ensure_ascii=False)

    return [StructuredTool.from_function(table_lookup, name="table_lookup"),
            StructuredTool.from_function(compute_tool, name="compute")]
