"""Typed answer detectors: what kind of specific a question asks for, and where a passage states one.

Each kind pairs an *ask* pattern (多长时间开一次 → frequency) with an *evidence* pattern that finds the
span stating such a specific in passage text (每季度召开一次, 不少于五个工作日, 一至两名, 自…之日起).
They decide answered vs partial and mark the span to highlight; they never hide a passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sizheng_bot.text import cn_number
from sizheng_bot.text.forms import MASK

_N = "零〇一二两三四五六七八九十百千万半几数"
NUM = rf"(?:\d+(?:\.\d+)?|[{_N}]+)"
_RANGE = rf"{NUM}(?:\s*[至到~\-—－]\s*{NUM})?"
_UNIT_TIME = r"(?:个?工作日|个?自然日|个?月|年|周|星期|天|日|小时|分钟|学期|季度)"
_MEASURE = "个名人位次项家所场批期条种篇件栋户座套只枚倍元万亿台辆架岁"


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what the answer must state, as in "原文未写明具体的{label}"
    ask: re.Pattern[str]
    evidence: re.Pattern[str]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_FREQ_EVIDENCE = (
    rf"每(?:{NUM})?(?:个)?(?:年|季度|半年|月|周|星期|天|日|学期|届|次)(?:[^。；;，,]{{0,8}}?(?:{NUM}次|一次|一回))?"
    rf"|(?:一年|每年|年度|全年|一月|每月|一季度)[^。；;，,]{{0,6}}?{NUM}次|(?:至少|不少于|原则上)[^。；;，,]{{0,8}}?{NUM}次"
    rf"|{NUM}(?:个)?(?:年|月|季度|周)(?:召开|开展|举行|进行)?一次|定期|经常性|常态化|随时"
)
KINDS: tuple[Kind, ...] = (
    Kind(
        "frequency",
        "频次",
        _rx(
            r"(?<!提前)多久[^，。？?]{0,6}(?:一次|一回|开|召开|举行|搞|(?<!党)组织|进行)|多长时间[^，。？?]{0,6}(?:一次|一回)"
            r"|(?:开|召开|举行|进行|搞|组织|过)[^，。？?]{0,4}(?:几次|多少次)|几年一次|一年几次|频次|频率|隔多久|多久一次"
            r"|(?<!提前)(?:多长时间|多久)(?:开|召开|举行|搞|组织)|一次就(?:行|够|可以|完事)|只(?:要|需|用)?(?:做|开|搞|办)?一次"
        ),
        _rx(_FREQ_EVIDENCE),
    ),
    Kind(
        "ratio",
        "比例",
        _rx(
            r"比例|百分之|占比|比重|权重|多大比例|几成|百分比|多少个?百分点|增长了?多少|下降了?多少|增幅|降幅"
        ),
        _rx(rf"{NUM}\s*(?:%|％|个百分点|成|倍)|百分之{NUM}"),
    ),
    Kind(
        "money",
        "金额",
        _rx(
            r"多少钱|多少元|经费[^，。？?]{0,6}多少|金额|预算[^，。？?]{0,4}多少|标准[^，。？?]{0,4}多少钱|交多少"
            r"|多少[^，。？?]{0,6}(?:补贴|补助|津贴|奖金|报酬|费用|经费|工资|党费)"
            r"|(?:补贴|补助|津贴|奖金|报酬|费用|党费)[^，。？?]{0,6}多少"
        ),
        _rx(rf"{NUM}\s*(?:万|亿)?元|{NUM}\s*(?:万|亿)美元"),
    ),
    Kind(
        "duration",
        "时长或期限",
        _rx(r"多长时间|多久|多少天|几天|几个月|多少个?月|几年|多少年|期限|任期|多长|时限|时长|持续了?多"),
        _rx(
            rf"(?:不少于|不超过|至少|满|超过|以内|连续)?{_RANGE}\s*{_UNIT_TIME}(?:以上|以内|以下|左右|之内|内)?"
            r"|届满|任期|半年|当天|当日|即时"
        ),
    ),
    Kind(
        "date",
        "时间",
        _rx(
            r"什么时候|何时|哪天|哪一天|从哪天|从何时|哪一年|哪年|几月|几号|日期|起算|开始算|截止|截至|最晚|最迟|时间节点"
            r"|什么时间|何日|哪个月|多会儿|(?<!哪)几点(?!内容|要求|做法|经验|意见|建议)"
        ),
        _rx(
            r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*[日号])?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]?"
            r"|\d{1,2}\s*月(?:份|底|初|中旬|上旬|下旬)?|[一二三四五六七八九十]{1,2}月(?:份|底|初)?|[一二三四五六七八九十〇零]{4}年"
            rf"|(?:自|从)[^。；;]{{1,30}}?(?:之日|之时)起|之日起|(?:届满|期满|到期|结束|召开)前{_RANGE}\s*{_UNIT_TIME}"
            rf"|{_RANGE}\s*{_UNIT_TIME}(?:以前|之前|前|内|以内)|(?:年初|年中|年底|年末|季度末|月底|上半年|下半年)"
            r"|每年|每季度|每月|\d{1,2}\s*[:：]\s*\d{2}(?:\s*[—–~～-]\s*\d{1,2}\s*[:：]\s*\d{2})?|\d{1,2}[:：时点]|(?:上午|下午|晚上|早上|凌晨|中午|傍晚)[一二三四五六七八九十]{1,3}[时点]"
            r"|[一二三四五六七八九十]{1,3}[时点](?:整|半|[一二三四五六七八九十]{1,3}分)"  # not 一时想不通
        ),
    ),
    Kind(  # 排在第几项: a position in an order, stated as 第一项 / 首位 (not a count)
        "ordinal",
        "次序",
        _rx(r"第几|排(?:在)?(?:哪|几)|哪一位次"),
        _rx(r"第[一二三四五六七八九十\d]+(?:项|个|条|位|名|次|步|天|周|轮|批|议程|环节)|首[项位个]|首要|首先|最先|最前|排在?首位"),
    ),
    Kind(
        "count",
        "数量",
        _rx(rf"多少(?!钱|比例)|(?<![哪那这第])几(?=[{_MEASURE}]|位|类)|人数|数量|名额|几成|多大规模"),
        _rx(
            rf"(?<![{_N}])(?!一[{_MEASURE}])(?:{_RANGE})\s*(?:余|多)?\s*[{_MEASURE}]"
            rf"|{_RANGE}\s*(?:万|亿|千|百)(?:余|多)?[{_MEASURE}]?|(?<![\d.])(?<!序号[:：])(?<!编号[:：])\d+(?:\.\d+)?(?![\d.．、)）](?!\d))"
            r"|超过[^。；;，,]{0,12}半数|过半数?|半数以上|[二三四五六七八九十]分之[一二三四五六七八九]"  # 多少票: more than half
        ),
    ),
    Kind(
        "person",
        "人员或职务",
        _rx(
            r"是谁|由谁|谁来|谁提|谁负责|谁跟谁|谁和谁|跟谁|和谁|找谁|谁[^，。？?]{0,4}(?:主持|批准|审批|签|决定)|哪位|哪些人|什么人|哪个部门|哪个机构|哪个单位|哪家|负责人"
        ),
        _rx(
            r"书记|局长|厅长|主任|部长|委员|组长|校长|院长|领导|负责人|班子|党组|党委|支部|总经理|董事长|主席|总理|总统|首相|部门"
            r"|[县市省区]委|机关工委|办公厅|办公室|[\u4e00-\u9fff]{1,8}(?:局|厅|委员会|办|院|中心|公司|集团|协会|大学|学校)"
        ),
    ),
    Kind(
        "place",
        "地点",
        _rx(
            r"哪里|(?<![存所实])在哪|什么地方|何地|何处|地点|场所|哪个(?:城市|省|国家|地区|县|市)|哪些(?:城市|省份|地区|国家)"
        ),
        _rx(
            r"[\u4e00-\u9fff]{1,8}(?:省|市|县|区|镇|乡|村|街道|国|州|岛|馆|中心|基地|广场|礼堂|会议室|社区)|在[^。，,；;]{1,12}(?:举行|召开|开展)"
        ),
    ),
    Kind(
        "list",
        "具体内容",
        _rx(
            r"哪些|哪几|包括什么|包括哪|都有什么|有什么|分别|几个方面|几方面|什么内容|哪[一二三四五六七八九十\d]+(?:条|项|个|点|种|类|方面)"
            r"|是什么|指什么|什么要求|什么|啥"
        ),
        _rx(
            r"[^。；;]{2,}、[^。；;]{2,}|[一二三四五六七八九十]是|第[一二三四五六七八九十]+[，,、]|[（(][一二三四五六七八九十\d]+[）)]"
        ),
    ),
    Kind(
        "procedure",
        "做法或步骤",
        _rx(r"怎么|如何|怎样|步骤|流程|程序|环节|咋|办法|措施|做法"),
        _rx(r"."),
    ),
)
BY_NAME = {k.name: k for k in KINDS}
# 想办几期读书会 / 打算搞几场: 几 as "a few", not a request for a count;
# 新来几个转业干部 / 我分管几个处室: 几 after a verb of having or arriving tells, it does not ask
_A_FEW = re.compile(
    r"(?:(?:想|打算|准备|计划|考虑)要?(?:办|搞|开|组织|举办|开展|安排|做)?"
    r"|(?:新来|新进|来了|调来|分来|分管|管着|带着|带了|招了|进了)了?)几(?=[" + _MEASURE + r"位类])"
)
# 除了时间地点主持人，还要填哪些: what is set aside is not what is asked
_EXCEPT = re.compile(r"除了[^，,。？?]{1,20}?(?:以外|之外)?(?=[，,]|还|也)")
SPECIFIC = ("frequency", "ratio", "money", "duration", "date", "ordinal", "count", "person", "place")


def asked(part: str) -> list[Kind]:
    """The kinds of specific ``part`` asks for, most specific first (a frequency before a duration)."""
    text = _EXCEPT.sub("", _A_FEW.sub("想", part))
    found = [k for k in KINDS if k.ask.search(text)]
    names = {k.name for k in found}
    if "frequency" in names:
        found = [k for k in found if k.name not in ("duration", "count", "date")]
    if "ratio" in names or "money" in names or "ordinal" in names:
        found = [k for k in found if k.name != "count"]
    if names & set(SPECIFIC):
        found = [k for k in found if k.name not in ("list", "procedure")]
    return found


def specific(kinds: list[Kind]) -> list[Kind]:
    """The kinds whose absence makes an answer partial (a list or a "how" is met by any relevant passage)."""
    return [k for k in kinds if k.name in SPECIFIC]


_WEAK = re.compile(
    r"^(?:定期|经常性|常态化|随时|每年|每季度|每月|年初|年中|年底|年末|当天|当日|即时|任期|届满)$"
)


def evidence(kind: Kind, text: str) -> re.Match[str] | None:
    """The first span of ``text`` stating a specific of ``kind`` (a strong one if there is one)."""
    weak = None
    for m in kind.evidence.finditer(text):
        if m.end() <= m.start():
            continue
        if not _WEAK.match(m.group(0).strip()):
            return m
        weak = weak or m
    return weak


# 多少名党员 -> 党员: the noun a count question counts (after the measure word, before any particle)
_COUNTED_NOUN = re.compile(
    rf"(?:多少|几)\s*[{_MEASURE}位类]\s*([\u4e00-\u9fff]{{2,4}}?)(?=[？?。，,！!呢吗啊的]|$)"
)
_ASKS_PERSON = re.compile(r"哪位|是谁|什么人|哪些人")  # a person; 由谁/谁来 may be answered by an office
_PERSON = re.compile(
    r"书记|局长|厅长|主任|部长|委员|组长|校长|院长|处长|科长|秘书长|负责人|总经理|董事长|主席|总理|总统|首相|同志|教授|专家"
    r"|班子成员|[（(]院[）)]长"
)
NOUN_WINDOW = 10  # characters either side of a count where the counted noun must stand


def counted_noun(question: str) -> str:
    if re.search(r"(?:多少|几)\s*(?:个|名|位)?人(?!数)", question):
        return "人"  # 需要多少人参加: people, whatever verb follows
    m = _COUNTED_NOUN.search(question)
    return m.group(1) if m else ""


def stated(kind: Kind, masked: str, question: str = "", text: str = "") -> re.Match[str] | None:
    """``evidence`` tied to what ``question`` asks: a count beside the noun it counts (四个党支部 does
    not count 党员), a person's title for 哪位/是谁 (an office or a 党支部 is not a person)."""
    text = text or masked
    if kind.name == "count" and (noun := counted_noun(question)):
        for m in kind.evidence.finditer(masked):
            near = text[max(0, m.start() - NOUN_WINDOW) : m.end() + NOUN_WINDOW]
            if m.end() > m.start() and noun[:2] in near:  # 多少个支部开了 -> 支部
                return m
        return None
    if kind.name == "person" and _ASKS_PERSON.search(question):
        return _PERSON.search(masked)
    return evidence(kind, masked)


def strength(match: re.Match[str]) -> float:
    """2 for a stated specific (每季度召开一次, 至少5个工作日), 1 for a vague one (定期, 常态化)."""
    return 1.0 if _WEAK.match(match.group(0).strip()) else 2.0


def best_span(kinds: list[Kind], text: str) -> tuple[int, int] | None:
    """Where ``text`` states what was asked (for bold), the first specific kind that matches."""
    for k in kinds:
        if k.name in ("procedure", "list"):
            continue
        m = k.evidence.search(text)
        if m and m.end() > m.start():
            return m.start(), m.end()
    return None


_COUNTED = r"(?:\d+|[一二两三四五六七八九十]+)"
_ITEMS_ASKED = re.compile(
    rf"哪({_COUNTED})(?:条|项|个|点|种|步|类|方面|句|件)|分(?:哪)?({_COUNTED})步"
    r"|哪([两二三四五六七八九十])(?=[\u4e00-\u9fff])(?![天年月日次回])"  # 哪四有 / 哪五问 / 哪三谈: the named items
    rf"|(?<![第每])({_COUNTED})(?:条|项|个|点|种|类|方面|句|件)(?:具体)?(?:内容)?(?:分别|都|具体|各)是"  # 十条分别是哪些
)
_ITEM_MARK = re.compile(
    r"[一二三四五六七八九十]是|第[一二三四五六七八九十]+[，,、步]|[（(][一二三四五六七八九十\d]+[）)]|(?:^|[。；;\s])\d[.、．]|首先|其次|然后|最后"
)


def items_asked(part: str) -> int:
    """How many items a part asks for by number (哪十条 -> 10, 分哪几步 -> 2), else 0."""
    m = _ITEMS_ASKED.search(part)
    if not m:
        return 2 if re.search(r"哪几步|分几步|几个步骤", part) else 0
    word = m.group(1) or m.group(2) or m.group(3) or m.group(4) or ""
    return max(2, cn_number(word) or 2)


_ASKS_LIST = re.compile(
    r"哪些|哪几|几类|几种|几项|几个方面|几方面|包括什么|包括哪|都有什么|(?:什么|啥)(?:内容|要求|方式|形式|办法|环节)|分别|怎么分"
)


def asks_list(question: str) -> bool:
    """The question asks for several things at once (哪些, 哪几类, 包括哪, 有什么要求): an enumeration
    in a passage is then likely the answer itself."""
    return bool(_ASKS_LIST.search(question))


SHORT_ITEM = 4  # characters of an item in a comma-separated run (沉着，勇猛，有辨别，不自私)


def enumerated(text: str) -> int:
    """Items of the longest enumeration in ``text``, also a run of short comma-separated items."""
    run = best = 0
    for piece in re.split(r"[，,]", text):
        run = run + 1 if 0 < len(piece.strip("。；;！!？? ")) <= SHORT_ITEM else 0
        best = max(best, run)
    return max(count_items(text), best)


def count_items(text: str, steps: bool = False) -> int:
    """Items of the longest enumeration in ``text``: markers (一是/（一）/首先…) or, unless steps are
    asked for, a 、-separated run."""
    markers = len(_ITEM_MARK.findall(text))
    if steps:
        return markers
    runs = max(
        (sum(1 for x in s.split("、") if not _MASKED_ITEM.fullmatch(x)) for s in re.split(r"[。；;：:，,]", text)),
        default=1,
    )
    return max(markers, runs)


_MASKED_ITEM = re.compile(rf"\s*(?:{MASK})?\s*")  # XX、XX、XX lists no item: a template's blanks
