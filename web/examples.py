"""Example questions the loaded documents can answer, phrased the way people ask."""

from __future__ import annotations

from vectorstore.facts_db import FactStore
from vectorstore.records import StoredDocument


def _short_department(name: str) -> str:
    from ingest.names import short_name

    return short_name(name)


def example_questions(docs: list[StoredDocument], store: FactStore, limit: int = 8) -> list[str]:
    """Questions the loaded documents can answer, phrased the way people ask."""
    groups: dict[tuple[str, int, str], list[str]] = {}
    for d in docs:
        groups.setdefault((d["department"], d["year"], d["kind"]), []).append(d["document"])
    departments = {k[0] for k in groups}
    years_of = {dep: {k[1] for k in groups if k[0] == dep} for dep in departments}
    per_group: list[list[str]] = []
    for (dep, year, kind), names in list(groups.items())[:4]:
        short = _short_department(dep)
        prefix = (short if len(departments) > 1 else "") + (f"{year}年" if len(years_of[dep]) > 1 else "")
        facts = [f for name in names for f in store.facts(document=name)]
        text = " ".join(f"{f.row or ''} {f.column} {f.table_type or ''}" for f in facts)
        out = []
        if "公务用车运行" in text:
            out.append(f"{prefix}车辆维护的{kind}是多少？")
        if "三公" in text or "three_public" in text:
            out.append(f"{prefix}三公经费是多少？")
        if "基本支出" in text:
            out.append(f"{prefix}基本支出占多少？")
        if any("职责" in p.heading for p in store.passages() if p.department == dep):
            out.append(f"{short}的主要职责有哪些？")
        if "项目支出" in text:
            out.append(f"{prefix}项目支出是多少？")
        per_group.append(out)
    # take the groups in turn so every loaded department gets examples
    mixed = [q for i in range(max(map(len, per_group), default=0)) for qs in per_group if i < len(qs) for q in [qs[i]]]
    return list(dict.fromkeys(mixed))[:limit]
