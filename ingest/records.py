"""Typed records that leave the ingest stage."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Kind = Literal["预算", "决算"]
# 部门预算 covers a department with all its units; 单位预算 one unit (Shanghai publishes both)
Scope = Literal["部门", "单位"]
# what a figure measures: an amount of money or a count, the change or growth rate the document
# states, a share, a completion rate, or a performance target (an indicator's bound)
Measure = Literal["amount", "count", "change", "change_rate", "share", "completion", "target"]
Comparison = Literal["≤", "≥", "=", "<", ">"]


class Fact(BaseModel):
    """One figure: a table cell, or a figure stated in the narrative."""

    document: str = Field(description="File name of the PDF the figure stands in.")
    department: str
    year: int
    kind: Kind
    table: str | None = Field(default=None, description="Printed table title (None for narrative facts).")
    table_type: str | None = Field(default=None, description="Canonical table type id from table_types.toml.")
    page: int = Field(description="1-based page number.")
    row: str | None = Field(default=None, description="Row label; hierarchical labels joined by ' / '.")
    row_code: str | None = Field(default=None, description="Classification code of the row (e.g. 2010301).")
    column: str = Field(default="", description="Full column header path, outermost first, joined by ' / '.")
    value: float
    unit: str = Field(description="元, 万元, 亿元, %, or the count unit the document states (人, 辆, 个, 项, 次 …).")
    source: Literal["table", "narrative"] = "table"
    scope: Scope = Field(default="部门", description="部门预算 or 单位预算 of the document.")
    measure: Measure = Field(default="amount", description="What the figure measures.")
    comparison: Comparison | None = Field(
        default=None, description="For a performance target stated as a bound (≤200人次), its sign."
    )
    quote: str | None = Field(default=None, description="Printed cell text, or the sentence for narrative facts.")
    bbox: tuple[float, float, float, float] | None = Field(
        default=None, description="Cell box on the page (x0, top, x1, bottom) in PDF points."
    )
    table_index: int | None = Field(default=None, description="Index of the table within the document.")


class Passage(BaseModel):
    """A piece of narrative under one heading."""

    document: str
    department: str
    year: int
    kind: Kind
    page: int
    heading: str = Field(description="Heading path, outermost first, joined by ' > '.")
    text: str


class TableInfo(BaseModel):
    """A table as printed: title, type, unit and where it stands."""

    index: int
    title: str
    table_type: str
    page_start: int
    page_end: int
    unit: str
    columns: list[str] = Field(default_factory=list)
    rows: int = 0


class CheckResult(BaseModel):
    """One cross-check identity applied to the tables of a document."""

    name: str
    ok: bool
    detail: str
    table: str | None = None
    page: int | None = None


class DocumentInfo(BaseModel):
    """What was recognised about one PDF."""

    document: str
    department: str
    year: int
    kind: Kind
    pages: int
    sha256: str
    scope: Scope = "部门"
    group: str = Field(description="department|year|kind: several files (text + tables) form one group.")
    part: Literal["full", "narrative", "tables"] = "full"


class Conflict(BaseModel):
    """Another stored document of the same department, year, kind and scope whose figures differ."""

    document: str = Field(description="File name of the other version.")
    differing: int = Field(description="How many figures both print for the same item and that differ.")
    compared: int = Field(description="How many figures both print for the same item.")
    examples: list[str] = Field(default_factory=list, description="A few differing items: 'table | row | column: a vs b'.")


class IngestReport(BaseModel):
    """Everything ingestion found in one PDF, and what failed."""

    info: DocumentInfo
    tables: list[TableInfo] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    checks: list[CheckResult] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list, description="Other versions that disagree.")
    seconds: float = 0.0

    @property
    def checks_failed(self) -> int:
        return sum(1 for c in self.checks if not c.ok)
