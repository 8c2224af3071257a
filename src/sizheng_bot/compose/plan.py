"""Offline 活动方案: 活动名称, 活动目的, 参加对象, 时间地点, 活动流程 with step durations, 职责分工,
工作要求, 效果评估, 参考依据.

Dates, places, head counts and names are the unit's own: they are written as 【待定】, never guessed.
The steps come from a template chosen by the kinds of activity the request names; each step cites
the practices from the documents that fit it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sizheng_bot.compose import BANNER, CitationBook, Draft, finish
from sizheng_bot.compose.cleanliness import fit_for_draft
from sizheng_bot.compose.drafting import absent_notice, in_text_order, is_practice, pick
from sizheng_bot.compose.requirements import Requirement, requirement_lines
from sizheng_bot.compose.select import Unit
from sizheng_bot.types import Hit, PlanParams

FLOOR = 0.25
TBD = "【待定】"
PROCEDURE_MAX = 14
_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Kind:
    """A kind of activity: how it is recognised, the step it adds, and the query that finds practices."""

    name: str
    trigger: re.Pattern[str]
    step: str
    content: str
    query: str


KINDS = (
    Kind("宣讲", re.compile(r"宣讲|送理论|讲座|党课|报告会|讲堂"), "理论宣讲",
         "围绕活动主题开展宣讲，联系实际讲清道理", "理论宣讲 送理论 宣讲"),
    Kind("参观", re.compile(r"参观|纪念馆|展览馆|教育基地|红色|旧址|瞻仰"), "参观学习",
         "集体参观学习，由讲解员或支部委员现场讲解", "红色资源 纪念馆 革命传统教育 参观"),
    Kind("志愿", re.compile(r"志愿|服务群众|办实事|社区|结对|帮扶|慰问"), "志愿服务",
         "分组开展志愿服务，为群众办实事、解难题", "志愿服务 社会服务实践 我为群众办实事 社区"),
    Kind("研讨", re.compile(r"研讨|座谈|读书|分享|交流会|集中学习|学习交流|专题学习"), "学习研讨",
         "围绕主题集中学习，组织党员交流发言", "学习研讨 交流 座谈"),
    Kind("竞答", re.compile(r"竞答|知识竞赛|知识问答|答题|抢答"), "知识竞答",
         "围绕活动主题组织知识竞答，以赛促学、检验学习效果", "知识 学习 要求"),
)  # fmt: skip
_DEFAULT = KINDS[3]  # 研讨


def detect_kinds(theme: str, text: str) -> list[Kind]:
    """Kinds of activity named, in the order the theme (then the rest of the request) names them."""
    found: list[tuple[int, int, Kind]] = []
    for k in KINDS:
        if m := k.trigger.search(theme):
            found.append((0, m.start(), k))
        elif m := k.trigger.search(text):
            found.append((1, m.start(), k))
    return [k for _, _, k in sorted(found, key=lambda x: (x[0], x[1]))] or [_DEFAULT]


_WORK_PLAN = re.compile(r"工作方案|实施方案|流程|步骤|程序|时间节点")


def is_work_plan(theme: str, request: str) -> bool:
    """A 工作方案 (a procedure to carry out, e.g. 换届选举) rather than a one-day activity."""
    return (
        bool(_WORK_PLAN.search(request))
        and not any(k.trigger.search(theme) for k in KINDS)
        and ("党日" not in request)
    )


def step_minutes(total: int, weights: Sequence[float] | int) -> list[int]:
    """Minutes per step in proportion to ``weights``, multiples of 5 when possible, summing to ``total``.

    An int ``n`` stands for the usual shape: opening, ``n`` main steps, sharing, closing.
    """
    if isinstance(weights, int):
        weights = [1.0, *([3.0] * weights), 1.5, 1.0]
    n = len(weights)
    unit = 5 if total >= 10 * n and total % 5 == 0 else 1  # short plans: minutes, so weights still tell
    slots = total // unit
    raw = [w / sum(weights) * slots for w in weights]
    got = [max(1, int(x)) for x in raw]
    while sum(got) > slots:  # more steps than slots of 5: take from the largest
        got[got.index(max(got))] -= 1
    order = sorted(range(n), key=lambda i: -(raw[i] - int(raw[i])))
    i = 0
    while sum(got) < slots:
        got[order[i % n]] += 1
        i += 1
    return [g * unit for g in got]


Scorer = Callable[[str], Sequence[Unit]]


@dataclass
class Step:
    title: str
    content: str
    query: str = ""
    weight: float = 1.0
    asked: bool = False
    also: str = ""  # words of a requirement this step already answers (the closing: 书记点评)


DocUnits = Callable[[Hit, int], Sequence[Unit]]


def compose_plan(
    p: PlanParams,
    request: str,
    units: Sequence[Unit],
    units_for: Scorer,
    reqs: Sequence[Requirement] = (),
    doc_units: DocUnits | None = None,
    absent: Sequence[str] = (),
) -> Draft:
    """``units`` are scored against the theme; ``units_for(query)`` retrieves and scores for a section;
    ``absent`` are the subject's words no passage holds (then the plan quotes nothing and says so)."""
    if absent:
        units_for, doc_units = (lambda _q: []), None
    book = CitationBook()
    used: list[Unit] = []
    where: dict[str, str] = {}
    work = is_work_plan(p.theme, request)
    occasion = "".join(r.query for r in reqs if r.kind == "occasion" and r.query not in p.theme)
    suffix = "工作" if work else f"{'主题党日' if p.party_day and '党日' not in p.theme else ''}活动"
    name = f"{occasion}{p.theme}{suffix}"
    lines = [f"# {name}方案", "", BANNER]
    lines += [absent_notice(absent, "方案")] if absent else []
    req_at = len(lines)
    lines += ["", f"{'工作' if work else '活动'}名称：{name}", "", f"## 一、{'工作' if work else '活动'}目的",
              f"- 围绕{p.theme}，组织{p.audience}{'按程序扎实推进各项工作' if work else '集中学习、联系实际、推动工作'}，"
              "增强党组织的凝聚力。"]  # fmt: skip
    for r in reqs:
        if r.kind == "occasion":
            lines.append(f"- {r.text}：以{r.query}为契机，把活动与{r.query}的纪念和学习结合起来。")
            where[r.text] = "活动目的"
    lines += [f"- {u.text} {book.cite(u.hit)}" for u in pick(units_for(f"{p.theme} 意义 目的"), 2, used, FLOOR,
                                                          weight="meaning")]  # fmt: skip
    lines += ["", "## 二、参加对象", f"- {p.audience}（人数：{TBD}）",
              "", "## 三、时间地点", f"- 时间：{TBD}（{'按下列步骤的时间要求倒排' if work else '活动时长：' + p.form}）",
              f"- 地点：{TBD}", "", f"## 四、{'工作步骤' if work else '活动流程'}"]  # fmt: skip
    more: DocUnits = doc_units or (lambda _h, _n: [])
    if work:
        lines += _procedure(p, units_for, more, used, book)
    else:
        lines += ["", "### 前期准备（活动前完成）", "- 内容：与活动场所或结对单位沟通，确定活动内容、人员分工和所需物资。",
                  f"- 负责：{TBD}"]  # fmt: skip
        prep_pool = [u for u in units_for(f"{p.theme} 活动准备 分组 分工 准备 物资") if _PREP.search(u.text)]
        prep = pick(prep_pool, 2, used, FLOOR)
        lines += [f"- 可参考：{u.text} {book.cite(u.hit)}" for u in prep]
        lines += _steps(p, request, reqs, units_for, used, book, where)
        lines += _model_activity(p, units_for, more, used, book)
    lines += ["", "## 五、职责分工",
              f"- 总负责：{TBD}（建议由党支部书记担任），负责总体安排和现场指挥。",
              f"- 组织联络：{TBD}，负责人员通知、签到和现场协调。",
              f"- 内容准备：{TBD}，负责学习材料、{'请示报告等文书' if work else '宣讲内容'}和流程把关。",
              f"- 宣传报道：{TBD}，负责拍照记录和信息报送。",
              f"- 后勤保障：{TBD}，负责场地、物资、交通和安全保障。",
              "", "## 六、工作要求",
              "- 高度重视。各党员要按时参加，因故不能参加的须提前向支部请假。",
              "- 严守纪律。全程遵守各项纪律规定，注重形象，厉行节约。"]  # fmt: skip
    if not work:
        lines.append("- 注意安全。外出活动要做好安全预案，确保人员和财产安全。")
    musts = units_for(f"{p.theme} 要求 注意 纪律 强调 必须")
    lines += [f"- {u.text} {book.cite(u.hit)}" for u in pick(musts, 2, used, FLOOR, weight="measure")]
    for r in reqs:
        if r.is_local:
            lines.append(f"- {r.text}：各环节的内容、事例和分工联系本单位的具体情况和工作安排确定【待补充】。")
            where[r.text] = "工作要求"
        elif r.kind == "point":
            got = pick(units_for(f"{p.theme} {r.query}"), 2, used, FLOOR)
            refs = "；".join(f"{u.text} {book.cite(u.hit)}" for u in got)
            lines.append(
                f"- {r.text}：" + (refs or "知识库中未找到这方面的材料，请按本单位规定补充【待补充】。")
            )
            where[r.text] = "工作要求"
    lines.append(f"- 经费保障：{TBD}（按本单位规定执行）。")
    lines += ["", "## 七、效果评估",
              "- 结束后通过座谈或问卷收集参加人员的意见建议，形成总结。",
              "- 对提出的问题和建议建立清单，明确责任人和完成时限（时限：【待定】），跟踪落实。"]  # fmt: skip
    lines += [
        f"- {u.text} {book.cite(u.hit)}"
        for u in pick(units_for(f"{p.theme} 效果 评估 反馈 总结"), 1, used, FLOOR)
    ]
    lines[req_at:req_at] = requirement_lines(list(reqs), where)
    return finish(lines, book, "参考依据")


_CARRIED_OUT = re.compile(r"活动(?:开展|准备|过程|流程|议程|内容|安排|步骤)|开展情况|议程|实施步骤")
MODEL_UNITS = 6
_PREP = re.compile(r"准备|分组|分工|分为|筹备|联系|对接|沟通")


def _model_activity(
    p: PlanParams, units_for: Scorer, doc_units: DocUnits, used: list[Unit], book: CitationBook
) -> list[str]:
    """How a recorded activity of the same kind was carried out: a document (a 主题党日 record) whose
    sections say how an activity was prepared and held, found among the passages on the theme."""
    pool = sorted((u for u in units_for(f"{p.theme} 主题党日 活动 开展情况") if u.match >= FLOOR),
                  key=lambda u: -u.score)  # fmt: skip
    tried: set[str] = set()
    for cand in pool:
        if cand.hit.source in tried or len(tried) >= 3:
            continue
        tried.add(cand.hit.source)
        own = [u for u in doc_units(cand.hit, 6) if _CARRIED_OUT.search(u.hit.section) and len(u.text) >= 15]
        if len({u.hit.chunk_id for u in own}) < 2:
            continue
        chosen = pick(own, MODEL_UNITS, used, 0.0)
        if chosen:
            out = ["", f"### 参考范例（知识库中的同类活动：{cand.hit.title or cand.hit.source}）"]
            return out + [f"- {u.text} {book.cite(u.hit)}" for u in in_text_order(chosen)]
    return []


def _procedure(
    p: PlanParams, units_for: Scorer, doc_units: DocUnits, used: list[Unit], book: CitationBook
) -> list[str]:
    """The procedure the documents give, step by step in document order (with their own time nodes)."""
    pool = [u for u in units_for(f"{p.theme} 流程 步骤 程序 时间") if u.match >= FLOOR]
    if not pool:
        return ["", "- 知识库中未找到这项工作的流程材料，请按上级规定补充【待补充】。"]
    rows: dict[str, int] = {}
    for u in pool:  # the document that lays the work out as a numbered table or list, else the best match
        rows[u.hit.source] = rows.get(u.hit.source, 0) + (len(r) if len(r := _rows(u)) > 1 else 0)
    best = max(pool, key=lambda u: (rows[u.hit.source] >= 3, rows[u.hit.source], u.score))
    pool = [*pool, *(u for u in doc_units(best.hit, 3) if all(u.text != o.text for o in pool))]
    same = [row for u in pool if u.hit.source == best.hit.source for row in _rows(u)]
    steps = pick(same, PROCEDURE_MAX, used, 0.0) if len(same) > 2 else pick(same, PROCEDURE_MAX, used, FLOOR)
    out: list[str] = []
    for i, u in enumerate(in_text_order(steps), 1):
        out += ["", f"### （{_cn(i)}）第{_cn(i)}步", f"- 内容：{u.text} {book.cite(u.hit)}", f"- 负责：{TBD}",
                f"- 完成时间：{TBD}"]  # fmt: skip
    return out


_ROW = re.compile(r"^\s*\d{1,2}\s*[\t |、.．]?\s*(?=\D)")
_CELLS = re.compile(r"^[^|：:]{1,10}[：:][^|]*\s\|\s")


def _rows(unit: Unit) -> list[Unit]:
    """A table or list held in one unit, one row per step (header rows and notes dropped)."""
    lines = [x.strip() for x in unit.text.splitlines() if x.strip()]
    cells = [x for x in lines if _CELLS.match(x)]  # a table row as the loaders write it: 键：值 | 键：值
    rows = cells or [x for x in lines if _ROW.match(x)]
    if len(rows) < (1 if cells else 3):
        return [unit]
    out = []
    for i, row in enumerate(rows):
        text = fit_for_draft(row)
        if text is not None and len(text) >= 6:
            out.append(replace(unit, text=text, order=unit.order * 100 + i))
    return out


def _cn(n: int) -> str:
    return _NUMERALS[n - 1] if n <= 10 else "十" + _NUMERALS[n - 11] if n < 20 else str(n)


def _steps(
    p: PlanParams, request: str, reqs: Sequence[Requirement], units_for: Scorer, used: list[Unit],
    book: CitationBook, where: dict[str, str],
) -> list[str]:  # fmt: skip
    asked = [r for r in reqs if r.is_step]
    rest = request
    for r in asked:
        rest = rest.replace(r.text, "")
    kinds = detect_kinds(p.theme, f"{rest} {p.form}")[: max(1, (p.minutes - 30) // 20 + 1)]
    opening = Step("集合签到，重温入党誓词" if p.party_day else "集合签到，说明活动安排",
                   "清点人数，由主持人说明活动目的、流程和要求", weight=1.0)  # fmt: skip
    main = [Step(k.step, k.content, f"{p.theme} {k.query}", weight=3.0) for k in kinds]
    sharing = Step("交流分享", "参加人员结合活动谈体会、谈打算", weight=1.5)
    closing = Step("总结讲评", "党支部书记总结讲评，对后续工作提出要求", weight=1.0, also="书记点评讲评总结")
    steps = [opening, *main, sharing, closing]
    for r in asked:
        same = next((s for s in steps if r.query in s.title or _overlaps(r.query, s.title + s.also)), None)
        if same is not None:
            same.title = same.title if r.query in same.title else f"{r.text}（{same.title}）"
            same.asked = True
        else:
            at = steps.index(sharing)
            steps.insert(at, Step(r.text, f"按要求安排：{r.text}", f"{p.theme} {r.query}", 2.0, True))
        where[r.text] = "活动流程"
    minutes = step_minutes(p.minutes, [s.weight for s in steps])
    out: list[str] = []
    for i, (s, m) in enumerate(zip(steps, minutes, strict=True)):
        out += ["", f"### （{_cn(i + 1)}）{s.title}（约{m}分钟）", f"- 内容：{s.content}。", f"- 负责：{TBD}"]
        if s.query:
            scored = units_for(s.query)
            refs = pick([u for u in scored if is_practice(u) or u.score >= 2 * FLOOR], 2, used, FLOOR)
            out += [f"- 可参考：{u.text} {book.cite(u.hit)}" for u in refs]
    return out


def _overlaps(a: str, b: str) -> bool:
    """Share a two-character word (交流研讨 ~ 交流分享) — the same kind of step."""
    return any(a[i : i + 2] in b for i in range(len(a) - 1) if a[i : i + 2] not in ("活动", "开展"))
