"""Offline 微党课提纲: 题目, 授课对象, 时长 and its split, 教学目标, 导入 with a case from the documents,
three main parts built from the documents, 互动讨论, 结语, 参考资料.

Each section gets the passages retrieved for its own purpose (a case for 导入; why it matters, what goes
wrong, how to do it for the parts). Every explicit requirement of the request is placed in the section
that answers it, and listed at the top. Template sentences name only the topic and audience the user
gave; every fact is a cited passage unit. When the documents hold little on the topic the draft says so
at the top instead of padding the parts with loosely related text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from sizheng_bot.compose import BANNER, CitationBook, Draft, finish
from sizheng_bot.compose.drafting import absent_notice, in_text_order, is_practice, pick, role_score
from sizheng_bot.compose.requirements import Requirement, requirement_lines
from sizheng_bot.compose.select import Unit
from sizheng_bot.types import Hit, OutlineParams

FLOOR = 0.3
THIN = 4  # fewer cited units than this: the knowledge base has little on the topic
_NUMERALS = "一二三四五六七八九十"
# role -> (heading template, teaching-goal template, short name); {t} is the topic
_PARTS = {
    "meaning": ("深刻认识{t}的重要意义", "理解{t}的重要意义，增强思想自觉和行动自觉", "重要意义"),
    "problem": ("正视{t}方面存在的问题和不足", "认清当前在{t}方面存在的问题和不足", "问题不足"),
    "measure": ("把{t}落到实处的方法路径", "掌握{t}的具体做法，结合本岗位、本支部实际抓好落实", "方法路径"),
    "practice": ("学习借鉴{t}的典型做法", "学习借鉴{t}的典型做法和经验", "典型做法"),
    "content": ("把握{t}的基本要求", "把握{t}的基本要求和主要内容", "基本要求"),
    "material": ("从《{m}》看{t}", "读懂《{m}》的主要观点，把握其中对{t}的启示", "原著启示"),
}
# a sentence that argues or exhorts (the point an essay or speech makes): 要 / 必须 / 只有…才 / 首先
_THESIS = re.compile(r"要|必须|应当|应该|只有|才能|首先|所以|总之|因此|我们")
MATERIAL_SPAN = 40  # chunks on either side of the best passage of a named work: the whole of a short work
#: what each section retrieves with (appended to the topic)
PURPOSE = {
    "intro": "案例 事例 故事 做法",
    "meaning": "意义 重要 作用 为什么",
    "problem": "问题 不足 差距 短板",
    "measure": "措施 做法 方法 要求 经验",
    "practice": "做法 经验 典型 案例",
    "content": "要求 内容 规定",
}
_ALTERNATIVES = ("practice", "content")
_DISCUSS = ("讨论", "交流", "互动", "研讨", "发言", "分享", "提问", "答疑")
LOCAL = "由主讲人联系本单位的具体情况、工作实际和身边事例展开【待补充】。"
Scorer = Callable[[str], Sequence[Unit]]


def points_per_part(minutes: int) -> int:
    return 3 if minutes <= 20 else 4


def compose_outline(
    p: OutlineParams,
    units: Sequence[Unit],
    reqs: Sequence[Requirement] = (),
    units_for: Scorer | None = None,
    named: Sequence[str] = (),
    doc_units: Callable[[Hit, int], Sequence[Unit]] | None = None,
    absent: Sequence[str] = (),
) -> Draft:
    """``units`` are scored against the topic; ``units_for(query)`` retrieves and scores for one section;
    ``absent`` are the topic's words no passage holds (then nothing is padded in)."""
    scorer: Scorer = units_for or (lambda _q: units)
    book = CitationBook()
    used: list[Unit] = []
    where: dict[str, str] = {}
    k = points_per_part(p.minutes)
    occasions = [r for r in reqs if r.kind == "occasion"]
    points = [r for r in reqs if r.kind == "point"]
    steps = [r for r in reqs if r.kind == "step"]
    lead = " ".join(r.query for r in occasions)
    # nothing on the topic: a frame to fill in, no loosely related passage quoted as if it were on it
    intro = None if absent else _intro_case(scorer(f"{p.topic} {lead} {PURPOSE['intro']}".strip()), used)
    material = None
    if named:
        found = [u for u in scorer(f"{' '.join(named)} {p.topic}") if _is_from(u, named)]
        if found and doc_units is not None:
            best = max(found, key=lambda u: u.score)
            found = [*found, *(u for u in doc_units(best.hit, MATERIAL_SPAN) if _is_from(u, named))]
        material = _material_part(found, used, k + 1)  # the named work carries the talk
    parts = [(r, []) for r in ("meaning", "problem", "measure")] if absent else _parts(p.topic, scorer, used, k)
    if material is not None:  # the named work replaces the weakest part
        weakest = min(range(len(parts)), key=lambda i: (len(parts[i][1]), -i))
        _release(used, parts[weakest][1])
        parts = [material, *(x for i, x in enumerate(parts) if i != weakest)]
    point_units = [(r, [] if r.is_local else pick(scorer(f"{p.topic} {r.query}"), 2, used, FLOOR)) for r in points]
    minutes = dict(p.split)
    title = f"{p.topic}——{p.audience}微党课"
    cited = (1 if intro else 0) + sum(len(c) for _, c in parts) + sum(len(c) for _, c in point_units)
    lines = [f"# {title}", "", BANNER]
    if absent:
        lines.append(absent_notice(absent, "提纲"))
    elif cited < max(THIN, 3 * k // 2):  # fewer than half the points a talk of this length makes
        lines.append(f"> 提示：知识库中与{p.topic}直接相关的材料不多（只找到 {cited} 条），以下只摘编有出处的内容，"
                     "空缺部分请结合本单位实际补充，或先把相关文件入库后重新生成。")  # fmt: skip
    req_at = len(lines)
    lines += ["", f"题目：{title}", f"授课对象：{p.audience}", f"时长：约{p.minutes}分钟（{p.split_text}）",
              "", "## 教学目标"]  # fmt: skip
    m = named[0] if named else ""
    lines += [f"- {_PARTS[role][1].format(t=p.topic, m=m)}。" for role, _ in parts]
    lines += ["", f"## 一、导入（约{minutes['导入']}分钟）"]
    for r in occasions:
        lines.append(f"- {r.text}：从{r.query}说起，引出{p.topic}这一话题。")
        where[r.text] = "导入"
    for r in (r for r in steps if r.opening):  # 开头放一段短视频导入: the intro is where it was asked
        lines.append(f"- 按要求安排：{r.text}（由主讲人准备）。")
        where[r.text] = "导入"
    if intro is not None:
        label = "事例导入" if is_practice(intro) else "引入"  # not called a case when it is none
        lines.append(f"- {label}：{intro.text} {book.cite(intro.hit)}")
    lines.append(f"- 提出问题：围绕{p.topic}，我们做得怎么样？还能怎样做得更好？")
    for i, (role, chosen) in enumerate(parts):
        head = _PARTS[role][0].format(t=p.topic, m=m)
        lines += ["", f"## {_NUMERALS[i + 1]}、{head}（约{minutes[f'第{_NUMERALS[i]}部分']}分钟）"]
        if chosen:
            lines += [f"- {u.text} {book.cite(u.hit)}" for u in chosen]
        else:
            lines.append("- 知识库中未找到这方面的材料，请结合本单位实际补充【待补充】。")
        if i == len(parts) - 1:  # the user's own points close the last (practical) part
            for r, got in point_units:
                where[r.text] = f"第{_NUMERALS[i + 1]}部分"
                lines.append(f"- {r.text}：" + ("；".join(f"{u.text} {book.cite(u.hit)}" for u in got) if got
                             else LOCAL if r.is_local else "知识库中未找到这方面的材料，请结合本单位实际补充【待补充】。"))  # fmt: skip
    talk = [r for r in steps if any(w in r.text for w in _DISCUSS) and not r.opening]
    rest = [r for r in steps if r not in talk and not r.opening]
    lines += _discussion(p, minutes.get("互动讨论"), talk)
    where |= {r.text: "互动讨论" for r in talk}
    lines += ["", f"## 结语（约{minutes['结语']}分钟）",
              f"- 回顾：本次微党课围绕{p.topic}，从{'、'.join(_PARTS[r][2] for r, _ in parts)}三个方面作了交流。"]  # fmt: skip
    for r in rest:
        lines.append(f"- 环节安排：{r.text}（由主持人组织）。")
        where[r.text] = "结语"
    lines.append("- 号召：希望大家把学习成果转化为做好本职工作的实际行动，以实际成效检验学习效果。")
    lines[req_at:req_at] = requirement_lines(list(reqs), where)
    return finish(lines, book, "参考资料")


def _intro_case(units: Sequence[Unit], used: list[Unit]) -> Unit | None:
    """A concrete case from the documents: a relevant example or unit practice, shorter ones preferred."""
    cases = [u for u in units if is_practice(u)]
    got = pick(cases, 1, used, FLOOR * 0.8, prefer_short=True) or pick(
        units, 1, used, FLOOR, prefer_short=True
    )
    return got[0] if got else None


def _is_from(u: Unit, named: Sequence[str]) -> bool:
    return any(n in u.hit.source or n in u.hit.title for n in named)


def _thesis_score(u: Unit, last: int) -> float:
    """How much a sentence argues or exhorts (所以我们要… / 首先要…): cue words, an exclamation, brevity,
    and a little for coming later in the work (an essay or speech reaches its point towards the end)."""
    cues = len(set(_THESIS.findall(u.text)))
    return (
        cues
        + (0.5 if u.text.rstrip().endswith(("！", "!")) else 0.0)
        - len(u.text) / 100
        + u.hit.position / max(last, 1)
    )


def _material_part(units: Sequence[Unit], used: list[Unit], k: int) -> tuple[str, list[Unit]] | None:
    """The named work's own argument: its sentences that argue or exhort most, in text order."""
    last = max((u.hit.position for u in units), default=0)
    thesis = sorted((u for u in units if _THESIS.search(u.text)), key=lambda u: -_thesis_score(u, last))
    chosen: list[Unit] = []
    for u in thesis:
        if len(chosen) < k and not any(u.text == c.text for c in [*chosen, *used]):
            chosen.append(u)
    used.extend(chosen)
    return ("material", in_text_order(chosen)) if chosen else None


def _release(used: list[Unit], chosen: list[Unit]) -> None:
    used[:] = [u for u in used if not any(u is c for c in chosen)]


def _parts(
    topic: str, scorer: Scorer, used: list[Unit], k: int
) -> list[tuple[str, list[Unit]]]:
    """Three parts shown as why / what goes wrong / how, each from passages retrieved for that purpose.

    Roles are filled most-specific first (measures, then meaning, then problems) so that a fallback
    cannot take the units another part needs. A role without material is replaced by one no other part
    has (典型做法, 基本要求), so no heading or teaching goal repeats; nothing is padded below the floor.
    """
    got: dict[str, tuple[str, list[Unit]]] = {}
    for slot in ("measure", "meaning", "problem"):
        pool = scorer(f"{topic} {PURPOSE[slot]}")
        chosen = pick(pool, k, used, FLOOR, weight=slot)
        role = slot
        if len(chosen) < 2:
            taken = {r for r, _ in got.values()} | {slot}
            for alt in (a for a in _ALTERNATIVES if a not in taken):
                alt_pool = scorer(f"{topic} {PURPOSE[alt]}")
                alt_pool = [u for u in alt_pool if is_practice(u)] if alt == "practice" else alt_pool
                more = pick(alt_pool, k - len(chosen), used, FLOOR * 0.8)
                if more:
                    role, chosen = (alt, chosen + more) if not chosen else (role, chosen + more)
                    break
        got[slot] = (role, chosen)
    parts = [got["meaning"], got["problem"], got["measure"]]
    on_topic = scorer(topic)
    for role, chosen in parts:  # top up short parts with what is most relevant to the topic itself
        if 0 < len(chosen) < k:
            chosen.extend(pick(on_topic, k - len(chosen), used, FLOOR * 0.8, weight=role, need_role=False))
    for role, chosen in parts:  # little material: spread it so that no part stands empty
        donor = max((c for _, c in parts), key=len)
        if not chosen and len(donor) >= 2:
            best = max(donor, key=lambda u: (role_score(u, role), u.score))
            donor.remove(best)
            chosen.append(best)
        elif not chosen:  # one near-topic passage rather than an empty part (the notice says it is thin)
            chosen.extend(pick(on_topic, 1, used, FLOOR * 0.6, weight=role, need_role=False))
    seen: set[str] = set()
    out = []
    for role, chosen in parts:
        if role in seen:  # two parts fell back to the same role: give the later one a free role
            role = next(r for r in (*_ALTERNATIVES, "meaning", "problem", "measure") if r not in seen)
        seen.add(role)
        out.append((role, in_text_order(chosen)))
    return out


def _discussion(p: OutlineParams, minutes: int | None, asked: Sequence[Requirement]) -> list[str]:
    head = f"## 互动讨论（约{minutes}分钟）" if minutes else "## 互动讨论（可安排在课后交流）"
    lines = ["", head]
    lines += [f"- 按要求安排：{r.text}。" for r in asked]
    return lines + [
        f"1. 结合本支部、本部门实际，在{p.topic}方面我们已经做了哪些工作，还有哪些差距？",
        "2. 上面讲到的做法中，哪一条最值得我们借鉴？准备怎样落到自己的岗位上？",
    ]
