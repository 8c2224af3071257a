"""Can the retrieved passages answer this question? A general check, the same for every question.

Retrieval always returns *something*; the question is whether it holds what was asked. Three tests:

1. Named things the question relies on — numbers, short quoted terms, 《titles》, offices such as
   ``县教育局`` or places such as ``成都市`` — must occur somewhere in the knowledge base.
2. A clause asking for specifics (a count, a ratio or weight, steps, "which ten", a date, a duration)
   needs a passage unit that covers the clause's own terms *and* carries that kind of specific: a number
   with a measure word, a percentage, an enumeration of enough items, a date.
3. The best passage unit must share a minimum of the question's terms at all.

A failed test yields a gap: a short Chinese description of what the knowledge base lacks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sizheng_bot.compose.kbview import KBView
from sizheng_bot.compose.select import QueryTerms, Unit, squash
from sizheng_bot.retrieval.analyzer import Analyzer

_NUM = "一二三四五六七八九十两"
_MEASURE = "个名人位次项家所场批期条种余多万千百篇件"
_CLAUSE = re.compile(r"[？?。！!；;，,]")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』\n]{1,12})[”\"」』]")
_TITLE = re.compile(r"《([^》\n]{1,40})》")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_ENTITY = re.compile(r"^[\u4e00-\u9fff]{1,6}(?:局|厅|县|市|镇|乡|街道)$")
_NOT_ENTITY = {
    "县级",
    "市级",
    "市县",
    "县市",
    "城市",
    "都市",
    "超市",
    "股市",
    "布局",
    "大局",
    "全局",
    "格局",
    "当局",
    "结局",
}


@dataclass(frozen=True)
class Demand:
    kind: str
    ask: re.Pattern[str]
    label: str


DEMANDS = (
    Demand("list_n", re.compile(rf"哪(?P<n>[{_NUM}]+|\d+)(?:条|项|个|点|种|步|类|方面|句)"), "逐条内容"),
    Demand("list_some", re.compile(r"哪几(?:条|项|个|点|种|类|方面|句|件|方)"), "逐条内容"),
    Demand("steps", re.compile(r"哪几步|几步|步骤|流程|程序|环节"), "具体步骤"),
    Demand("ratio", re.compile(r"权重|比重|比例|占比|分值|百分之|打分"), "具体比例或权重"),
    Demand("duration", re.compile(r"多长时间|多久|多长|期限|几年|几个月|几天"), "具体时长"),
    Demand("who", re.compile(r"是谁|由谁|谁来|谁提|谁负责|哪位|哪些人|什么人"), "具体人员或职务"),
    Demand("year", re.compile(r"哪一?年|几几年|什么年份|年份"), "具体年份"),
    Demand("date", re.compile(r"什么时候|何时|哪一?年|哪一?天|几月|几号|哪个月|日期"), "具体时间"),
    Demand(
        "which",
        re.compile(
            r"哪(?:一|个|家|所)(?P<thing>医院|单位|部门|学校|高校|公司|企业|机构|媒体|平台|网站|报纸|基地)"
        ),
        "具体名称",
    ),
    Demand(
        "count",
        re.compile(r"多少|几(?:个|名|位|人|次|项|家|所|场|批|期|条|种|万|千|百)|人数|数量|几成"),
        "具体数量",
    ),
)
_EVIDENCE = {
    "count": re.compile(
        rf"\d+(?:\.\d+)?\s*(?:%|％|[{_MEASURE}])|(?<![{_NUM}])[二三四五六七八九十两][十百千万]?(?:[{_MEASURE}])(?![意是])"
    ),
    "ratio": re.compile(rf"\d+(?:\.\d+)?\s*(?:%|％|分|成)|百分之|[{_NUM}]成"),
    "duration": re.compile(
        rf"(?:\d+|[{_NUM}半]+)\s*(?:年|个月|天|日|周|小时|分钟)|每(?:半年|季度|年|月|周|天|日)"
    ),
    "who": re.compile(
        r"书记|局长|厅长|主任|部长|委员|组长|校长|院长|领导|干部|同志|专家|学者|教授|老师|负责人|班子|党组|党委|支部"
        r"|[县市省区]委|机关工委|办公厅|办公室|[^，。、]{1,6}(?:局|厅|委|办|院|中心)"
    ),
    "year": re.compile(r"(?:19|20)\d{2}\s*年|[〇零一二][〇零一二三四五六七八九]{3}年"),
    "date": re.compile(rf"(?:19|20)\d{{2}}\s*年|\d{{1,2}}\s*月|[{_NUM}]+月|每(?:月|周|季度|年)"),
}
_MARKER = re.compile(
    rf"[{_NUM}]是|第[{_NUM}]+[,，、步]|首先|其次|然后|最后|[（(][{_NUM}]+[）)]|(?:^|[。；;])\s*\d[.、．]"
)
_LIST_SEP = re.compile(r"[、]|和|及|与")
# Words that state the kind of specific asked for, not what it is about.
_DEMAND_WORDS = {
    "具体", "分别", "各项", "各自", "哪些", "哪几", "多少", "步骤", "流程", "程序", "环节", "几步", "分配",
    "权重", "比例", "比重", "占比", "时间", "多久", "多长", "期限", "日期", "当时", "最后", "一般", "十条",
}  # fmt: skip
ANCHOR_MIN = 0.5
RELEVANCE_MIN = 0.12


@dataclass
class Answerability:
    gaps: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.gaps


def check(
    question: str, units: Sequence[Unit], q: QueryTerms, analyzer: Analyzer, kb: KBView
) -> Answerability:
    result = Answerability()
    if not q.core:
        result.gaps.append("问题所指的具体内容（请说明想了解哪方面的工作，例如：谈心谈话具体怎么做）")
        return result
    result.gaps += _missing_names(question, analyzer, kb)
    if result.gaps:
        return result
    result.gaps += _unmet_demands(question, units, analyzer, kb)
    if not result.gaps and relevance(units, q) < RELEVANCE_MIN:
        result.gaps.append("与这个问题直接相关的内容")
    return result


def asked_kinds(question: str) -> list[Demand]:
    """The kinds of specifics the question asks for (a duration, a count, a year, a list…)."""
    return [d for d in DEMANDS if d.ask.search(question)]


def carries(kinds: Sequence[Demand], text: str) -> bool:
    """Whether ``text`` holds a specific of one of those kinds (a number with a measure word, a date…)."""
    t = squash(text)
    for d in kinds:
        if d.kind in _EVIDENCE and _EVIDENCE[d.kind].search(t):
            return True
        if d.kind in ("steps", "list_n", "list_some") and _items(t) >= 2:
            return True
    return False


def relevance(units: Sequence[Unit], q: QueryTerms) -> float:
    """How much of the question the best unit covers (term weight share + bigram share)."""
    best = 0.0
    for u in units:
        text = squash(u.text)
        words = sum(q.terms[t] for t in q.core if t in text) / q.total
        grams = sum(1 for b in q.bigrams if b in text) / max(len(q.bigrams), 1)
        best = max(best, words + 0.35 * grams)
    return best


def _missing_names(question: str, analyzer: Analyzer, kb: KBView) -> list[str]:
    names = [m.group(1) for m in _QUOTED.finditer(question)]
    names += [m.group(1) for m in _TITLE.finditer(question)]
    names += [m.group(0) for m in _DIGITS.finditer(question)]
    names += [w for w in analyzer.words(question) if _ENTITY.match(w) and w not in _NOT_ENTITY]
    missing = [n for n in dict.fromkeys(names) if not kb.contains(n)]
    return [f"有关{_clean(n)}的内容" for n in missing]


def _clauses(question: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(question) if c.strip()]


def _unmet_demands(question: str, units: Sequence[Unit], analyzer: Analyzer, kb: KBView) -> list[str]:
    gaps: list[str] = []
    clauses = _clauses(question)
    for i, clause in enumerate(clauses):
        for demand in DEMANDS:
            m = demand.ask.search(clause)
            if not m:
                continue
            anchors = _anchor_terms(clause, analyzer)
            if len(anchors) < 2 and i > 0:
                anchors = _anchor_terms(clauses[i - 1] + clause, analyzer)
            thing = _thing(demand, m, clause[m.end() :], analyzer)
            if not _satisfied(demand, m, anchors, units, kb, thing):
                gaps.append(f"{_clean(clause)}（{demand.label}）")
            break  # one demand per clause: the first (most specific) kind found
    return gaps


def _anchor_terms(text: str, analyzer: Analyzer) -> list[str]:
    quoted = [squash(m.group(1)) for m in _QUOTED.finditer(text)]
    words = [w for w in analyzer.words(text) if len(w) >= 2 and w not in _DEMAND_WORDS]
    words = [w for w in words if not any(w != o and w in o for o in words)]  # keep the longest forms
    return list(dict.fromkeys(quoted + words))


def _thing(demand: Demand, m: re.Match[str], rest: str, analyzer: Analyzer) -> str:
    """What is asked for: ``which`` names it (哪家医院 -> 医院); for a count, the measure word and the
    word after it (多少名教职工 -> 名教职工, 几期 -> 期, 多少人 -> 人); else nothing."""
    if demand.kind == "which":
        return m.group("thing")
    if demand.kind != "count":
        return ""
    measure = m.group(0)[-1] if m.group(0)[-1] in _MEASURE else rest[:1] if rest[:1] in _MEASURE else ""
    rest = rest[len(measure) :] if measure and rest.startswith(measure) else rest
    words = analyzer.words(rest)
    noun = words[0] if words and len(words[0]) >= 2 and rest.startswith(words[0]) else ""
    return measure + noun


def _satisfied(
    demand: Demand, m: re.Match[str], anchors: list[str], units: Sequence[Unit], kb: KBView, thing: str
) -> bool:
    if not anchors:
        return True  # nothing to anchor the demand to: leave it to the relevance test
    weights = {
        a: (1.0 if kb.df(a) == 0 else 0.3 + min(3.0, 1.0 / max(kb.df(a), 0.05) ** 0.5)) for a in anchors
    }
    total = sum(weights.values())
    by_passage: dict[str, list[Unit]] = {}
    for u in units:
        by_passage.setdefault(u.hit.chunk_id, []).append(u)
    for us in by_passage.values():
        us.sort(key=lambda u: u.order)
        context = squash(f"{us[0].hit.title}{us[0].hit.section}")
        for j, u in enumerate(us):
            text = squash(u.text) + context
            cover = sum(w for a, w in weights.items() if a in text) / total
            if cover < ANCHOR_MIN:
                continue
            window = "".join(x.text for x in us[j : j + 3])
            if _has_evidence(demand, m, window, anchors, thing):
                return True
    return False


def _has_evidence(demand: Demand, m: re.Match[str], window: str, anchors: list[str], thing: str) -> bool:
    text = squash(window)
    for a in anchors:
        if a not in thing:
            text = text.replace(a, "\x00")  # a number inside the asked-about name is not an answer
    if demand.kind == "count":
        return _has_count(text, thing)
    if demand.kind == "which":
        return thing in text
    if demand.kind in _EVIDENCE:
        return bool(_EVIDENCE[demand.kind].search(text))
    if demand.kind == "steps":
        return len(_MARKER.findall(text)) >= 2
    if demand.kind == "list_some":
        return _items(text) >= 2
    return _items(text) >= _number(m.group("n"))


_SAME_MEASURE = {"人": "人名位", "名": "人名位", "位": "人名位", "个": _MEASURE}


def _has_count(text: str, thing: str) -> bool:
    """A number; when the question names the measure or the thing (几期, 多少名教职工), the number counts it."""
    measure = thing[:1] if thing[:1] in _MEASURE else ""
    noun = squash(thing[len(measure) :])
    for num in _EVIDENCE["count"].finditer(text):
        after = text[num.end() - 1 : num.end() + len(noun) + 3]
        if measure and (after[:1] not in _SAME_MEASURE.get(measure, measure)):
            continue
        if noun and noun not in after:
            continue
        return True
    return False


def _items(text: str) -> int:
    markers = len(_MARKER.findall(text))
    longest_list = max((len(_LIST_SEP.split(s)) for s in re.split(r"[。；;，,：:]", text)), default=1)
    return max(markers, longest_list)


def _number(word: str) -> int:
    if word.isdigit():
        return int(word)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九", 0)} | {"两": 2}
    if word == "十":
        return 10
    if word.startswith("十"):
        return 10 + digits.get(word[1:], 0)
    if "十" in word:
        tens, _, ones = word.partition("十")
        return digits.get(tens, 1) * 10 + (digits.get(ones, 0) if ones else 0)
    return digits.get(word, 1)


def _clean(text: str) -> str:
    """User text echoed in a message: no quotation marks or titles that would read as quotations."""
    return re.sub(r"[“”\"「」『』‘’《》]", "", text).strip()
