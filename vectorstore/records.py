"""Typed records the fact store hands out: a stored document, the filters its queries take, an aggregate row."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from ingest.records import DocumentInfo, Kind

# keys the document dicts of earlier releases used where the record's field has another name
_LEGACY_KEYS = {"grp": "group"}


class StoredDocument(DocumentInfo):
    """One stored document as `FactStore.documents()` lists it: what was recognised about the PDF and
    what its ingest stored (its report's tables and checks stay in the store: `FactStore.checks`,
    `FactStore.saved_report`)."""

    id: int = Field(description="Row id; a document saved again gets a new one.")
    facts: int
    checks_total: int
    checks_failed: int
    seconds: float = Field(description="Ingest (parse) time in seconds.")
    ingested_at: str
    revision: int = Field(default=0, description="The store generation that saved this row; (id, revision) "
                          "names one version of the document's facts and passages.")

    def __getitem__(self, key: str) -> Any:
        """`d["department"]` as on the dicts `documents()` returned before this record (kept while
        callers move to attributes)."""
        try:
            return getattr(self, _LEGACY_KEYS.get(key, key))
        except AttributeError:
            raise KeyError(key) from None


class FactFilter(BaseModel):
    """Which facts: every field that is set must match (lists: any of them). Used by `facts_for` and the
    aggregates."""

    departments: list[str] | None = None
    years: list[int] | None = None
    kinds: list[Kind] | None = None
    documents: list[str] | None = None
    table_types: list[str] | None = None
    row_leaf: str | None = Field(default=None, description="Last part of the row label, exactly: '行政运行'.")
    row_code: str | None = None
    column: str | None = Field(default=None, description="The column path, exactly.")
    column_contains: str | None = Field(default=None, description="A part of the column path.")
    measures: list[str] | None = None
    units: list[str] | None = None
    source: Literal["table", "narrative"] | None = None
    rows: list[str] | None = Field(default=None, description="Row labels, exactly (VectorIndex.search_labels).")
    columns: list[str] | None = Field(default=None, description="Column paths, exactly.")


class PassageFilter(BaseModel):
    """Which passages: every field that is set must match (lists: any of them)."""

    departments: list[str] | None = None
    years: list[int] | None = None
    kinds: list[Kind] | None = None
    documents: list[str] | None = None


class Aggregate(BaseModel):
    """One group of an aggregate query: a department (ranking) or a year (series), one unit."""

    key: str | int = Field(description="The department, or the year.")
    unit: str
    value: float = Field(description="The aggregate asked for (sum, max or min) of the group's values.")
    facts: int = Field(description="How many facts the group holds; more than one means the filter "
                       "matched several cells per group (a sum may then count a figure twice).")
    fact_ids: list[int] = Field(description="Row ids of the facts (`FactStore.facts_by_ids`), for citations.")
