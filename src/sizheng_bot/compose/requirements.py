"""Explicit requirements in a drafting request: what the user asked for besides the topic.

"结合七一", "重温入党誓词", "请老党员讲党课", "会后要有交流研讨", "最好能结合基层具体做法",
"把时间节点和要报的请示、批复列清楚", "借鲁迅的《拿来主义》讲…". Each one becomes a step (an activity to
hold) or a point (something the draft must address), and its words become a retrieval query.
A named work (《…》) is a *material*: passages from a document of that title are preferred.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["step", "point", "occasion"]

_VERB = re.compile(
    r"结合|联系|穿插|加上|加入|增加|安排|布置|包括|包含|邀请|请|带领|突出|体现|重点讲|列清楚|写清楚|写明|列出|讲清楚|讲透|留"
    r"|播放|放一段|放一部|放映"
)
_WHEN = (
    r"(?:最好|希望|务必|一定|另外|还|并且|同时|顺便|先|首先|再|接着|随后|中间|会上|会后|课后|活动中|活动后|最后|开头|结尾|结束时|结束后|"
    r"回来后|返回后|现场|在现场|当天)"
)
_MODAL = re.compile(
    rf"^{_WHEN}+(?:开展|进行|组织|举行)|^{_WHEN}*(?:由[^，。]{{2,12}}?)?(?:每人|每位党员|大家|全体党员)?(?:都)?(?:能|要|得|需要|需|可以|写|交|作|做|带头)"
    rf"|^{_WHEN}+(?:由[^，。]{{1,12}}?)?(?=[\u4e00-\u9fff])"  # "最后由书记颁奖" / "会后形成问题清单": a step in sequence
)
_ROUNDS = re.compile(r"^分[^，。]{1,12}?(?:[两三四五六七八九\d]|几)(?:轮|个环节|个阶段|场)")  # "分必答和抢答两轮"
_BA = re.compile(r"^把(.{2,30}?)(列清楚|写清楚|写明白|写明|讲清楚|讲透|列出来|突出出来|体现出来)")
_INTENT = re.compile(r"想|准备|打算|计划|拟")
_SPLIT = re.compile(r"[，。,；;！!？?\n]|(?:并且|同时|另外|然后)|(?<=[\u4e00-\u9fff]{2})(?<!不)(?=再[\u4e00-\u9fff]{2})")
_ACTIVITY = re.compile(
    r"宣誓|誓词|党课|讲课|讲授|授课|宣讲|参观|瞻仰|观看|观影|看电影|纪录片|合唱|唱|朗读|诵读|读书|分享|交流|研讨|座谈|"
    r"发言|讨论|竞赛|知识问答|答题|演讲|慰问|走访|志愿|签名|献花|植树|打卡|重温|测试|讲解|点评|访谈|互动|心得|体会|"
    r"思考题|作业|带头|表态|批评与自我批评|颁奖|辅导|提问|竞答|抢答|必答|形成|视频|短片|打分|评分|投票|计票"
)
# "要有说明选举办法、投票、计票和宣布结果的环节": several steps named in one clause
_STEP_LIST = re.compile(r"^(?:要|需要|还要|得)?有(.{4,60}?)(?:的|等|这些|几个)*(?:环节|程序|步骤)$")
_OPENING = re.compile(r"^(?:开头|开场|开篇|一开始|首先)")
_LIST_SEP = re.compile(r"[、]|(?:和|及|以及)(?=[^、]*$)")
# a requirement that only says "relate it to us" (结合本单位实际): nothing to retrieve, the speaker fills it in
_LOCAL = re.compile(r"^(?:本单位|本部门|本支部|本地|本系统|本岗位|单位|部门|支部|自身|我们|工作|的|和|实际|情况|特点)+$")
_LEAD_DURATION = re.compile(r"^(?:约|大概|大约)?[\d一二三四五六七八九十两半]+个?(?:半)?(?:小时|分钟|钟头)(?:左右)?(?:的)?")
_OCCASION = re.compile(r"七一|建党|国庆|五四|十一|春节|清明|八一|纪念日|周年|节日|新春|元旦|重阳")
_MATERIAL = re.compile(r"《([^》]{1,30})》")
_QUOTED = re.compile(r"[“\"「『][^”\"」』]*[”\"」』]")
_DRAFT_THING = re.compile(r"提纲|大纲|方案|微党课|主题党日|党日活动|帮我|帮忙|麻烦|设计|策划")
_LEAD = re.compile(
    rf"^(?:{_WHEN}|其中)*(?:每人|每位党员|大家|全体党员)?(?:都)?(?:能|要|得|需要|需|想|可以)*(?:有|搞|留|在现场)?"
)
_DURATION = re.compile(
    r"^(?:约|大概|大约)?[\d一二三四五六七八九十两半]+个?(?:半)?(?:小时|分钟|钟头|天)(?:左右)?$"
)
_COMING = re.compile(r"快到了|到了|将至|来临|前夕|之际|即将|马上|前|期间|节|值此|正逢")
_TAIL = re.compile(r"(?:的环节|这个环节|环节|一下|一些|的内容|为好|比较好|更好|就好|就行|吧|啊|呀|哦)+$")


@dataclass(frozen=True)
class Requirement:
    """One explicit requirement: ``text`` is the user's own words (shown verbatim in the draft)."""

    text: str
    kind: Kind
    query: str
    opening: bool = False  # asked for at the start (开头放一段短视频导入 / 先…)

    @property
    def is_step(self) -> bool:
        return self.kind == "step"

    @property
    def is_local(self) -> bool:
        """Asks to relate the draft to the user's own unit (结合本单位实际): the speaker supplies it."""
        return self.kind == "point" and bool(_LOCAL.match(self.query))


def materials(request: str) -> list[str]:
    """Works named in 《…》 (a document or text the talk should draw on)."""
    return list(dict.fromkeys(m.group(1).strip() for m in _MATERIAL.finditer(request) if m.group(1).strip()))


def _clean(clause: str) -> str:
    c = _LEAD.sub("", clause.strip(" 　、"))
    return _TAIL.sub("", c).strip(" 　、的")


def parse_requirements(request: str, topic: str = "") -> list[Requirement]:
    """The explicit requirements in ``request``, in order, each once; the topic itself is not one."""
    out: list[Requirement] = []
    for clause in _SPLIT.split(_QUOTED.sub("", request)):
        for found in _listed(clause.strip()) or [_requirement(clause.strip())]:
            if found is None or (topic and found.query in topic):
                continue
            if any(found.query in r.text or r.query in found.text for r in out):
                continue
            out.append(found)
    return out


def _listed(clause: str) -> list[Requirement | None]:
    """The steps of "要有A、B、C和D的环节", one each (empty when the clause is no such list)."""
    m = _STEP_LIST.match(clause)
    items = [x.strip() for x in _LIST_SEP.split(m.group(1))] if m else []
    if len(items) < 2 or not all(2 <= len(x) <= 12 for x in items):
        return []
    return [Requirement(x, "step", x) for x in items]


def _requirement(clause: str) -> Requirement | None:
    occasion = _OCCASION.search(clause)
    if occasion and _COMING.search(clause) and not _VERB.search(clause):
        return Requirement(f"结合{occasion.group(0)}", "occasion", occasion.group(0))
    if ba := _BA.match(clause):
        return Requirement(clause[1:], "point", ba.group(1))
    if _ROUNDS.match(clause):
        return Requirement(clause, "step", clause)
    verb = _VERB.search(clause)
    modal = _MODAL.match(clause)
    if verb:
        if _INTENT.search(clause[: verb.start()]) or _DRAFT_THING.search(clause):
            return None  # "想组织…开展…" / "请写一份活动方案": the request itself
        text = _clean(clause[verb.start() :]) if verb.group(0) != "留" else _clean(clause)
    elif modal and _ACTIVITY.search(clause) and not _DRAFT_THING.search(clause):
        text = _clean(clause)
    else:
        return None
    core = _VERB.sub("", text, count=1) if verb else text
    core = _clean(_LEAD_DURATION.sub("", _clean(core)))  # "留5分钟提问" -> 提问
    if len(core) < 2 or _DURATION.match(core):
        return None
    if _OCCASION.search(core) and len(core) <= 8:
        return Requirement(text, "occasion", core)
    opening = bool(_OPENING.match(clause)) or "导入" in core
    return Requirement(text, "step" if _ACTIVITY.search(core) else "point", core, opening)


def requirement_lines(reqs: list[Requirement], where: dict[str, str]) -> list[str]:
    """ "> 按您的要求：…" — every requirement and where the draft answers it."""
    if not reqs:
        return []
    parts = [f"{r.text}（见{where.get(r.text, '正文')}）" for r in reqs]
    return [f"> 按您的要求：{'；'.join(parts)}。"]
