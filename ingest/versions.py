"""Versions of one publication: a second document with the same department, year, kind and scope.

When both print a figure for the same item (table, row, code, column) and the figures differ, the
documents conflict: the library keeps both, the later one's report names the earlier one
(IngestReport.conflicts), and `conflicts_by_document` gives every stored document the versions
that disagree with it (both directions), for `documents --json` and for answers to say so."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ingest.records import Conflict, DocumentInfo, Fact, IngestReport

_EXAMPLES = 3
_COMPLEMENTARY = {frozenset({"narrative", "tables"})}  # the two files of one publication


def _key(f: Fact) -> tuple:
    if f.source == "table":
        return ("table", f.table_type if f.table_type != "other" else f.table, f.row, f.row_code, f.column, f.year, f.kind)
    return ("narrative", f.row, f.column, f.year, f.kind, f.unit)


def _index(facts: Iterable[Fact]) -> dict[tuple, Fact]:
    out: dict[tuple, Fact] = {}
    for f in facts:
        out.setdefault(_key(f), f)  # the first of repeated labels: both documents read alike
    return out


def compare(facts: Sequence[Fact], other_facts: Sequence[Fact], other: str) -> Conflict | None:
    """The conflict between two versions, or None when they agree on every figure both print."""
    a, b = _index(facts), _index(other_facts)
    common = [k for k in a if k in b]
    diff = [k for k in common if abs(a[k].value - b[k].value) > 1e-6 or a[k].unit != b[k].unit]
    if not diff:
        return None
    examples = []
    for k in diff[:_EXAMPLES]:
        fa, fb = a[k], b[k]
        where = " | ".join(x for x in (fa.table or "说明", fa.row or "", fa.column) if x)
        examples.append(f"{where}: {fb.value:g}{fb.unit} vs {fa.value:g}{fa.unit}")
    return Conflict(document=other, differing=len(diff), compared=len(common), examples=examples)


def with_versions(report: IngestReport, others: Sequence[DocumentInfo], facts_of) -> IngestReport:  # type: ignore[no-untyped-def]
    """The report with the stored versions of its group it disagrees with (`facts_of(document)`
    gives a stored document's facts); the two complementary files of one publication never conflict."""
    conflicts, warnings = [], list(report.warnings)
    for o in others:
        if frozenset({o.part, report.info.part}) in _COMPLEMENTARY or o.sha256 == report.info.sha256:
            continue
        c = compare(report.facts, facts_of(o.document), o.document)
        if c is None:
            continue
        conflicts.append(c)
        warnings.append(f"another version of {report.info.department} {report.info.year}年{report.info.kind} "
                        f"({o.document}) disagrees on {c.differing} of {c.compared} figures, e.g. {c.examples[0]}")
    return report.model_copy(update={"conflicts": conflicts, "warnings": warnings})


def conflicts_by_document(listed: Mapping[str, list[dict]]) -> dict[str, list[str]]:
    """{document: [other versions that disagree with it]} from each stored document's saved
    `conflicts` list, in both directions: the earlier version learns of the later one too. Names
    that are no longer stored are left out."""
    out: dict[str, set[str]] = {}
    for document, conflicts in listed.items():
        for c in conflicts:
            other = c.get("document") if isinstance(c, dict) else None
            if other:
                out.setdefault(document, set()).add(other)
                out.setdefault(other, set()).add(document)
    return {k: sorted(v & listed.keys()) for k, v in out.items() if k in listed}
