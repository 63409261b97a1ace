"""Rows under and beside the last answer's row (assistant/neighbourhood.py), on made-up facts."""

from __future__ import annotations

from assistant.neighbourhood import asked_unit, beside, question_words, under
from ingest.records import Fact


def _fact(row: str, value: float, unit: str = "万元", table: str = "项目表", column: str = "合计",
          measure: str = "amount") -> Fact:
    return Fact(document="d.pdf", department="某局", year=2025, kind="预算", table=table, page=3, row=row,
                column=column, value=value, unit=unit, measure=measure)  # type: ignore[arg-type]


PROJECT = _fact("道路养护经费", 12.0)
TWIN = _fact("道路养护经费（下属中心）", 3.0)
INDICATORS = [
    _fact("道路养护经费 / 成本指标 / 总成本", 11.5, table="绩效目标表", column="指标值", measure="target"),
    _fact("道路养护经费 / 产出指标 / 养护里程", 40.0, unit="公里", table="绩效目标表", column="指标值", measure="target"),
    _fact("道路养护经费 / 产出指标 / 巡查人数", 6.0, unit="人", table="绩效目标表", column="指标值", measure="target"),
    _fact("道路养护经费 / 满意度指标 / 群众满意度", 95.0, unit="%", table="绩效目标表", column="指标值", measure="target"),
    _fact("其他项目 / 成本指标 / 总成本", 2.0, table="绩效目标表", column="指标值", measure="target"),
]
FACTS = [PROJECT, TWIN, *INDICATORS]


def test_an_indicator_under_the_project_just_answered() -> None:
    assert under(PROJECT, FACTS, "绩效目标表里它的总成本写的是多少？") is INDICATORS[0]  # not the other project's
    assert under(PROJECT, FACTS, "满意度目标定的多少？") is INDICATORS[3]
    assert under(PROJECT, FACTS, "打算派几个人巡查？") is INDICATORS[2]  # the count unit asked weighs in
    assert under(INDICATORS[0], FACTS, "那群众满意度呢") is INDICATORS[3]  # from one indicator to another


def test_nothing_under_it_is_forced() -> None:
    assert under(PROJECT, FACTS, "那公务接待费呢？") is None  # words of no indicator
    assert under(TWIN, FACTS, "总成本是多少") is None  # the twin has no indicator rows
    assert under(PROJECT, FACTS, "打算安排几个人？") is None  # a unit alone, no word of the row


def test_a_row_beside_it_holding_the_question_words() -> None:
    assert beside(PROJECT, FACTS, "那下属中心的那个养护经费呢？") is TWIN
    assert beside(PROJECT, FACTS, "那办公费呢？") is None


def test_a_row_beside_it_named_by_a_short_part_after_a_demonstrative() -> None:
    # "那X的那个呢": "那个" goes whole; a "个" left over would count as a word no row holds (X is 3 characters)
    station = _fact("道路养护经费（养护站）", 4.0)
    assert question_words("那养护站的那个呢？").strip() == "养护站"
    assert beside(PROJECT, [PROJECT, station], "那养护站的那个呢？") is station


def test_an_earlier_figure_is_no_answer_for_another_item() -> None:
    from assistant.neighbourhood import repeats_earlier

    again = _fact("道路养护经费", 12.0, table="绩效目标表", column="资金总额")  # the same row elsewhere
    assert repeats_earlier(again, [PROJECT], "那养护站的那个呢？")  # the words asked are in none of its labels
    assert repeats_earlier(PROJECT, [PROJECT], "那下属单位的呢？")
    assert not repeats_earlier(again, [PROJECT], "绩效目标表里的资金总额呢？")  # its labels hold the words
    assert not repeats_earlier(TWIN, [PROJECT], "那下属中心的呢？")  # another row: a new figure
    assert not repeats_earlier(again, [TWIN], "那养护站的那个呢？")  # nothing answered before states it


def test_question_words_and_count_unit() -> None:
    assert "总成本" in question_words("绩效目标表里它的总成本写的是多少？")
    assert asked_unit("打算派遣几个人？") == "人" and asked_unit("有几辆车") == "辆" and asked_unit("多少钱") is None


def test_before_and_after_a_change_of_state_stated_in_one_sentence() -> None:
    from assistant.neighbourhood import before_after

    quote = "因机构调整，下属单位并入，实际持有公车由3辆变为5辆，运行维护预算增加。"
    before = Fact(document="d.pdf", department="某局", year=2025, kind="预算", page=8, row="公车", column="数量",
                  value=3.0, unit="辆", source="narrative", quote=quote)
    after = before.model_copy(update={"value": 5.0})
    facts = [before, after]
    assert before_after(after, facts, "那合并之前是几辆？") is before
    assert before_after(before, facts, "调整后呢？") is after
    assert before_after(after, facts, "那去年呢？") is None  # not a side of the change
    plain = after.model_copy(update={"quote": "本部门共有公车5辆。"})
    assert before_after(plain, [plain], "之前是几辆？") is None  # the sentence states no change


def test_the_reading_a_reply_picks() -> None:
    from assistant.neighbourhood import chosen

    units = _fact("内设机构", 21.0, unit="个", table="机构表", column="数量")
    bodies = _fact("事业单位", 2.0, unit="个", table="机构表", column="数量")
    readings = [units, bodies]
    assert chosen(readings, "第二个") is bodies and chosen(readings, "前者") is units
    assert chosen(readings, "后者吧") is bodies and chosen(readings, "事业单位那个") is bodies
    assert chosen(readings, "第三个") is None and chosen(readings, "那去年呢？") is None
