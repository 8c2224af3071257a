"""Shared by the outline and plan composers: what role a passage unit plays, and picking units for a part.

The reports are organised as 意义 (why it matters) / 问题 (what goes wrong) / 措施·做法 (how to do it).
A unit's role comes from its section path (the top-most heading that says which of the three it is)
and, more weakly, from cue words in the sentence itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sizheng_bot.compose.select import Unit, is_duplicate
from sizheng_bot.text import strip_marker

ROLES = ("meaning", "problem", "measure")
_SECTION = {
    "problem": re.compile(r"问题|不足|短板|困难|挑战|新情况|有待|差距|弱化|缺乏|不够|不强|不到位|亟待"),
    "meaning": re.compile(r"意义|重要性|必要性|作用|价值|成效|成果|为什么|引言"),
    "measure": re.compile(
        r"措施|对策|建议|做法|路径|举措|方法|途径|经验|机制|制度|建设|强化|加强|创新|健全|提升|推进|着力|突出|彰显|答好|坚持|改进"
    ),
}
_CUE = {
    "problem": re.compile(
        r"存在[^。；]{0,20}(?:问题|现象|不足)|问题(?:和|与)?(?:不足|挑战)|不足|不够|欠缺|缺乏|不强|不高|薄弱|滞后|"
        r"形式化|走过场|流于形式|有待|不到位|脱节|两张皮|一手软|应付"
    ),
    "meaning": re.compile(r"意义|重要|关键|前提|基础|保障|根本|灵魂|生命线|有利于|有助于|作用"),
    "measure": re.compile(
        r"^(?:[一二三四五六七八九十]+是|要|坚持|建立|健全|开展|组织|推行|实行|制定|落实|加强|强化|通过|注重|推动|借助|利用)"
        r"|要[^，。,]{0,8}(?:坚持|建立|健全|加强|开展|组织|推进|落实|结合)"
    ),
}
_PRACTICE = re.compile(
    r"(?:县|市|区|州|省|校|院|局|委|办|厅)[^。]{0,30}(?:开展|组织|举办|邀请|设立|建立|推行|制定|创建)"
)


def section_role(section: str) -> str | None:
    """The role named by the top-most heading of ``section`` that names one."""
    for heading in section.split(" > "):
        for role in ("problem", "meaning", "measure"):
            if _SECTION[role].search(heading):
                return role
    return None


def role_score(unit: Unit, role: str) -> float:
    if (
        role not in _CUE
    ):  # 典型做法 / 基本要求 / 原著: a practice fits the first, anything on topic the others
        return 1.0 if role != "practice" or is_practice(unit) else 0.3
    score = 1.0 if section_role(unit.hit.section) == role else 0.0
    if _CUE[role].search(strip_marker(unit.text)):  # "第十三条坚持…" opens with 坚持
        score += 0.6
    return score


def is_practice(unit: Unit) -> bool:
    """A concrete example or a unit's own practice (例如… / 县水利局邀请… / 市委党校开展…)."""
    return unit.is_example or bool(_PRACTICE.search(unit.text))


def pick(
    units: Sequence[Unit],
    n: int,
    used: list[Unit],
    floor: float,
    weight: str | None = None,
    need_role: bool = True,
    prefer_short: bool = False,
) -> list[Unit]:
    """Up to ``n`` unused units at or above ``floor``, ranked by relevance (times role fit when given)."""

    def key(u: Unit) -> float:
        base = u.score * (0.6 + role_score(u, weight)) if weight else u.score
        return base - len(u.text) / 400 if prefer_short else base

    ranked = sorted(units, key=lambda u: (-key(u), u.rank, u.order))
    out: list[Unit] = []
    for u in ranked:
        if len(out) >= n:
            break
        if u.match < floor or (weight and need_role and role_score(u, weight) == 0):
            continue
        if "\n" in u.text.strip():  # a table, a form or a cover page: not one point to make
            continue
        if _taken(u, used + out):
            continue
        out.append(u)
    used.extend(out)
    return out


def _taken(u: Unit, chosen: Iterable[Unit]) -> bool:
    chosen = list(chosen)
    return any(u is c for c in chosen) or is_duplicate(u.text, (c.text for c in chosen))


def in_text_order(units: Sequence[Unit]) -> list[Unit]:
    return sorted(units, key=lambda u: (u.hit.source, u.hit.position, u.order))


def absent_notice(absent: Sequence[str], draft: str) -> str:
    """The line at the top of a draft whose subject no passage holds: a frame only, nothing padded in."""
    return (f"> 提示：知识库中没有关于{'、'.join(absent)}的材料，下面只给出{draft}框架，不摘编无关内容；"
            "请先把相关文件入库后重新生成，或结合本单位实际补充。")  # fmt: skip
