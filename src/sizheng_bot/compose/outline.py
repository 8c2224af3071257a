"""Offline 微党课提纲: 题目, 授课对象, 时长 and its split, 教学目标, 导入 with a case from the documents,
three main parts built from the documents, 互动讨论, 结语, 参考资料.

Template sentences name only the topic and audience the user gave; every fact is a cited passage unit.
"""

from __future__ import annotations

from collections.abc import Sequence

from sizheng_bot.answer.intent import OutlineParams
from sizheng_bot.compose import BANNER, CitationBook, Draft, finish
from sizheng_bot.compose.drafting import in_text_order, is_practice, pick
from sizheng_bot.compose.select import Unit

FLOOR = 0.3
_NUMERALS = "一二三四五六七八九十"
# role -> (heading template, teaching-goal template); {t} is the topic
_PARTS = {
    "meaning": ("深刻认识{t}的重要意义", "理解{t}的重要意义，增强思想自觉和行动自觉"),
    "problem": ("正视{t}方面存在的问题和不足", "认清当前在{t}方面存在的问题和不足"),
    "measure": ("把{t}落到实处的方法路径", "掌握{t}的具体做法，结合本岗位、本支部实际抓好落实"),
    "practice": ("学习借鉴{t}的典型做法", "学习借鉴{t}的典型做法和经验"),
    "content": ("把握{t}的基本要求", "把握{t}的基本要求和主要内容"),
}
_FALLBACK = {"meaning": "content", "problem": "practice", "measure": "practice"}


def points_per_part(minutes: int) -> int:
    return 3 if minutes <= 20 else 4


def compose_outline(p: OutlineParams, units: Sequence[Unit]) -> Draft:
    book = CitationBook()
    used: list[Unit] = []
    k = points_per_part(p.minutes)
    intro = _intro_case(units, used)
    parts = _parts(units, used, k)
    minutes = dict(p.split)
    title = f"{p.topic}——{p.audience}微党课"
    lines = [f"# {title}", "", BANNER, "", f"题目：{title}", f"授课对象：{p.audience}",
             f"时长：约{p.minutes}分钟（{p.split_text}）", "", "## 教学目标"]  # fmt: skip
    lines += [f"- {_PARTS[role][1].format(t=p.topic)}。" for role, _ in parts]
    lines += ["", f"## 一、导入（约{minutes['导入']}分钟）"]
    if intro is not None:
        lines.append(f"- 事例导入：{intro.text} {book.cite(intro.hit)}")
    lines.append(f"- 提出问题：围绕{p.topic}，我们做得怎么样？还能怎样做得更好？")
    for i, (role, chosen) in enumerate(parts):
        head = _PARTS[role][0].format(t=p.topic)
        lines += ["", f"## {_NUMERALS[i + 1]}、{head}（约{minutes[f'第{_NUMERALS[i]}部分']}分钟）"]
        if chosen:
            lines += [f"- {u.text} {book.cite(u.hit)}" for u in chosen]
        else:
            lines.append("- 知识库中未找到这方面的材料，请结合本单位实际补充【待补充】。")
    lines += _discussion(p, minutes.get("互动讨论"))
    lines += ["", f"## 结语（约{minutes['结语']}分钟）",
              f"- 回顾：本次微党课围绕{p.topic}，从{'、'.join(_short(r) for r, _ in parts)}三个方面作了交流。",
              "- 号召：希望大家把学习成果转化为做好本职工作的实际行动，以实际成效检验学习效果。"]  # fmt: skip
    return finish(lines, book, "参考资料")


def _intro_case(units: Sequence[Unit], used: list[Unit]) -> Unit | None:
    """A concrete case from the documents: a relevant example or unit practice, shorter ones preferred."""
    cases = [u for u in units if is_practice(u)]
    got = pick(cases, 1, used, FLOOR * 0.8, prefer_short=True) or pick(
        units, 1, used, FLOOR, prefer_short=True
    )
    return got[0] if got else None


def _parts(units: Sequence[Unit], used: list[Unit], k: int) -> list[tuple[str, list[Unit]]]:
    """Three parts shown as why / what goes wrong / how; a role without material is replaced.

    Roles are filled most-specific first (measures, then meaning, then problems) so that a fallback
    cannot take the units another part needs; parts left short are topped up at a lower floor.
    """
    got: dict[str, tuple[str, list[Unit]]] = {}
    for slot in ("measure", "meaning", "problem"):
        role = slot
        chosen = pick(units, k, used, FLOOR, weight=role)
        if len(chosen) < 2:
            _release(used, chosen)
            alt = "practice" if role == "problem" else _FALLBACK[role]
            if any(r == alt for r, _ in got.values()):
                alt = "content"
            pool = [u for u in units if is_practice(u)] if alt == "practice" else list(units)
            chosen = pick(pool, k, used, FLOOR * 0.8)
            role = alt
        got[slot] = (role, chosen)
    parts = [got["meaning"], got["problem"], got["measure"]]
    for _, chosen in parts:  # top up short parts with the most relevant material left
        if len(chosen) < k:
            chosen.extend(pick(units, k - len(chosen), used, FLOOR * 0.8))
        if not chosen:
            chosen.extend(pick(units, max(1, k - 1), used, FLOOR * 0.5))
    return [(role, in_text_order(chosen)) for role, chosen in parts]


def _release(used: list[Unit], chosen: list[Unit]) -> None:
    used[:] = [u for u in used if not any(u is c for c in chosen)]


def _discussion(p: OutlineParams, minutes: int | None) -> list[str]:
    head = f"## 互动讨论（约{minutes}分钟）" if minutes else "## 互动讨论（可安排在课后交流）"
    return ["", head,
            f"1. 结合本支部、本部门实际，在{p.topic}方面我们已经做了哪些工作，还有哪些差距？",
            "2. 上面讲到的做法中，哪一条最值得我们借鉴？准备怎样落到自己的岗位上？"]  # fmt: skip


def _short(role: str) -> str:
    return {"meaning": "重要意义", "problem": "问题不足", "measure": "方法路径", "practice": "典型做法",
            "content": "基本要求"}[role]  # fmt: skip
