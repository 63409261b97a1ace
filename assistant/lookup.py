"""The deterministic table-lookup tool: which stored facts answer a query, best first."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.fact_labels import (
    Labels,
    abbreviated,
    bare,
    canonical_table,
    class_stem,
    common_part,
    core,
    in_canonical_table,
    labels_of,
    lcs,
    stated_runs,
)
from assistant.respell import respell, sound_index
from assistant.understand import Query, expand, language, norm, residual
from budgetqa.vocabulary import is_money, is_total_row, vocabulary
from ingest.periods import spent_column
from ingest.records import Fact

GENERIC_COLUMNS = vocabulary().generic_columns
# a word that names a public body ("教育局", "某某街道"): unless the labels speak of it, not a story word
_BODY_WORD = r"[\u4e00-\u9fff]{2}(?:局|厅|委员会|院|委|部|办公室|中心|街道|办事处)"
_SPECIFIC = 4  # characters of a matched label that name one item, not a kind of figure
_FEW = 4  # unmatched characters beside a label the question shares only a part of
_SPECIFIC_PRINTED = 3  # a fact's own printed label in the question names its item from three (会议费)
_CHANGE_COLS = ("比上年增加", "比上年减少", "比上年增长", "比上年下降", "比上年增减")


_CANONICAL = 3.0  # the canonical table's figure ahead of a same-named row of a table showing one part


@dataclass
class Scored:
    fact: Fact
    score: float
    matched: list[str]
    uncovered: str
    table_named: bool = False
    canonical: float = 0.0  # the part of the score the canonical table gave


_GENERIC_PART = re.compile(r"预算|决算|经费|支出|收入|费用|资金|金额|合计|总计")
_ITEM_END = set("费")  # the character that ends the name of an expense (油费, 物业费): an item, not a story word
_NEGATED = re.compile(r"不是|不含|不包括|不算|除了?|非|以外的?$")

def _item_words(item: str, memo: dict) -> set[str]:
    """The words of the item between filler words (是多少, 的, 预算 …; of one character only 的, which
    never stands inside an item's name), kept in the call's memo."""
    key = ("_words", item)
    if key not in memo:
        t = item
        for w in sorted((w for w in language()["filler"] if len(w) >= 2 or w == "的"), key=lambda x: (-len(x), x)):
            t = t.replace(w, " ")
        memo[key] = {w for w in re.split(r"[\s\d.%()（）《》“”、,，:：?？。!！—\-]+", t) if w}
    return memo[key]


def _item_word(item: str, uncovered: str) -> bool:
    """Whether two adjacent characters of the item are both left uncovered: a word of the question
    no matched label speaks of, not a stray character."""
    left = set(uncovered)
    return any(item[i] in left and item[i + 1] in left for i in range(len(item) - 1))


def _names_item(label: str) -> bool:
    """A label that names one item (培训费, 职业年金缴费), not a total or a kind of figure (支出, 合计)."""
    return len(label) >= _SPECIFIC_PRINTED and not is_total_row(label) and label not in GENERIC_COLUMNS


def _covers(item: str, matched: list[str], targets: list[tuple[str, str]], lab: Labels) -> int:
    """How surely the fact's own label names the question's item: 2 when printed in the question (four
    characters or more, or three that name one item: 会议费) or standing for a word the question typed
    through the thesaurus ("接待" for 公务接待费); 1 when sharing four characters or more with it
    ("职业年金" of 职业年金缴费, "党建经费" of 党建工作经费); 0 otherwise. Then the question's other words
    are a story around the item."""
    own = [x for x in (lab.row_leaf, lab.col_leaf) if x]
    for m in matched:
        if m in item and ((len(m) >= _SPECIFIC and not is_total_row(m)) or (m in own and _names_item(m))):
            return 2
    if any(w in item and w in matched and label in own and len(label) >= _SPECIFIC and _names_item(label)
           for w, label in targets):
        return 2
    # the shared part itself must name something: "收入预算" of 收入预算总计, "经费支出" of 机关运行经费支出
    # are kinds of figure
    return int(any(_names_item(x) and (len(_GENERIC_PART.sub("", common_part(core(x), item))) >= 3
                                       or len(bare(abbreviated(core(x), item))) >= _SPECIFIC)
                   for x in own if x in matched))


def _other_expense(item: str, uncovered: str) -> str:
    """The 费 of each expense the item names that the fact's labels do not ("油费" beside 公务用车运行费):
    a character left uncovered right before 费; '' when there is none."""
    left = set(uncovered)
    item = item.replace("的", "")  # "加油的费用"
    return "".join(item[i + 1] for i in range(len(item) - 1) if item[i + 1] in _ITEM_END and item[i] in left)


def ranked(hits: list[Scored]) -> list[Scored]:
    """Best score first, then page. The canonical table decides which figure answers; among the facts
    stating that same figure the order stays the one without it (the sentence that also states the
    change may lead, the table is cited beside it)."""
    hits = sorted(hits, key=lambda s: (-s.score, s.fact.page))
    if hits and hits[0].canonical:
        top = hits[0].fact.value
        same = sorted((h for h in hits if abs(h.fact.value - top) < 0.005), key=lambda s: (-(s.score - s.canonical), s.fact.page))
        if same[0].fact.source == "table" and not same[0].canonical:  # a sentence may lead, no other table
            same.remove(lead := next(h for h in same if h.canonical))
            same.insert(0, lead)
        hits = same + [h for h in hits if abs(h.fact.value - top) >= 0.005]
    return hits


class FactIndex:
    """All facts in memory with their normalized labels (tens of thousands fit easily)."""

    def __init__(self, facts: list[Fact], labels: list[Labels] | None = None):
        self.facts = facts
        self.labels = labels if labels is not None else labels_of(facts)

    def headed(self, i: int) -> str | None:
        """The canonical table type the headers of fact i's table show ("“三公”经费 / 公务接待费" is a column
        of a 三公 table), for a table whose title was not recognised at ingest; None when they show none."""
        cached: tuple[int, dict[tuple, str]] = getattr(self, "_headed", (-1, {}))
        if cached[0] != len(self.facts):
            types: dict[tuple, str] = {}
            for f in self.facts:
                for part in f.column.split(" / ")[:-1] if f.table else []:
                    if t := canonical_table(norm(part)):
                        types.setdefault((f.document, f.page, f.table), t)
            cached = self._headed = (len(self.facts), types)
        f = self.facts[i]
        return cached[1].get((f.document, f.page, f.table))

    def code_ancestors(self, code: str) -> list[str]:
        """The names the facts held print on the rows of a code's classes (212 and 21201 for 2120101)."""
        held = self.facts  # a scoped index holds another list per call: kept while it is the same one
        cached: tuple[object, dict[str, set[str]]] = getattr(self, "_code_names", (None, {}))
        if cached[0] is not held:
            names: dict[str, set[str]] = {}
            for f, lab in zip(held, self.labels, strict=False):
                if f.row_code and lab.row_leaf:
                    names.setdefault(f.row_code, set()).add(lab.row_leaf)
            cached = self._code_names = (held, names)
        return sorted({n for k in range(3, len(code), 2) for n in cached[1].get(code[:k], ())}, key=len, reverse=True)

    def select(self, departments: list[str], years: list[int], kind: str | None) -> list[int]:
        """Indices, in store order, of the facts of these departments and years (empty: any) and kind.
        Facts are grouped by (department, year) on first use, so a question scoped to one document
        reads that document's facts, not the whole store (docs/BENCHMARKS.md, scaling)."""
        if not departments and not years:
            return [i for i, f in enumerate(self.facts) if kind is None or f.kind == kind]
        cached: tuple[int, dict[tuple[str, int], list[int]]] = getattr(self, "_groups", (-1, {}))
        size, groups = cached
        if size != len(self.facts):
            groups = {}
            for i, f in enumerate(self.facts):
                groups.setdefault((f.department, f.year), []).append(i)
            self._groups = (len(self.facts), groups)
        keys = [k for k in groups if (not departments or k[0] in departments) and (not years or k[1] in years)]
        rows = groups[keys[0]] if len(keys) == 1 else sorted(i for k in keys for i in groups[k])
        return [i for i in rows if kind is None or self.facts[i].kind == kind]

    def _item_for(self, query: Query, lab: Labels, memo: dict) -> tuple[str, list[tuple[str, str]], bool]:
        """The item with the fact's table title taken out when the question names that table
        ("…支出预算表中的会议费": the title's words name the table, not the item)."""
        if lab.table not in memo:
            # "十一、2017年浙江省高级人民法院部门一般公共预算“三公”经费…支出预算表": the part after year and department
            title = re.sub(r"^.*?20\d\d年?度?", "", lab.table)
            title = re.sub(r"^.*?(部门|单位)(?=.{4,}表)", "", title) if not title.startswith(("部门收", "部门支")) else title
            common = common_part(title, query.item)
            if len(common) >= 6 and (common == title or len(common) >= 10):
                item = query.item.replace(common, " ")
                memo[lab.table] = (item, expand(item) if query.targets else [], True)
            else:
                memo[lab.table] = (query.item, query.targets, False)
        return memo[lab.table]

    def _respelled(self, query: Query, memo: dict) -> Query:
        """The query with homophone typos of the item read as the label words they sound like
        (assistant/respell.py), once per call."""
        if "_query" not in memo or memo["_query"][0] is not query:
            grams = self._label_grams(memo)
            if "_sounds" not in memo:
                memo["_sounds"] = sound_index(grams)
            item = respell(query.item, grams, memo["_sounds"])
            fixed = query if item == query.item else replace(query, item=item, targets=expand(item) if query.targets else [])
            memo["_query"] = (query, fixed)
        return memo["_query"][1]

    def score(self, i: int, query: Query, measure: str, memo: dict | None = None) -> Scored | None:
        if memo is None:
            memo = {}
        query = self._respelled(query, memo)
        f, lab = self.facts[i], self.labels[i]
        item, targets, table_named = self._item_for(query, lab, memo)
        matched: list[str] = []
        score = 0.0
        canonical = 0.0
        target_labels = {label for _w, label in targets}
        target_words = {w for w, _label in targets}
        row_hit = False
        bare_item = bare(item)
        for part in ([lab.row_leaf] + lab.row_parts[:-1]):
            short = core(part)
            if len(part) >= 2 and (part in item or (len(bare(part)) >= 2 and bare(part) in bare_item)):
                score += len(part) + (2 if part == lab.row_leaf else 0)
                matched.append(part)
                row_hit = True
                break
            stem = class_stem(bare(short))
            if stem and (stem + "支出" in item or stem + "事务" in item or (len(stem) >= 3 and stem in item)):
                # a class in everyday form: "农林水支出" for 农林水事务, "城乡社区支出" for 城乡社区事务支出
                score += len(stem) + (2 if part == lab.row_leaf else 0)
                matched += [stem] + [stem + w for w in ("支出", "事务") if stem + w in item]
                row_hit = True
                break
            if short != part and len(short) >= 3 and short in item:
                # the qualifier left out ("政府采购金额" of 政府采购金额(以合同签订为准)): a row printed without
                # one ("党建工作经费" beside 党建工作经费(某局)) is what a question without it means
                qualifier = part[len(short):].strip("()")
                at = item.find(qualifier)
                qualified = at >= 0 and not _NEGATED.search(item[max(0, at - 4):at])  # "不是某局那一项"
                score += (len(part) if qualified else len(short) - (1 if at < 0 else 4)) + (2 if part == lab.row_leaf else 0)
                matched += [short] + ([qualifier] if qualified else [])
                row_hit = True
                break
        if not row_hit and lab.row_leaf:
            for label in target_labels:
                if label == lab.row_leaf or (len(label) >= 4 and label in lab.row_leaf and len(lab.row_leaf) - len(label) <= 2):
                    typed = [w for w, lb in targets if lb == label]
                    # credit what the user typed: "工资" must not outweigh a printed "基本工资"
                    score += max(len(w) for w in typed) + 1
                    matched += typed
                    row_hit = True
                    break
        col_hit = False
        for part in lab.col_parts:
            if part in GENERIC_COLUMNS or len(part) < 2:
                continue
            if part in item and part not in matched:
                score += len(part) * 0.9
                matched.append(part)
                col_hit = True
            elif part in target_labels or any(len(t) >= 4 and t in part for t in target_labels):
                score += 4
                matched += [w for w, lb in targets if lb == part or lb in part]
                col_hit = True
        if not row_hit and not col_hit and lab.row_leaf and len(lab.row_leaf) >= 3:
            leaf = core(lab.row_leaf)
            shared = common_part(item, leaf)
            common = max(len(shared), len(abbreviated(leaf, item)))
            if common >= max(4, int(0.4 * len(leaf))):
                score += common * 0.8 - 0.3 * (len(leaf) - common)
                matched.append(lab.row_leaf)
                row_hit = True
            elif (len(shared) >= _SPECIFIC or (len(shared) >= 3 and len(shared) * 5 >= len(leaf) * 3)) \
                    and (shared in _item_words(item, memo) or shared in target_words):
                # the whole of one word of the question inside a long label ("职业年金" of
                # 机关事业单位职业年金缴费支出), or most of a short one ("买货物" of 拟购买货物), or a budget
                # term the thesaurus reads in it ("机关运行经费" of 本部门一般公共预算机关运行经费预算支出): the
                # label covers the item, its other words only qualify it
                score += len(shared) * 0.8 - 0.1 * (len(leaf) - len(shared))
                matched.append(lab.row_leaf)
                row_hit = True
        if query.codes and f.row_code in query.codes:
            score += 8
            # the code states the row's classes too: "城乡社区管理事务的行政运行（2120101）" names 21201's row
            matched += [f.row_code or "", *self.code_ancestors(f.row_code or "")]
            row_hit = True
        if score <= 0:
            return None
        own = {lab.row_leaf, lab.col_leaf}
        # a total's word alone ("合计") inside a budget term ("三公经费合计") does not match the term
        matched += [w for w, label in targets
                    if any(w in m or (m in w and not is_total_row(m)) for m in matched) or label in own]
        # preferences among facts that match the words equally
        if col_hit and not row_hit:
            score += 1.0 if (not f.row or is_total_row(norm(f.row))) else -1.5
        if row_hit and not col_hit:
            # a breakdown column (项目支出, 基本支出 …) the question did not ask for ranks below the row's total
            score += 0.6 if lab.col_leaf in GENERIC_COLUMNS else -0.4
            if len(lab.col_parts) > 1 and lab.col_parts[0] not in GENERIC_COLUMNS and lab.col_parts[-1] not in GENERIC_COLUMNS:
                score -= 0.8  # a breakdown column, not the row's total
        if any(p.startswith("其中") for p in f.column.split(" / ")):
            score -= 0.5
        spent = spent_column(f.column)  # 决算数, 预算执行数
        if (f.kind == "决算" and not query.wants_budget_column and "预算" in f.column and not spent
                and measure == "value"):
            return None  # asked what was spent: a budget column is not the answer
        if f.kind == "决算" and not query.wants_budget_column:
            score += 0.7 if spent else (-0.7 if "预算" in f.column else 0)
        if f.kind == "决算" and query.wants_budget_column:
            score += 0.7 if "预算" in f.column and not spent else (-0.7 if spent else 0)
        if table_named:
            score += 2.0
        elif (in_canonical_table(f.table_type, lab, leaf := lab.row_leaf or lab.col_leaf)
              or (canonical_table(leaf) is not None and canonical_table(leaf) == self.headed(i))) and (
                leaf in matched or leaf in target_labels):
            score += _CANONICAL  # "培训费" from the table that states it for the whole department
            canonical = _CANONICAL
        elif lab.table and lcs(lab.table, query.q) >= 5:
            score += 0.8
        is_change = f.column.startswith(_CHANGE_COLS)
        if measure == "value":
            if is_change or f.column in ("占比", "完成预算的比例") or (f.unit == "%" and f.source == "narrative"):
                return None
            if query.count and is_money(f.unit):
                return None
            score += 0.5 if f.source == "table" else 0
        elif measure in ("change_amount", "change_rate"):
            if not is_change or (measure == "change_rate") != (f.unit == "%"):
                return None
        elif measure == "share" and f.column != "占比":
            return None
        elif measure == "completion" and f.column != "完成预算的比例":
            return None
        asks_target = re.search(language()["target_pattern"], query.q)
        if f.measure == "target" and query.count and not asks_target:
            return None  # "实际接待了多少批次": a planned bound is not how many there were
        if f.measure == "target" and not query.count and not asks_target:
            score -= 4.0  # a target says what a plan aims at, not what is budgeted (ingest indicator facts)
        # a sentence's figure asked with the sentence's own words ("实行绩效目标管理的项目涉及财政性资金
        # 合计" of "共5个项目实行绩效目标管理，涉及财政性资金合计5,086万元"): those words describe it
        stated = stated_runs(item, norm(f.quote)) if f.source == "narrative" and f.quote and lab.row_leaf in matched else []
        uncovered = residual(item, matched + stated + list(lab.col_parts) + list(lab.row_parts),
                             "".join(lab.row_parts + lab.col_parts) + lab.table)
        # a word the question has that this fact's labels lack may name another item: it counts against
        # the fact; words no label in scope uses ("我在…开了家小公司") say nothing about any fact and only
        # lower the score a little, the same for every candidate, so they never veto one
        # forgiven only when the fact matches a specific label (four characters or more): beside a
        # short or generic one ("收入"), an unknown word is the item itself ("东郊国宾馆的收入")
        # (a total's label, "支出合计", names a kind of figure, not an item)
        # and only within one department's documents: across the library an unknown word may be the
        # body asked about ("教育局的三公经费" with no 教育局 loaded), never forgiven
        known = self._label_grams(memo)
        other = _other_expense(item, uncovered)
        covers = 0 if other else _covers(item, matched, targets, lab)
        # a label the question prints forgives any other words; one it shares a part with, a few
        specific = memo.get("_one_body", False) and (covers == 2 or (covers == 1 and len(uncovered) <= _FEW)) \
            and not any(w[i:i + 2] not in known for w in re.findall(_BODY_WORD, item) for i in range(len(w) - 1))
        if specific:
            left = set(uncovered)
            # words the labels in scope use and budget terms of the thesaurus the fact does not match
            # ("三公经费" beside 机关运行经费支出) are items of their own, not a story
            said = {c for i in range(len(item) - 1) if (g := item[i:i + 2]) in known and g[0] in left and g[1] in left
                    for c in g}
            said |= {c for w in target_words if len(w) >= 2 and not any(w in m or m in w for m in matched)
                     for c in w if c in left}
            named = "".join(ch for ch in uncovered if ch in said)
        else:
            # "保险费" beside 公务用车运行费: the whole name of the other expense counts, 费 included
            named = uncovered + other
            # matched by a column word alone ("支出") or as a total row, a whole word of the question the
            # fact's labels lack is the item asked about ("水利支出", "教育支出" against 本年支出合计):
            # a total, or another item's column, is not its answer, however short the word
            # (kept only as a "did you mean" when the call asks for near facts: memo["_near"])
            if (not row_hit or is_total_row(lab.row_leaf)) and _item_word(item, uncovered) and not memo.get("_near"):
                return None
        score -= 0.6 * len(named) + 0.1 * min(len(uncovered) - len(named), 10)
        return Scored(f, score, matched, named, table_named, canonical)

    def _label_grams(self, memo: dict | None) -> frozenset[str]:
        """Character bigrams of the labels of the facts held (for a scoped index, the documents of this
        call): the words the documents use. Kept in the call's memo."""
        if memo is None:
            memo = {}
        if "_grams" not in memo:
            texts = {t for x in self.labels for t in (*x.row_parts, *x.col_parts, x.table)}
            memo["_grams"] = frozenset(t[i:i + 2] for t in texts for i in range(len(t) - 1))
        return memo["_grams"]

    def lookup(self, query: Query, departments: list[str], years: list[int], kind: str | None,
               measure: str = "value", limit: int = 8, near: bool = False) -> list[Scored]:
        """The facts answering the query, best first; near: also those that only come close (the
        "did you mean" of a not-found answer)."""
        memo: dict = {"_one_body": len(departments) == 1, "_near": near}
        out = [s for i in self.select(departments, years, kind) if (s := self.score(i, query, measure, memo))]
        if any(s.table_named for s in out):  # the question names a table: answer from it
            out = [s for s in out if s.table_named]
        return ranked(out)[:limit]
