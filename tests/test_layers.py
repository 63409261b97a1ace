"""The layering rule, checked on the source: every import of our own code points down, and no module
imports itself back through others (no import circle).

    budgetqa (settings, errors, logging, locks, vocabulary)   imports nothing of ours
    ingest                                                    budgetqa
    vectorstore                                               ingest, budgetqa
    assistant | library                                       the layers below; not each other
    eval | web                                                the layers below; not each other
    app                                                       everything below
    cli                                                       everything below, app included

Imports are read with `ast`, function-local and TYPE_CHECKING ones included. scripts/ and tests/ sit
outside the rule (they may import anything).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

RANK = {"budgetqa": 0, "ingest": 1, "vectorstore": 2, "assistant": 3, "library": 3, "eval": 4, "web": 4,
        "app": 5, "cli": 6}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def our_modules() -> dict[str, Path]:
    out = {}
    for top in RANK:
        if (ROOT / f"{top}.py").is_file():
            out[top] = ROOT / f"{top}.py"
        for p in sorted((ROOT / top).rglob("*.py")) if (ROOT / top).is_dir() else []:
            out[module_name(p)] = p
    return out


def imports_of(source: str, name: str, is_package: bool, known: set[str]) -> set[str]:
    """The modules of ours that `source` (module `name`) imports, resolved to the deepest known module."""
    found: set[str] = set()
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # `from library import journal` imports the module library.journal
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t.split(".")[0] in RANK:
                found.add(t)
    return found


def graph() -> dict[str, set[str]]:
    mods = our_modules()
    known = set(mods)
    return {m: imports_of(p.read_text(encoding="utf-8"), m, p.name == "__init__.py", known) - {m}
            for m, p in mods.items()}


def upward(edges: dict[str, set[str]]) -> list[str]:
    bad = []
    for m, targets in sorted(edges.items()):
        top = m.split(".")[0]
        for t in sorted(targets):
            other = t.split(".")[0]
            if other != top and RANK[other] >= RANK[top]:
                bad.append(f"{m} imports {t} ({top} is layer {RANK[top]}, {other} is layer {RANK[other]})")
    return bad


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for t in sorted(edges.get(m, ())):
            if state.get(t) == 1:
                found.append(path[path.index(t):] + [t])
            elif t not in state:
                visit(t)
        path.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)
    return found


def test_every_import_of_our_code_points_down() -> None:
    edges = graph()
    assert len(edges) > 40 and edges["cli"], "the checker sees the code"
    assert upward(edges) == []


def test_no_import_circle() -> None:
    assert circles(graph()) == []


@pytest.mark.parametrize(("module", "source", "problem"), [
    ("budgetqa.settings", "from ingest.records import Fact", "budgetqa.settings imports ingest.records"),
    ("ingest.tables", "def f():\n    from vectorstore.facts_db import FactStore", "ingest.tables imports vectorstore"),
    ("assistant.service", "import library.journal", "assistant.service imports library.journal"),
    ("web.charts", "from app import build_app", "web.charts imports app"),
    ("app", "from cli import main", "app imports cli"),
])
def test_the_checker_finds_an_upward_import(module: str, source: str, problem: str) -> None:
    known = set(our_modules())
    edges = {module: imports_of(source, module, False, known)}
    assert any(line.startswith(problem) for line in upward(edges)), upward(edges)


def test_the_checker_finds_a_circle() -> None:
    assert circles({"web.a": {"web.b"}, "web.b": {"web.c"}, "web.c": {"web.a"}}) == [["web.a", "web.b", "web.c", "web.a"]]
