"""Question normalisation: traditional characters, full width, spacing, year words, English, pinyin."""

from __future__ import annotations

import pytest

from assistant.normalise import (
    english_to_chinese,
    is_english,
    normalise,
    pinyin_bigrams,
    pinyin_key,
    romanised_places,
)
from assistant.plan import Catalog, make_plan


@pytest.mark.parametrize(("typed", "read"), [
    ("政府辦那個「政府購買服務」項目", "政府办那个“政府购买服务”项目"),
    ("因公出國（境）費", "因公出国(境)费"),
    ("２０１９年 培训 费", "2019年培训费"),
    ("二〇一九年的会议费", "2019年的会议费"),
])
def test_traditional_full_width_spacing_and_year_words(typed, read):
    assert normalise(typed) == read


def test_homophone_typos_share_the_pinyin_of_the_printed_word():
    assert pinyin_key("计效工资") == pinyin_key("绩效工资") == ["ji", "xiao", "gong", "zi"]
    assert pinyin_bigrams("委拖业务费") == pinyin_bigrams("委托业务费")
    assert pinyin_bigrams("培训费") != pinyin_bigrams("差旅费")


def test_english_questions_read_through_the_glossary():
    q = "How much was budgeted for official receptions in 2019?"
    assert is_english(q) and not is_english("2019年公务接待费是多少")
    zh = english_to_chinese(q)
    assert "公务接待费" in zh and "2019" in zh and "预算" in zh


def test_place_names_in_pinyin_become_the_loaded_department_characters():
    depts = ["某某省甲乙厅", "江苏省人民检察院"]
    assert romanised_places("jiangsu 人民检察院", depts) == "江苏 人民检察院"
    assert romanised_places("nowhere 人民检察院", depts) == "nowhere 人民检察院"


def test_a_plan_is_typed_and_public():
    cat = Catalog(["江苏省人民检察院"], {"江苏省人民检察院": [2018, 2019]})
    p = make_plan("江蘇省人民檢察院2019年的培訓費是多少？", cat)
    assert p.route == "value" and p.departments == ["江苏省人民检察院"] and p.years == [2019]
    assert "培训费" in p.query.item
    assert make_plan("江苏省人民检察院2019年3月份花了多少钱", cat).route == "refuse"
    assert make_plan("江苏省人民检察院2016年培训费", cat).route == "refuse"
    assert make_plan("江苏省人民检察院2019年培训费比上年增加多少", cat).route == "change"


def test_a_district_whose_name_ends_like_a_generic_word_is_not_a_loaded_department():
    """'老城区政府办…' must not be answered with a neighbouring district's figure ('城区' is generic,
    '老城区' a district's name)."""
    cat = Catalog(["洛阳市西工区人民政府办公室"], {"洛阳市西工区人民政府办公室": [2025]})
    p = make_plan("老城区政府办2025年的三公经费预算是多少？", cat)
    assert p.route == "refuse" and "老城区" in (p.reason or "")


def test_words_naming_several_loaded_bodies_ask_which():
    cat = Catalog(["甲市财政局", "乙市财政局"], {"甲市财政局": [2024], "乙市财政局": [2024]})
    p = make_plan("甲市财政局、乙市财政局2024年培训费是多少", cat)
    assert p.route == "which_department" and set(p.departments) == {"甲市财政局", "乙市财政局"}


def test_body_names_are_composed_from_the_general_body_type_list():
    # no department's name is listed: "planning", "natural resources", "bureau" are parts of names
    assert "规划和自然资源局" in normalise("How much did the Planning and Natural Resources Bureau spend in 2024?")
    assert "教育局" in normalise("What was the Education Bureau's budget for training in 2024?")
    assert "区委社会工作部" in normalise("How much did the District Committee Social Work Department spend in 2024?")
