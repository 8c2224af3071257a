"""Scope and refusal rules applied to every request before retrieval (offline and LLM modes alike).

Order: empty → prompt injection → fabrication → out of scope. Out-of-scope detection weighs an
off-topic lexicon against a domain lexicon and leans towards letting a request through: a wrongly
refused in-domain question costs more than an off-topic one that retrieval answers with "not found".
It decides on what a request asks for: when that (the head of an asking clause) is off topic, words
that only say where or who (单位食堂的菜单, 领导让我订的机票) keep nothing in scope.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sizheng_bot.answer import lexicon as lx
from sizheng_bot.answer.lexicon import DOMAIN_TERMS, GOV_UNIT, OFF_TOPIC_PATTERNS, OFF_TOPIC_TERMS
from sizheng_bot.text import spaced, squash

log = logging.getLogger(__name__)

Kind = Literal["ok", "out_of_scope", "fabrication", "injection", "empty", "greeting"]


@dataclass(frozen=True)
class GuardDecision:
    kind: Kind
    message: str  # Chinese text shown to the user when kind != "ok"; "" for ok

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


_CAPABILITIES = "解答机关思想政治工作、党建业务问题，协助起草微党课提纲、活动方案，依据的是您上传的文件"
_EXAMPLES = "\n".join(
    (
        "您可以这样问：",
        "- 谈心谈话怎么开展才不流于形式？",
        "- 帮我起草一份主题党日活动方案",
        "- 给机关党员上一堂15分钟的微党课，帮我列个提纲",
    )
)
EMPTY_MESSAGE = f"请输入您的问题。我可以{_CAPABILITIES}。\n{_EXAMPLES}"
GREETING_MESSAGE = f"您好！我是思政助手，可以{_CAPABILITIES}。\n{_EXAMPLES}"
INJECTION_MESSAGE = f"抱歉，这个请求我无法处理。我可以{_CAPABILITIES}。"
FABRICATION_MESSAGE = (
    "抱歉，不能编造或伪造讲话、引语、会议记录、签名或数据。领导讲话必须以文件原文为准，"
    "伪造记录、代签签名、虚构数据属于违规违纪行为。"
    "您可以让我根据知识库原文起草讲稿、方案或报告，引文均标注出处；需要数据的地方请填写本单位的真实统计。"
)
OUT_OF_SCOPE_MESSAGE = "\n".join(
    (
        f"抱歉，这个问题不在我的服务范围内。我是机关思想政治工作助手，可以{_CAPABILITIES}。",
        "您可以这样问：",
        "- 谈心谈话怎么开展才不流于形式？",
        "- 给机关党员上一堂15分钟的微党课，帮我列个提纲",
    )
)
TOO_LONG_MESSAGE = (
    "问题太长（{n} 字），超过了 {cap} 字的上限。请把问题精简后再提问；长篇材料请作为文件上传到知识库。"
)


def too_long(text: str, cap: int) -> str | None:
    """The Chinese message when a question exceeds ``cap`` characters, else None."""
    n = len((text or "").strip())
    return TOO_LONG_MESSAGE.format(n=n, cap=cap) if n > cap else None


def leans_off_topic(request: str) -> bool:
    """Some off-topic signal and no domain signal at all (used when the KB does not answer either)."""
    compact = squash(request)
    if off_topic_score(compact) < 1.0:
        return False
    if _asks_off_topic(compact):
        return _topic_strength(compact) == 0
    return _score(compact, DOMAIN_TERMS)[0] == 0 and not GOV_UNIT.search(compact)


# --- text forms: text.squash (Chinese patterns), text.spaced (English patterns) -------------------
def _is_empty(text: str) -> bool:
    return not any(unicodedata.category(ch)[0] in "LN" for ch in text)


# --- injection -------------------------------------------------------------------------------------
_IGNORE = r"(?<![不别勿])(?:忽略|无视|忘记|忘掉|忘了|跳过|绕过|不要理会|别管|抛开|丢掉|抛弃)"
_EARLIER = r"(?:以上|之前|前面|上面|先前|此前|原来|原有|原先|所有|全部|一切|你的|系统|默认|开发者)"
_SECRET = r"(?:系统提示词?|提示词|系统指令|系统消息|系统设定|初始指令|初始设定|隐藏指令|内置指令|预设指令|systemprompt|prompt)"
_YOUR = r"你(?:的|们的)?(?:系统)?(?:设定|指令|规则|提示|人设|配置|限制|约束|底层逻辑|训练指令|规定|准则)"
_REVEAL = (
    r"(?:输出|打印|告诉|说出|显示|展示|复述|重复|原样|透露|泄露|公开|给我看|贴出|列出|发给我|写出|念一下|背一下|"
    r"是什么|有哪些|是啥|是怎样|怎么写的|是如何)"
)
_INJECTION_ZH = [
    re.compile(rf"{_IGNORE}.{{0,4}}{_EARLIER}.{{0,8}}(?:指令|提示|设定|限制|约束|命令|prompt)"),
    re.compile(rf"{_IGNORE}.{{0,3}}(?:指令|提示词|系统提示|设定|限制|约束)"),
    re.compile(rf"{_SECRET}.*{_REVEAL}|{_REVEAL}.*{_SECRET}|你.{{0,6}}{_SECRET}|{_SECRET}.{{0,3}}是"),
    re.compile(rf"{_YOUR}.*{_REVEAL}|{_REVEAL}.*{_YOUR}"),
    re.compile(
        r"(?:扮演|假装|假设你是|现在你是|你现在是|你将成为|切换到|进入).{0,12}"
        r"(?:不受限制|没有限制|无限制|不受约束|没有约束|无约束|无审查|没有任何限制|不受任何限制|dan|越狱|邪恶)"
    ),
    re.compile(r"越狱|开发者模式|上帝模式|jailbreak|你(?:不再|不用|无需|不必)(?:遵守|遵循|受)"),
]
_INJECTION_EN = [
    re.compile(
        r"\b(?:ignore|disregard|forget|override|bypass|skip)\b.{0,40}\b(?:instructions?|prompts?|rules?|directions?|guidelines?)\b"
    ),
    re.compile(r"\bsystem\s*(?:prompt|message|instructions?)\b|\bdeveloper\s*mode\b|\bjail\s*-?break"),
    re.compile(
        r"\b(?:reveal|print|show|repeat|output|tell me|display|leak)\b.{0,40}\b(?:your|the)\b.{0,20}\b(?:instructions?|prompt|rules|guidelines)\b"
    ),
    re.compile(r"\byou are now\b|\bdo anything now\b|\bact as an? (?:unrestricted|unfiltered|uncensored)\b"),
]


def _is_injection(compact: str, spaced: str) -> bool:
    return any(rx.search(compact) for rx in _INJECTION_ZH) or any(rx.search(spaced) for rx in _INJECTION_EN)


# --- fabrication -----------------------------------------------------------------------------------
# Objects that are fabricated by definition when "made up" (a speech draft is not: 讲话稿 is drafting).
_HARD_OBJECT = (
    r"(?:讲话(?!稿|提纲)|原话|引语|语录|名言|金句|原文|发言(?!稿|提纲)|批示|指示|会议记录|记录|纪要|签名|签字|"
    r"数据|数字(?!化)|谣言|证明|票数|台账|考勤|出处|引文|公章|印章|档案)"
)
_SOFT_OBJECT = r"(?:材料|文件|通知|报告|案例|照片|成绩|事迹)"
_DECEIT = r"(?:假|应付|糊弄|充数|凑数|以假乱真|不存在|没开|没有开|没召开|没搞|没做|没有做|检查)"
_STRONG_FAKE = r"(?:编造|捏造|伪造|杜撰|虚构|瞎编|胡编|乱编|假造|造假|凭空编|凭空写|倒签|冒签|代签|冒名)"
# 编 as in "make up", not 编写/编制/汇编/编排/编辑/编印/编发/编纂/改编/编号/编码/编程/编队/编织/编者/编委
_WEAK_FAKE = (
    r"(?:(?<![汇改主新收选续总])编(?![写制排辑印发纂号码程队织者委组])|凑|(?<![打创建制改营塑缔构铸])造(?=[一几个些点份条])|"
    r"随便写|随便填|瞎写|瞎填|乱写|乱填)"
)
_CLAUSE = r"[^，。；！？,.;!?]"
_OBJECT = rf"{_CLAUSE}{{0,16}}?(?:{_HARD_OBJECT}|{_SOFT_OBJECT})"
# (pattern, weak): a weak match is drafting, not fabrication, when it is about a table or template
_FABRICATION = [
    (re.compile(_STRONG_FAKE), False),
    (re.compile(rf"(?:替|代替|代|冒充|模仿|仿){_CLAUSE}{{0,14}}?签(?:个|一下|上)?(?:名|字)"), False),
    (re.compile(r"(?:写|发|造|编)[^，。；！？]{0,6}谣言|造谣"), False),
    (re.compile(rf"{_WEAK_FAKE}{_CLAUSE}{{0,16}}?{_HARD_OBJECT}"), True),
    (
        re.compile(rf"(?:{_WEAK_FAKE}|补){_OBJECT}(?=.*{_DECEIT})|{_DECEIT}.*(?:{_WEAK_FAKE}|补){_OBJECT}"),
        True,
    ),
]
_DRAFTING = re.compile(r"表格|模板|格式|清单|目录|框架|提纲|方案")
_FABRICATION_EN = re.compile(
    r"\b(?:fabricate|make up|invent|fake|forge)\b.{0,30}\b(?:quotes?|speech|data|signatures?|records?|minutes)\b"
)
# A request *about* fabrication (how to prevent or punish it) is a legitimate question.
_LOCAL_NEGATION = re.compile(
    r"(?:防止|防范|杜绝|严禁|禁止|避免|识别|查处|打击|抵制|不得|不能|不要|不准|不许|整治|治理|惩治|没有)$"
)
_DISCUSSION = re.compile(
    r"有人|有的人|有些人|个别|某些|别人|怎么处理|如何处理|怎么办|如何应对|怎么应对|怎么管|如何管|处分|追责|问责|违纪|违规|违法|"
    r"现象|行为|属于|算不算|怎么发现|如何发现|如何防|怎么防"
)


def _is_fabrication(compact: str, spaced: str) -> bool:
    if _DISCUSSION.search(compact):
        return False
    if _FABRICATION_EN.search(spaced):
        return True
    for rx, weak in _FABRICATION:
        for m in rx.finditer(compact):
            if weak and _DRAFTING.search(m.group(0)):
                continue
            if not _LOCAL_NEGATION.search(compact[max(0, m.start() - 6) : m.start()]):
                return True
    return False


# --- scope (the lexicons live in answer/lexicon.py) ------------------------------------------------
STRONG_DOMAIN = 2.0  # one domain term of at least this weight keeps a request in scope
OFF_TOPIC_MIN = 2.0  # off-topic evidence needed before refusing at all
DOMINANCE = 2.5  # off-topic score must exceed the domain score this many times over
HISTORY_TURNS = 4
HISTORY_CAP = 2.0  # an in-domain conversation counts as (at most) one weak domain signal


def _score(compact: str, terms: dict[str, float]) -> tuple[float, float]:
    """(sum of weights, highest weight) of the lexicon terms found in ``compact``."""
    weights = [w for term, w in terms.items() if term in compact]
    return sum(weights), max(weights, default=0.0)


def off_topic_terms(request: str) -> list[str]:
    """The off-topic lexicon's words in ``request`` (an answer to an off-topic-looking question must
    speak of one of them, or it only shares a word such as 推荐 or 今天 with the question)."""
    compact = squash(request)
    found = {t: w for t, w in OFF_TOPIC_TERMS.items() if t in compact}
    strong = [t for t, w in found.items() if w >= OFF_TOPIC_MIN]  # 小说, not 推荐 or 好看
    return strong or list(found)


def off_topic_score(compact: str) -> float:
    total, _ = _score(compact, OFF_TOPIC_TERMS)
    return total + sum(w for rx, w in OFF_TOPIC_PATTERNS if rx.search(compact))


def _last_term(span: str) -> str | None:
    """The lexicon term ending last in ``span`` (the longest of those ending there): a Chinese noun
    phrase's head (单位食堂下周的菜单 -> 菜单; 井冈山红色旅游 -> 红色旅游)."""
    best: tuple[int, int, str] | None = None
    for term in lx.ASK_HEADS:
        end = span.rfind(term)
        if end >= 0 and (best is None or (end + len(term), len(term)) > best[:2]):
            best = (end + len(term), len(term), term)
    return best[2] if best else None


def _asks_off_topic(compact: str) -> bool:
    """Whether what the request asks for (each asking clause's head) is off topic, whatever work
    words say where or who: 帮我给机关食堂排一份菜单, 领导让我订机票. A question on how to handle
    a person (同事沉迷游戏怎么办) asks about that person, and a clause that asks nothing only sets the
    scene (组织党员去井冈山红色旅游，帮我排个行程: the setting is a topic word, weighed later)."""
    clauses = [c for c in lx.CLAUSE_BREAK.split(compact) if c]
    heads: list[str | None] = []
    for i, clause in enumerate(clauses):
        m = lx.ASK_MARKER.search(clause)
        if m is None:
            continue
        before, after = clause[: m.end()], clause[m.start() :]  # the marker may end a term (吃什么)
        first, then = (before, after) if m.group("q") else (after, before)
        head = _last_term(first) or _last_term(then)
        if m.group("q") and lx.HANDLING.match(clause, m.start()) and lx.PEOPLE.search(compact):
            if head not in lx.MEDICAL:  # how to handle a colleague, unless it is his child's fever
                return False
        if head is None and i and not lx.ASK_MARKER.search(clauses[i - 1]):
            head = _last_term(clauses[i - 1])  # 单位电脑连不上打印机，怎么设置？
        heads.append(head)
    if not heads and clauses:
        heads = [_last_term(compact)]  # no question word: an order (排一下单位下周的菜单)
    named = [h for h in heads if h is not None]
    return bool(named) and all(h in OFF_TOPIC_TERMS and h not in DOMAIN_TERMS for h in named)


def _topic_strength(compact: str) -> float:
    """The strongest domain word that names a topic rather than a setting (单位, 领导, 支部…): the
    words inside a longer domain word (支部 in 党支部) do not count on their own."""
    found = [t for t in DOMAIN_TERMS if t in compact]
    longer = found + [t for t in OFF_TOPIC_TERMS if t in compact]  # 志愿 in 高考志愿
    whole = [t for t in found if not any(t != u and t in u for u in longer)]
    return max((DOMAIN_TERMS[t] for t in whole if t not in lx.SETTING), default=0.0)


def _out_of_scope(compact: str, history: Sequence[str]) -> bool:
    off = off_topic_score(compact)
    chore = off > 1.0 and _asks_off_topic(compact)
    if off < OFF_TOPIC_MIN and not (chore and any(w in compact for w in lx.SETTING)):
        return False  # a chore in work words needs no more than its head (领导让我查航班)
    domain, strongest = _score(compact, DOMAIN_TERMS)
    if chore:  # only a topic word keeps it; a setting word or a named body does not
        if _topic_strength(compact) >= STRONG_DOMAIN:
            return False
        domain = 0.0
    elif strongest >= STRONG_DOMAIN or GOV_UNIT.search(compact):
        return False
    past = [squash(turn) for turn in history[-HISTORY_TURNS:]]
    domain += min(HISTORY_CAP, sum(_score(p, DOMAIN_TERMS)[0] for p in past))
    log.debug("scope: off=%.1f domain=%.1f", off, domain)
    return off >= DOMINANCE * domain


# a greeting, thanks or "who are you" with nothing else: welcomed with what the assistant does
_GREETING = re.compile(
    r"^(?:(?:你好|您好|嗨|哈喽|hello|hi|hey|在吗|在不在|早上好|上午好|下午好|晚上好|早安|晚安|谢谢|多谢|感谢|辛苦了|"
    r"你是谁|您是谁|你叫什么|你是什么|你是干什么的|你能做什么|你会什么|你能干什么|你有什么用|你能帮我做什么|"
    r"介绍一下你自己|介绍下你自己|自我介绍)(?:啊|呀|呢|吗|哈|了|的|一下)?[\s,，.。!！?？~～]*)+$"
)


def classify(request: str, history: Sequence[str] = ()) -> GuardDecision:
    """Decide whether a request may go on to retrieval, and if not, what to tell the user."""
    if _is_empty(request or ""):
        return GuardDecision("empty", EMPTY_MESSAGE)
    compact, english = squash(request), spaced(request)
    if _GREETING.match(compact.lower()):
        return GuardDecision("greeting", GREETING_MESSAGE)
    if _is_injection(compact, english):
        log.info("guard: refused a prompt-injection attempt")
        return GuardDecision("injection", INJECTION_MESSAGE)
    if _is_fabrication(compact, english):
        log.info("guard: refused a fabrication request")
        return GuardDecision("fabrication", FABRICATION_MESSAGE)
    if _out_of_scope(compact, history):
        log.info("guard: request out of scope")
        return GuardDecision("out_of_scope", OUT_OF_SCOPE_MESSAGE)
    return GuardDecision("ok", "")
