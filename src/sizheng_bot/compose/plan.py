"""Offline 活动方案: 活动名称, 活动目的, 参加对象, 时间地点, 活动流程 with step durations, 职责分工,
工作要求, 效果评估, 参考依据.

Dates, places, head counts and names are the unit's own: they are written as 【待定】, never guessed.
The steps come from a template chosen by the kinds of activity the request names; each step cites
the practices from the documents that fit it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sizheng_bot.answer.intent import PlanParams
from sizheng_bot.compose import BANNER, CitationBook, Draft, finish
from sizheng_bot.compose.drafting import is_practice, pick
from sizheng_bot.compose.select import Unit

FLOOR = 0.25
TBD = "【待定】"
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
)  # fmt: skip
_DEFAULT = KINDS[3]


def detect_kinds(theme: str, text: str) -> list[Kind]:
    """Kinds of activity named, in the order the theme (then the rest of the request) names them."""
    found: list[tuple[int, int, Kind]] = []
    for k in KINDS:
        if m := k.trigger.search(theme):
            found.append((0, m.start(), k))
        elif m := k.trigger.search(text):
            found.append((1, m.start(), k))
    return [k for _, _, k in sorted(found, key=lambda x: (x[0], x[1]))] or [_DEFAULT]


def step_minutes(total: int, n_main: int) -> list[int]:
    """Opening, the main steps, sharing and closing; multiples of 5 minutes summing to ``total``."""
    total = max(30, total)

    def five(x: float) -> int:
        return max(5, int(round(x / 5.0)) * 5)

    opening, sharing, closing = five(total * 0.1), five(total * 0.15), five(total * 0.1)
    rest = total - opening - sharing - closing
    main = [five(rest / n_main - 2.4) for _ in range(n_main)]
    main[0] += rest - sum(main)
    return [opening, *main, sharing, closing]


Scorer = Callable[[str], Sequence[Unit]]


def compose_plan(p: PlanParams, request: str, units: Sequence[Unit], units_for: Scorer) -> Draft:
    """``units`` are scored against the theme; ``units_for(query)`` rescores them for a step."""
    book = CitationBook()
    used: list[Unit] = []
    kinds = detect_kinds(p.theme, f"{request} {p.form}")[: max(1, (p.minutes - 30) // 20 + 1)]
    name = f"{p.theme}{'主题党日' if p.party_day and '党日' not in p.theme else ''}活动"
    lines = [f"# {name}方案", "", BANNER, "", f"活动名称：{name}", "", "## 一、活动目的",
             f"- 围绕{p.theme}，组织{p.audience}集中学习、联系实际、推动工作，增强党组织的凝聚力。"]  # fmt: skip
    lines += [f"- {u.text} {book.cite(u.hit)}" for u in pick(units, 2, used, FLOOR, weight="meaning")]
    lines += ["", "## 二、参加对象", f"- {p.audience}（人数：{TBD}）",
              "", "## 三、时间地点", f"- 时间：{TBD}（活动时长：{p.form}）", f"- 地点：{TBD}",
              "", "## 四、活动流程"]  # fmt: skip
    lines += _steps(p, kinds, units_for, used, book)
    lines += ["", "## 五、职责分工",
              f"- 活动总负责：{TBD}（建议由党支部书记担任），负责活动总体安排和现场指挥。",
              f"- 组织联络：{TBD}，负责人员通知、签到和现场协调。",
              f"- 内容准备：{TBD}，负责学习材料、宣讲内容和流程把关。",
              f"- 宣传报道：{TBD}，负责拍照记录和信息报送。",
              f"- 后勤保障：{TBD}，负责场地、物资、交通和安全保障。",
              "", "## 六、工作要求",
              "- 高度重视。各党员要按时参加，因故不能参加的须提前向支部请假。",
              "- 严守纪律。活动全程遵守各项纪律规定，注重形象，厉行节约。",
              "- 注意安全。外出活动要做好安全预案，确保人员和财产安全。",
              f"- 经费保障：{TBD}（按本单位规定执行）。"]  # fmt: skip
    lines += ["", "## 七、效果评估",
              "- 活动结束后通过座谈或问卷收集参加人员的意见建议，形成活动总结。",
              "- 对活动中提出的问题和建议建立清单，明确责任人和完成时限（时限：【待定】），跟踪落实。"]  # fmt: skip
    lines += [
        f"- {u.text} {book.cite(u.hit)}" for u in pick(units_for("效果 评估 反馈 总结"), 1, used, FLOOR)
    ]
    return finish(lines, book, "参考依据")


def _steps(
    p: PlanParams, kinds: list[Kind], units_for: Scorer, used: list[Unit], book: CitationBook
) -> list[str]:
    minutes = step_minutes(p.minutes, len(kinds))
    opening = "集合签到，重温入党誓词" if p.party_day else "集合签到，说明活动安排"
    steps: list[tuple[str, str, Sequence[Unit]]] = [
        (opening, "清点人数，由主持人说明活动目的、流程和要求", [])
    ]
    for k in kinds:
        steps.append((k.step, k.content, units_for(f"{p.theme} {k.query}")))
    steps.append(("交流分享", "参加人员结合活动谈体会、谈打算", []))
    steps.append(("总结讲评", "党支部书记总结讲评，对后续工作提出要求", []))
    out: list[str] = []
    for i, ((title, content, scored), m) in enumerate(zip(steps, minutes, strict=True)):
        out += ["", f"### （{_NUMERALS[i]}）{title}（约{m}分钟）", f"- 内容：{content}。", f"- 负责：{TBD}"]
        if scored:
            refs = pick([u for u in scored if is_practice(u) or u.score >= 2 * FLOOR], 2, used, FLOOR)
            out += [f"- 可参考：{u.text} {book.cite(u.hit)}" for u in refs]
    return out
