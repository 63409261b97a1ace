"""The command line's one-line errors and option help (issue 14): never a traceback to the user."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import cli

ROOT = Path(__file__).resolve().parents[1]


def test_missing_batch_file_is_one_line(sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BUDGETQA_HOME", str(sample_home))
    assert cli.main(["ask", "--json", "--batch", "missing.jsonl"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "missing.jsonl" in err and "Traceback" not in err


def test_unknown_document_lists_the_known_ones(sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BUDGETQA_HOME", str(sample_home))
    assert cli.main(["facts", "--document", "nope.pdf"]) == 2
    err = capsys.readouterr().err.strip()
    assert "nope.pdf" in err and "部门预算公开.pdf" in err and err.count("\n") == 0


def test_unknown_department_lists_the_known_ones(sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BUDGETQA_HOME", str(sample_home))
    assert cli.main(["ask", "--department", "某某局", "三公经费是多少"]) == 2
    err = capsys.readouterr().err.strip()
    assert "某某局" in err and "洛阳市西工区人民政府办公室" in err and err.count("\n") == 0


def test_facts_kind_filters(sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BUDGETQA_HOME", str(sample_home))
    assert cli.main(["facts", "--kind", "决算"]) == 0
    assert capsys.readouterr().out == ""  # the sample is a 预算
    assert cli.main(["facts", "--kind", "预算"]) == 0
    assert capsys.readouterr().out.count("\n") > 300


def test_broken_pipe_is_quiet(sample_home: Path) -> None:
    env = {"BUDGETQA_HOME": str(sample_home), "BUDGETQA_EMBED_MODEL": "hash", "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    r = subprocess.run(f"{sys.executable} -m cli facts | head -1", shell=True, cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.stdout.count("\n") == 1
    assert "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr, r.stderr[-500:]


def test_broken_pipe_after_an_answer_is_quiet(sample_home: Path) -> None:
    """`budgetqa ask … | head -1` (the answer and its source lines; the reader leaves after one)."""
    env = {"BUDGETQA_HOME": str(sample_home), "BUDGETQA_EMBED_MODEL": "hash", "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    lines = "".join(f'{{"id": {i}, "question": "车辆维护的预算是多少？"}}\n' for i in range(40))
    for cmd in (f"{sys.executable} -m cli ask 车辆维护的预算是多少？ | head -1",
                f"{sys.executable} -m cli ask --json --batch - | head -c 10"):
        r = subprocess.run(cmd, shell=True, cwd=ROOT, env=env, input=lines, capture_output=True, text=True, timeout=180)
        assert r.stdout.strip(), cmd
        assert r.stderr.strip() == "", f"{cmd}: {r.stderr[-500:]}"


def test_every_option_has_help() -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a.choices, dict))
    assert isinstance(sub.choices, dict)
    for name, p in sub.choices.items():
        for action in p._actions:
            if action.dest != "help":
                assert action.help, f"budgetqa {name} {action.option_strings or action.dest} has no help text"
