""""它占总数多少" after a figure: the share of the whole the last figure is part of, as the document states
it for that item, else computed over its own table's total (assistant/shares.py), never the figure
itself again. The words for "the whole" are data (assistant/data/computed.toml)."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache

from assistant.conversation_state import ConversationAnswer, TurnLike
from assistant.understand import DATA, norm


@lru_cache(maxsize=1)
def _whole() -> re.Pattern[str]:
    raw = tomllib.loads((DATA / "computed.toml").read_text(encoding="utf-8"))
    return re.compile(raw["whole_words"])


def names_the_whole(words: str) -> bool:
    """Whether the words after 占 name no item, only the whole ("总数", "全部", or nothing)."""
    return bool(_whole().match(norm(words).strip("的是为 ")))


def share_of_whole(turn: TurnLike, whole: str) -> ConversationAnswer | None:
    """The last figure's share of its whole; None when the words name an item; a refusal when no share
    is found (never the figure itself again)."""
    s = turn.state
    if s is None or not s.figures or not names_the_whole(whole):
        return None
    last = s.figures[-1]
    if last.computation or not last.label:
        return None
    name = last.label.split(" / ")[-1]
    # the share the document states for the item, else over its own table's total; "总数", "总额": the whole
    # budget's total when neither is found
    asked = [f"{name}占比是多少"] + ([f"{name}占总支出的比例是多少"] if "总" in whole else [])
    for text in asked:
        ans, facts = turn.conv.single(text, turn.scope())
        if ans.status == "answered" and ans.unit == "%" and ans.value is not None:
            return turn.finish(ans, facts, item=s.item, measure="share")
    return turn.refused(f"没有找到{name}所占的比例，也没有找到可作分母的合计，无法计算占比。请说明占哪一项的比例。")


__all__ = ["names_the_whole", "share_of_whole"]
