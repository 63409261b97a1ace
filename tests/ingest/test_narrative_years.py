"""Narrative sentences that state another year's figure or a change from it (ingest/narrative.py), on
sentences written here in the documents' forms."""

from __future__ import annotations

from ingest.narrative import RawPassage, change_word, figures
from ingest.periods import spent_column


def _read(text: str, kind: str = "决算", subject: str = "") -> list[tuple[str, str, float, str]]:
    return [(f.row, f.column, f.value, f.unit) for f in figures(RawPassage(1, ["说明"], text), kind, subject)]


def test_a_decline_with_the_templates_other_word_left_in_brackets_is_a_decline() -> None:
    got = _read("会议费支出决算0.52万元。比2023年度减少0.20万元，下降（增长）27.78%。")
    assert ("会议费", "比上年下降率", 27.78, "%") in got and ("会议费", "比上年减少", 0.2, "万元") in got
    assert not any(col == "比上年增长率" for _r, col, _v, _u in got)


def test_the_first_direction_word_outside_brackets_decides() -> None:
    assert change_word("增长（下降）") == "增长"
    assert change_word("比上年减少") == "减少"
    assert change_word("主要用于") is None


def test_a_piece_of_text_goes_on_with_the_item_the_piece_before_ended_on() -> None:
    text = "2022年当年预算执行数为45.10万元，2023年预算安排50.00万元，比2022年预算执行数增加10.86%。"
    assert _read(text, "预算") == []  # no item: nothing findable
    got = _read(text, "预算", subject="文化事务 / 文物保护")
    assert ("文化事务 / 文物保护", "预算执行数", 45.1, "万元") in got
    assert ("文化事务 / 文物保护", "预算数", 50.0, "万元") in got


def test_a_figure_is_on_the_page_its_sentence_starts_on() -> None:
    text = "甲项目10.00万元，主要用于甲。乙项目20.00万元，主要用于乙。"
    p = RawPassage(4, ["说明"], text, turns=[(text.index("乙"), 5)])
    pages = {f.row: f.page for f in figures(p, "预算")}
    assert pages == {"甲项目": 4, "乙项目": 5}


def test_execution_columns_are_spent_columns() -> None:
    assert spent_column("预算执行数") and spent_column("决算数") and spent_column("2022年执行数")
    assert not spent_column("年初预算数") and not spent_column("预算数")
