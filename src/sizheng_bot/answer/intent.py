"""Task parameters read from the request text (explicit arguments win), and follow-up questions made whole.

"15分钟" / "一刻钟" / "半小时" / "10分钟左右" → minutes; "青年干部" / "机关党员" / "新入职…" → audience;
“…” / 题目定为… / 讲讲… → topic; "半天" / "2小时" / "一天" → a plan's duration.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from sizheng_bot.text.numerals import CN_NUM, cn_number
from sizheng_bot.types import OutlineParams, PlanParams

DEFAULT_MINUTES = 15
DEFAULT_PLAN_MINUTES = 120
DEFAULT_AUDIENCE = "机关党员干部"

_NUM = rf"(?:\d+(?:\.\d+)?|{CN_NUM})"


def _number(word: str) -> float | None:
    if re.fullmatch(r"\d+\.\d+", word):
        return float(word)
    n = cn_number(word)
    return float(n) if n is not None else None


def parse_minutes(text: str) -> int | None:
    """A duration in minutes: 15分钟, 十五分钟, 一刻钟, 半小时, 1个半小时, 2小时, 半天, 一天."""
    t = text.replace(" ", "")
    if m := re.search(rf"({_NUM})个?半(?:小时|钟头)", t):
        n = _number(m.group(1))
        return int(n * 60 + 30) if n is not None else None
    if re.search(r"半个?(?:小时|钟头)", t):
        return 30
    if m := re.search(rf"({_NUM})个?(?:小时|钟头)", t):
        n = _number(m.group(1))
        return int(n * 60) if n is not None else None
    if m := re.search(rf"({_NUM})\s*(?:分钟|min)", t):
        n = _number(m.group(1))
        return int(n) if n is not None else None
    if m := re.search(rf"({CN_NUM})刻钟", t):
        n = cn_number(m.group(1))
        return n * 15 if n else None
    if "半天" in t:
        return 180
    if re.search(r"[一1]整?天|全天", t):
        return 360
    return None


_AUDIENCES = (
    "部队转业干部", "军转干部", "新入职干部", "新入职党员", "新入职人员", "新录用公务员", "新入职", "青年干部", "年轻干部",
    "青年党员", "青年教师", "机关党员干部", "机关青年", "机关党员", "机关干部", "支部全体党员", "全体党员", "支部党员",
    "党员干部", "入党积极分子", "发展对象", "预备党员", "离退休老党员", "离退休党员", "离退休干部", "老党员", "转业干部", "教职工",
    "党务干部", "党支部书记", "支部书记", "领导干部", "团员青年", "党员",
)  # fmt: skip
_NEWCOMERS = re.compile(r"新入职的?([\u4e00-\u9fff]{0,3}?(?:干部|党员|人员|公务员|同志|青年|教师))?")
_AUDIENCE_PATTERN = re.compile(
    r"(?:面向|针对|对象(?:是|为)|给)([\u4e00-\u9fff]{2,10}?)(?:上|讲|开展|组织|的|，|。|$)"
)


def parse_audience(text: str) -> str | None:
    if m := _NEWCOMERS.search(text):
        return "新入职" + (m.group(1) or "干部")
    for a in _AUDIENCES:
        if a in text:
            return a
    m = _AUDIENCE_PATTERN.search(text)
    return m.group(1) if m and not re.search(r"我|你|大家|帮|写", m.group(1)) else None


_QUOTED = re.compile(r"[“\"「『]([^”\"」』\n]{2,40})[”\"」』]")
_TOPIC_PATTERNS = (
    re.compile(
        r"(?:(?:题目|主题|课题|标题|内容)(?:暂定为|暂定|定为|定成|是|为|叫|：|:)|党课[：:])\s*([^，。,；;！!？?\n]{2,40})"
    ),
    re.compile(
        r"(?:讲讲|讲一讲|讲一下|谈谈|聊聊|围绕|关于|就|讲(?=怎么|怎样|如何|好|清))([^，。,；;！!？?\n]{2,40}?)"
        r"(?:为主题|为题|这个主题|的微党课|的党课|的主题|，|。|$)"
    ),
)
_ACTIVITY = re.compile(
    r"主题党日|党日活动|活动|分享会|读书会|宣讲会|座谈会|交流会|报告会|知识竞赛|演讲比赛|观影会|组织生活会|民主生活会|"
    r"学习会|研讨会|培训班|知识竞答|知识问答|比赛|大赛|党员大会"
)
_ACT_VERB = re.compile(
    r".*(?:开展|组织|搞|办|举办|举行|进行|策划|召开|(?<=[想要备算划拟])开)(?:一次|一场|一期|一个|个|次)?"
)
_DURATION_WORDS = re.compile(rf"{_NUM}个?(?:半)?(?:小时|钟头|分钟)|半天|一天|全天|左右|的$|^的")
_TOPIC_TRIM = re.compile(r"^(?:一下|一次|一堂|一个|怎么|如何|怎样|我们|咱们)+|(?:的问题|问题|方面|的)$")
_BOILERPLATE = re.compile(
    r"帮我|帮忙|请|麻烦|给我|我们|咱们|支部|想|要|准备|安排|写|列|搭|拟|起草|一份|一个|一堂|一次|个|份|"
    r"提纲|大纲|活动方案|方案|微党课|党课|主题党日|党日活动|活动|左右|大约|分钟|小时|一刻钟|半天|一天|的|去|到|"
    r"[，。,.!！？?]"
)


_LABELLED = re.compile(r"(?!为题|为主题|主题|的|这|是)[\u4e00-\u9fff]{2,8}?(?=[，。,；;！!？?\n]|$)")


def _strip_quotes(text: str) -> str:
    return re.sub(r"[“”\"「」『』‘’《》]", "", text).strip()


_ASK_WORDS = re.compile(r"^(?:要|该|应该|应当)?(?:怎样|怎么样|怎么|如何|怎)(?:样)?")
_TOPIC_END = re.compile(r"(?:的问题|问题|方面|的事|这件事|的|(?:怎么|怎样|如何)[开办搞做抓])$")
_ASK_INSIDE = re.compile(r"^对([\u4e00-\u9fff]{2,12}?)(?:怎样|怎么|如何)(?:进行|开展)([\u4e00-\u9fff]{2,12})$")


def short_topic(topic: str) -> str:
    """A noun phrase: no audience in front, no question words ("党员干部怎样正确对待…" -> "正确对待…")."""
    t = _strip_quotes(topic)
    for a in sorted(_AUDIENCES, key=len, reverse=True):
        if t.startswith(a) and len(t) - len(a) >= 4:
            t = t[len(a) :]
            break
    t = re.sub(r"^给[\u4e00-\u9fff]{2,10}?讲", "", t)
    t = _ASK_WORDS.sub("", t)
    if m := _ASK_INSIDE.match(t):  # "对不合格党员怎样进行组织处置" -> "不合格党员组织处置"
        t = m.group(1) + m.group(2)
    t = _TOPIC_END.sub("", t)
    return t.strip("的 ") or _strip_quotes(topic)


def parse_topic(text: str) -> str | None:
    """The topic or theme named in a drafting request, without quotation marks."""
    named = _TOPIC_PATTERNS[0].search(text)
    if named and (q := _QUOTED.match(text, named.start(1))):
        return _strip_quotes(q.group(1))
    if named and len(_strip_quotes(named.group(1))) >= 2:
        return _strip_quotes(named.group(1))
    if m := _QUOTED.search(text):  # a short quoted label names what follows it: “十五五”规划建议
        label = _LABELLED.match(text, m.end()) if len(m.group(1)) <= 4 else None
        return _strip_quotes(m.group(1) + (label.group(0) if label else ""))
    for rx in _TOPIC_PATTERNS[1:]:
        if m := rx.search(text):
            topic = short_topic(_TOPIC_TRIM.sub("", m.group(1).strip()))
            if len(topic) >= 2:
                return topic
    return None


_PLAN_NAMED = re.compile(r"(?:一个|一份|个|份|一套)([\u4e00-\u9fff]{2,14}?)(?:工作|活动|实施)?方案")
_REQ_CLAUSE = re.compile(
    r"^(?:结合|要|需要|还要|最好|请|邀请|会后|会上|中间|最后|把|安排\d|安排[一二三四五六七八九十两半])"
)
# the request's own words before what it asks for (帮我写个 / 请拟一份 / 麻烦出个)
_ASKING_FOR = re.compile(
    r"^(?:帮我|帮忙|请|麻烦|给我|我想|想)*(?:写|拟|起草|制定|策划|做|出|弄|准备|设计)?(?:一个|一份|个|份)?"
)
_MODAL_TAIL = re.compile(r"(?:要|想|准备|打算|计划|拟|将|在)+$")


def parse_theme(text: str) -> str | None:
    """The theme of an activity: a quoted or named topic, else what is to be held (…开展一次X的主题党日)."""
    if found := parse_topic(text):
        return found
    clauses = [c.strip() for c in re.split(r"[，。,；;！!？?\n]", text) if c.strip()]
    for clause in clauses:
        if (m := _PLAN_NAMED.search(clause)) and len(_BOILERPLATE.sub("", m.group(1))) >= 2:
            if not _ACTIVITY.fullmatch(m.group(1)) and m.group(1) not in ("会议", "工作", "实施"):
                return _strip_quotes(re.sub(r"^(?:拟|写|起草|制定)", "", m.group(1)))
    for clause in clauses:
        m = _ACTIVITY.search(clause)
        if not m or _REQ_CLAUSE.search(clause):
            continue
        head = clause[: m.start()]
        verb = _ACT_VERB.match(head)
        before = head[verb.end() :] if verb else _ASKING_FOR.sub("", head)  # "帮我写个培训班…": 培训班
        if verb and len(_BOILERPLATE.sub("", before)) < 2:  # "七一要搞个主题党日": what precedes the verb
            before = _MODAL_TAIL.sub("", re.sub(r"(?:开展|组织|搞|办|举办|举行|进行|策划).*$", "", head))
        theme = _DURATION_WORDS.sub("", _DURATION_WORDS.sub("", before)).strip("的 ")
        who = parse_audience(theme)
        if who and re.match(rf"{re.escape(who)}(?:开|召开|办)", theme):  # "老党员开座谈会": not the theme
            theme = re.sub(r"^(?:开|召开|办)", "", theme[len(who) :])
        if m.group(0) not in ("活动", "主题党日", "党日活动"):
            theme += m.group(0)
        if len(_BOILERPLATE.sub("", theme)) >= 2:
            return _strip_quotes(theme)
    return None


_SPEAKER = re.compile(r"(?:请|邀请)[\u4e00-\u9fff]{1,10}?(?:讲|作|做|分享|授课|宣讲|介绍)")


def request_audience(text: str) -> str | None:
    """The audience, not counting who is invited to speak ("请老党员讲党课")."""
    return parse_audience(_SPEAKER.sub("", text))


_SIDE_CLAUSE = re.compile(
    r"结合|最好|要|需要|请|邀请|穿插|安排|快到了|将至|前夕|之际|分钟|小时|半天|一天|帮|写|拟|列|会后|回来后|结束"
)
_OCCASION = re.compile(r"七一|建党|国庆|五四|八一|春节|清明|元旦|重阳")


def fallback_topic(text: str) -> str:
    """The clause that carries the subject (not a requirement, a duration or the ask), boilerplate removed."""
    clauses = [c for c in re.split(r"[，。,；;！!？?\n]", text) if c.strip()]
    ranked = sorted(clauses, key=lambda c: (bool(_SIDE_CLAUSE.search(c)), -len(_BOILERPLATE.sub("", c))))
    for clause in ranked:
        clause = re.sub(
            r"^(?:组织|带领|带)[^去到赴，。]{0,10}(?:去|到|赴)|半个?(?:小时|钟头)|一刻钟", "", clause
        )
        clause = _DURATION_WORDS.sub("", clause)
        rest = re.sub(r"\d+|[一二三四五六七八九十]+(?=分钟)", "", _BOILERPLATE.sub("", clause))
        rest = re.sub(r"^给[\u4e00-\u9fff]{2,10}?讲", "", rest)
        if len(rest) >= 2:
            return short_topic(rest)[:20]
    return "加强机关思想政治工作"


def time_split(
    minutes: int, discussion: bool | None = None, discuss_minutes: int | None = None
) -> tuple[tuple[str, int], ...]:
    """导入 ~2 min, three main parts, 互动讨论 (talks of 15 min and more, or when asked; ``discuss_minutes``
    when the request gives its length), 结语 ~1–2 min. Always sums to ``minutes`` (at least 5)."""
    minutes = max(5, minutes)
    intro = 2 if minutes >= 10 else 1
    closing = 2 if minutes >= 15 else 1
    talk = minutes >= 15 if discussion is None else discussion
    discuss = (2 if minutes >= 15 else 1) if talk and minutes >= 6 else 0
    if discuss_minutes and talk:  # at most what leaves a minute for each main part
        discuss = max(1, min(discuss_minutes, minutes - intro - closing - 3))
    body = minutes - intro - closing - discuss
    base, extra = divmod(body, 3)
    parts = [base + (1 if i < extra else 0) for i in range(3)]
    split = [("导入", intro), ("第一部分", parts[0]), ("第二部分", parts[1]), ("第三部分", parts[2])]
    if discuss:
        split.append(("互动讨论", discuss))
    split.append(("结语", closing))
    return tuple(split)


def outline_params(
    text: str,
    topic: str | None,
    audience: str | None,
    minutes: int | None,
    history: Sequence[tuple[str, str]] = (),
    discussion: bool | None = None,
    discuss_minutes: int | None = None,
) -> OutlineParams:
    found_topic = topic or parse_topic(text) or _history_topic(history) or fallback_topic(text)
    m = minutes or parse_minutes(text) or DEFAULT_MINUTES
    who = _strip_quotes(audience or "") or request_audience(text) or DEFAULT_AUDIENCE
    return OutlineParams(short_topic(found_topic), who, max(5, m), time_split(m, discussion, discuss_minutes))


def plan_params(
    text: str,
    theme: str | None,
    audience: str | None,
    form: str | None,
    history: Sequence[tuple[str, str]] = (),
) -> PlanParams:
    occasion = _OCCASION.search(text)
    found = theme or parse_theme(text) or _history_topic(history) or (occasion.group(0) if occasion else None)
    found = found or fallback_topic(text)
    minutes = parse_minutes(form or "") or parse_minutes(text) or DEFAULT_PLAN_MINUTES
    duration = _duration_label(form or "", text, minutes)
    form = _strip_quotes(form or "") or None
    form_text = f"{form}（{duration}）" if form and not parse_minutes(form) else (form or duration)
    who = _strip_quotes(audience or "") or request_audience(text) or DEFAULT_AUDIENCE
    return PlanParams(_strip_quotes(found), who, form_text, minutes, "党日" in text or "党日" in (form or ""))


def _duration_label(form: str, text: str, minutes: int) -> str:
    for word in ("半天", "一天", "全天"):
        if word in form or word in text:
            return word
    return f"约{minutes // 60}小时" if minutes % 60 == 0 else f"约{minutes}分钟"


def _history_topic(history: Sequence[tuple[str, str]]) -> str | None:
    """The subject of the conversation so far: the last user question, as a topic."""
    for user, _ in reversed(history):
        if user.strip():
            return parse_topic(user) or _question_topic(user)
    return None


def _question_topic(question: str) -> str:
    core = re.sub(r"[？?。！!，,].*$", "", question.strip())
    core = re.sub(r"(?:怎么|如何|怎样)(?:搞|做|开展|抓|办)?.*$|应该.*$|有什么.*$|有哪些.*$", "", core)
    return _strip_quotes(core)[:30] or _strip_quotes(question)[:30]


# the draft verb governs the thing drafted (帮我出个主题党日方案, 写个提纲; 方案帮我弄一下): "预算表列了哪些
# 费用科目" lists something in a 方案 and asks about it, it asks for no draft
_DRAFT_ASK = re.compile(
    r"(?:写|起草|草拟|拟|搭|列|出|制定|设计|策划|整理|准备|生成|弄)[^，,。？?！!；;]{0,20}?(?:方案|提纲|大纲|讲稿|框架|课件)"
    r"|(?:方案|提纲|大纲|讲稿)[^，,。？?！!；;]{0,6}?(?:写|起草|拟|弄|出|搭)"
)
_OUTLINE_THING = re.compile(r"提纲|大纲|讲稿|框架|课件")
_ABOUT = re.compile(r"是什么|有哪些|包括|要求|怎么写|如何写|什么样|一般")


def drafting_task(text: str) -> Literal["outline", "plan"] | None:
    """ "outline" or "plan" when a request typed as a question clearly asks for a draft, else None."""
    asks = bool(re.search(r"哪些|哪几|多少", text)) and text.rstrip().endswith(("？", "?"))  # 方案里要列出哪些环节？
    if asks or _ABOUT.search(text) or not _DRAFT_ASK.search(text):
        return None
    if "党课" in text and _OUTLINE_THING.search(text):
        return "outline"
    if "方案" in text:
        return "plan"
    return None
