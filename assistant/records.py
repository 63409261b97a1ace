"""The answer and its citations: what leaves the assistant (CONTRACT.md, Answer)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["answered", "not_found", "ambiguous"]


class Citation(BaseModel):
    document: str
    page: int
    table: str | None = None
    row: str | None = None
    column: str | None = None
    quote: str | None = Field(default=None, description="The printed cell, or the quoted sentence.")
    bbox: tuple[float, float, float, float] | None = Field(default=None, description="Cell box on the page.")
    heading: str | None = Field(default=None, description="Heading path of a quoted passage.")


class Answer(BaseModel):
    question: str
    status: Status
    answer: str
    value: float | None = None
    unit: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    computation: str | None = Field(default=None, description="How a computed figure was computed.")
    alternatives: list[str] = Field(default_factory=list, description="Other readings, named in the answer.")
    department: str | None = None
    year: int | None = None
    item: str | None = Field(default=None, description="The budget item the answer is about (for follow-ups).")
    measure: str | None = None
    comparison: str | None = Field(default=None, description="≤, ≥ or = when the figure is a target stated as a bound.")

    def to_json(self) -> dict:
        """The contract's answer JSON, extended with the fields follow-up questions need."""
        return self.model_dump()

    def render_text(self) -> str:
        lines = [self.answer]
        for c in self.citations:
            where = "，".join(x for x in [c.document, f"第{c.page}页", c.table or c.heading or "", c.row or "", c.column or ""] if x)
            lines.append(f"  来源：{where}" + (f"（{c.quote}）" if c.quote and len(c.quote) < 40 else ""))
        return "\n".join(lines)
