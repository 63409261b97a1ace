"""How-many questions answered from count facts: unit, row, clause, parts, replaced states, readings."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import counts
from assistant.service import Assistant
from assistant.understand import parse
from ingest.records import Fact
from vectorstore.facts_db import FactStore

DEPT = "某某局"
CARS = "本部门共有车辆55辆，其中一般公务用车13辆、执法执勤用车40辆、其他用车2辆；单价20万元以上设备63台（套）。"
STAFF = "编制338名，其中行政编制200名、行政附属编制104名、事业编制34名。"


def _fact(row: str, value: float, unit: str, quote: str, year: int = 2019, measure: str = "count") -> Fact:
    return Fact(document="d.pdf", department=DEPT, year=year, kind="预算", page=3, row=row, column="数量",
                value=value, unit=unit, source="narrative", measure=measure, quote=quote)


FACTS = [_fact("车辆", 55, "辆", CARS), _fact("一般公务用车", 13, "辆", CARS), _fact("执法执勤用车", 40, "辆", CARS),
         _fact("其他用车", 2, "辆", CARS), _fact("编制", 338, "名", STAFF), _fact("行政编制", 200, "名", STAFF),
         _fact("事业编制", 34, "名", STAFF)]


def _ask(text: str, facts: list[Fact] = FACTS):
    return counts.answer(parse(text, [DEPT]), facts)


def test_total_not_a_part():
    a = _ask("一共有多少辆车？")
    assert a is not None and a.status == "answered" and a.value == 55 and a.unit == "辆"
    assert "共有车辆55辆" in a.answer  # the clause is quoted


def test_named_part_and_a_second_question():
    assert _ask("执法执勤用车有几辆").value == 40
    main, part = counts.split_part("一共有多少辆车？其中执法执勤用车几辆？")
    a = counts.answer(parse(main, [DEPT]), FACTS, parse(part or "", [DEPT]))
    assert a.value == 55 and "执法执勤用车40辆" in a.answer and len(a.citations) == 2


def test_people_counted_in_名_answer_人():
    assert counts.asked_unit("编制有多少人") == "人"
    a = _ask("核定的编制有多少人")
    assert a.value == 338 and a.unit == "名"


def test_story_words_do_not_veto():
    a = _ask("我爸以前在这个系统工作，老说单位车多。一共有多少辆车？")
    assert a is not None and a.value == 55


def test_money_question_is_not_a_count():
    assert _ask("车辆运行维护费是多少") is None


def test_replaced_state_and_close_readings_are_asked_back():
    moved = "实际持有公车由3辆变为4辆，公车运行维护预算增加。"
    end = "2024年期末，本单位共有车辆1辆，其中：一般公务用车0辆、特种专业技术用车1辆。"
    facts = [_fact("公车", 3, "辆", moved, 2025), _fact("公车", 4, "辆", moved, 2025), _fact("车辆", 1, "辆", end, 2025),
             _fact("一般公务用车", 0, "辆", end, 2025)]
    assert _ask("实际持有的公车变成几辆了", facts).value == 4  # 3 is the state before
    a = _ask("一共有多少辆车", facts)
    assert a.status == "ambiguous" and a.value is None
    assert [x[:3] for x in a.alternatives] == ["公车4", "车辆1"]  # never the replaced 3
    # a year-end question: the sentence that dates the count wins
    assert _ask("2024年底有几辆车", facts).value == 1


def test_qualifier_the_sentence_lacks_is_not_answered():
    said = "本单位2025年对项目支出全面实施绩效管理，共28个项目。"
    table = Fact(document="d.pdf", department=DEPT, year=2019, kind="预算", page=9, table="项目支出预算表",
                 row="其他运转类", column="金额", value=5.0, unit="万元")
    assert _ask("其他运转类项目有多少个", [_fact("项目", 28, "个", said), table]) is None
    assert _ask("一共有多少个项目", [_fact("项目", 28, "个", said), table]).value == 28


@pytest.fixture(scope="module")
def bot(sample_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"), use_ranker=False)


def test_sample_vehicles_are_asked_back(bot):
    a = bot.ask("政府办一共有多少辆车")
    assert a.status == "ambiguous" and {"1辆", "4辆"} <= {x for x in ("1辆", "4辆") if x in a.answer}


def test_sample_year_end_count_read_in_next_years_document(bot):
    a = bot.ask("政府办2024年底有几辆一般公务用车？")
    assert a.status == "answered" and a.value == 0 and a.unit == "辆" and a.citations[0].page == 9


LAWS = "拟制定和修改9件法规，继续审议4件，预备制定和修改11件，对20件立法项目开展调研。"


def test_a_planned_count_prefers_the_clause_that_says_it_is_planned():
    facts = [_fact("法规", 9, "件", LAWS), _fact("法规", 11, "件", LAWS)]
    a = _ask("打算制定和修改几件法规？", facts)
    assert a is not None and a.status == "answered" and a.value == 9


# ---- the summing clause, the thing counted named by a printed label, the narrative route ----------
SELECTED = "本单位对项目支出全面实施绩效管理，涉及预算拨款300.00万元,共12个项目。选定课题调研等2个项目作为部门重点绩效目标项目。"
UNITS = "本部门3个预算单位开展了项目预算绩效目标编报工作，编报绩效目标的项目7个，涉及项目预算资金500.00万元。"


def test_a_clause_that_sums_up_speaks_for_its_whole_sentence():
    facts = [_fact("项目", 12, "个", SELECTED), _fact("项目", 2, "个", SELECTED)]
    a = _ask("一共有多少个项目实施了绩效管理？", facts)
    assert a is not None and a.status == "answered" and a.value == 12
    assert _ask("作为重点绩效目标的项目有几个", facts).value == 2


def test_a_printed_label_the_question_names_whole_is_not_filler():
    facts = [_fact("预算单位", 3, "个", UNITS), _fact("绩效目标的项目", 7, "个", UNITS)]
    assert _ask("开展绩效目标编报工作的预算单位有几个", facts).value == 3  # 预算, 单位 are fillers elsewhere
    assert _ask("编报了绩效目标的项目有几个？", facts).value == 7


def test_a_money_or_rate_never_answers_a_how_many_question():
    q = parse("全面实施绩效管理的项目共有几个", [DEPT])
    rate = Fact(document="d.pdf", department=DEPT, year=2025, kind="预算", page=30, table="整体绩效目标表",
                row="绩效目标编制完成率", column="指标值", value=100.0, unit="%")
    assert counts.not_a_count(q, rate)
    assert not counts.not_a_count(parse("增长了几个百分点", [DEPT]), rate)


def test_sample_counts_the_narrative_route_took_for_its_words(bot):
    # p9: "选定《西工年鉴》印制等1个项目作为部门重点绩效目标项目" ("目标" sends it to the narrative)
    a = bot.ask("选作部门重点绩效目标的项目有几个？")
    assert (a.status, a.value, a.unit) == ("answered", 1, "个") and a.citations[0].page == 9
    b = bot.ask("对项目支出全面实施绩效管理的项目共有几个？")  # p9: "…全面实施绩效管理，…,共28个项目"
    assert (b.status, b.value) == ("answered", 28)


def test_a_count_the_question_states_is_not_the_one_it_asks():
    a = _ask("编制338名里，行政编制有多少名？")
    assert a is not None and (a.status, a.value) == ("answered", 200)
    a = _ask("一共有55辆车吗，有多少辆车？")  # only the stated count reads the item: it still answers
    assert a is not None and a.value == 55


def test_the_year_end_the_question_pins_is_answered_by_the_clause_stating_it(bot: Assistant) -> None:
    # sample p9: "截至2024年期末…共有车辆1辆"; p8: "实际持有公车由3辆变为4辆" (after the 2025 merger)
    a = bot.ask("听说区政府办有好几十辆公车？2024年底到底有几辆车")
    assert a.status == "answered" and a.value == 1.0 and a.unit == "辆"


def test_of_counts_one_sentence_states_the_clause_naming_what_the_question_names_answers() -> None:
    # 江苏省政协办公厅2017年度部门预算.pdf p5; ingest read the second figure's row as "人员工资"
    said = "本部门预算只包含办公厅本级和江苏省政协联谊俱乐部在职7名人员，南京中国近代史遗址博物馆管理建设办公室在职10名人员工资等经费。"
    facts = [_fact("人员", 7, "名", said), _fact("人员工资", 10, "名", said)]
    a = _ask("南京中国近代史遗址博物馆管理建设办公室有几名在职人员？", facts)
    assert a is not None and a.status == "answered" and a.value == 10
    b = _ask("办公厅本级和联谊俱乐部有几名在职人员？", facts)
    assert b is not None and b.status == "answered" and b.value == 7


def test_a_count_sharing_only_a_stray_character_and_the_unit_is_no_answer() -> None:
    said = "本部门包括27个内设机构、1个下属差额拨款事业单位和1个派出机构。"
    facts = [_fact("派出机构", 1, "个", said), _fact("内设机构", 27, "个", said)]
    assert _ask("安排了几个出国团组？", facts) is None
