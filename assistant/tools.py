"""The assistant's tools as LangChain tools, so a language model can call them.

`table_lookup` returns stored facts with their citations; `compute` does arithmetic in code and
says how. A model never does the arithmetic itself.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Literal

from langchain_core.tools import BaseTool, StructuredTool

from assistant.compose import fmt
from assistant.decide import figures

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
        cands = bot.candidates(plan.query, plan.departments, plan.years, plan.kind, "value", plan.text)
        # the two likeliest figures, each with every table that prints it (the model picks the source)
        top = [round(c.fact.value, 2) for _p, c in figures(cands)[:2]]
        facts = [c.fact for v in top for c in cands if round(c.fact.value, 2) == v][:10]
        return json.dumps([{"value": f.value, "unit": f.unit, "document": f.document, "page": f.page,
                            "table": f.table, "row": f.row, "column": f.column, "department": f.department,
                            "year": f.year} for f in facts], ensure_ascii=False)

    def compute_tool(op: Literal["sum", "difference", "share", "growth"], values: list[float]) -> str:
        """Arithmetic on figures returned by table_lookup: sum, difference, share (%), growth (%)."""
        return json.dumps(compute(op, values), ensure_ascii=False)

    return [StructuredTool.from_function(table_lookup, name="table_lookup"),
            StructuredTool.from_function(compute_tool, name="compute")]
