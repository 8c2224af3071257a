"""The key terms of a question part and what the knowledge base says about them.

Key terms are content words (longest forms, question scaffolding dropped) weighted by rarity in the
KB. A term the KB never uses is a *subject* (a noun: 人事档案, 量子, 党费), an *everyday word* of
another kind (合适, 除了: its absence says little) or a tokenizer *artifact* (来谈: says nothing).
Names the question relies on (quoted terms, 《titles》, numbers, offices, places) are checked apart.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from sizheng_bot.answer import detectors
from sizheng_bot.compose.kbview import KBView
from sizheng_bot.retrieval.analyzer import Analyzer
from sizheng_bot.text import affirmed, squash

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
    "布局",
    "大局",
    "全局",
    "格局",
    "当局",
    "结局",
}
# question scaffolding: asks for a kind of specific, says nothing about the subject
_SCAFFOLD = set(
    """具体 分别 各项 各自 哪些 哪几 多少 多久 多长 多长时间 时间 时候 什么时候 期限 日期 一般 一次 一回 几次 几年 几天
    几个月 几名 几位 几项 几条 几种 几步 哪几步 分哪几步 是否 是不是 有没有 要求 规定 应该 需要 必须 可以 主要 内容 方面 怎么弄 怎么办 咋办 哪里
    哪儿 哪天 哪年 哪个 哪位 谁 由谁 最晚 最迟 至少 到底 究竟 大概 左右 这次 那次 这份 那份 这块 那块 里面 里头 当中 之前
    之后 以后 以前 开始 算起 从哪 为什么 原因 什么 啥 咋 怎样 如何 怎么 办法 做法 措施 提到 写的 写了 说的 说了 讲的 提了
    提出 是什么 情况 一下 我们 咱们 本单位 单位 有关 相关 关于 不要 要不要 好不好 不是 没有 不能 能不能 哪几个 哪几点 几点
    那篇 这篇 那个 有个 那份 里说 里讲 中说 报告里 文件里 一共 总共 共有 怎么做 怎么搞 咋做 咋搞 怎么弄 咋弄 那么 那具体""".split()
)


# scaffolding that asks (多长时间, 哪几个, 是不是): masked out of the question before it is cut into words,
# so the tokenizer cannot leave a fragment of it behind as a content word (多长时间 -> 多 / 长时间)
_INTERROGATIVE = re.compile(r"多(?:少|久|长)|几|哪|什么|怎|咋|啥|谁|如何|为什么|是否|有没有|(.)[不没]\1")
_ASKING = sorted((w for w in _SCAFFOLD if len(w) >= 2 and _INTERROGATIVE.search(w)), key=len, reverse=True)


# 第一次写党课记录 / 头一回主持: the asker's first time, not a document's 第一次全体会议
_FIRST_TIME = re.compile(r"(?:第一次|头一回|头一次|首次)(?=[写做当搞参组主开讲带负接上填办弄起])")


def _without_asking(text: str) -> str:
    text = _FIRST_TIME.sub("，", affirmed(text))  # 算不算数 asks about 算数
    for phrase in _ASKING:
        if phrase in text:
            text = text.replace(phrase, "，")
    return text


_ITEM_COUNT = re.compile(r"[一二两三四五六七八九十\d]+(?:条|项|个|点|种|步|类|句|件|方面)")
# 用什么笔 / 奏什么歌 / 领几张票: the one-character noun a question asks for is a key term (笔 in 钢笔)
_ASKED_HEAD = re.compile(r"(?:什么|啥|哪种|哪一种|哪类|几[张支首份本个])([\u4e00-\u9fff])([\u4e00-\u9fff]?)")
_NOT_HEAD = set("人事时样话地点儿")


def key_terms(text: str, analyzer: Analyzer, kb: KBView) -> dict[str, float]:
    """Content words of ``text`` (longest forms, no scaffolding) weighted by rarity in the KB, and the
    one-character noun it asks for (什么笔: 笔, which a passage says as 钢笔、签字笔)."""
    freq = analyzer.tokenizer.FREQ
    cut = (
        _unglued(w[1:] if len(w) >= 3 and w[0] in "哪几啥" else w, freq)
        for w in analyzer.words(_without_asking(text))
    )
    words = [  # 哪五问 -> 五问; 哪三条 asks, 三条 says nothing
        w
        for w in cut
        if (len(w) >= 2 or w.isdigit())
        and w not in _SCAFFOLD
        and not _asks(w)
        and not _ITEM_COUNT.fullmatch(w)
    ]
    quoted = [squash(n) for n in _quoted(text)]
    words = [
        w
        for w in dict.fromkeys(words + quoted)
        if w in quoted or not any(w != o and w in o for o in words + quoted)
    ]
    words += [
        m.group(1)
        for m in _ASKED_HEAD.finditer(text)
        if m.group(1) not in _NOT_HEAD
        and _tags(analyzer).get(m.group(1), "").startswith("n")
        and not (m.group(2) and freq.get(m.group(1) + m.group(2)))  # 什么方式: 方 is part of a word
    ]
    intro = _INTRO.match(text)
    rest = text[intro.end() :] if intro else text
    return {
        w: (0.3 + math.log(1.0 / max(kb.df(w), 0.02))) * (INTRO_WEIGHT if intro and w not in rest else 1.0)
        for w in words
    }


# 我是支部组织委员，… / 我刚当上党小组组长，…: who asks, not what is asked about
_INTRO = re.compile(r"^(?:我|本人)(?:是|刚当上|刚当|刚任|当了|作为|现任|刚接手)[^，,。？?！!]{1,20}[，,]")
INTRO_WEIGHT = 0.3


_GLUED_HEAD = set("在是和与把被从对给让上")
_GLUED_TAIL = set("在上里中是了的和")


def _unglued(word: str, freq: dict[str, int]) -> str:
    """A word the tokenizer coined by gluing a function character on (校委在, 上多选, 那篇里) without it."""
    if len(word) < 3 or freq.get(word):
        return word
    if word[-1] in _GLUED_TAIL:
        return word[:-1]
    if word[0] in _GLUED_HEAD:
        return word[1:]
    return word


def _quoted(text: str) -> list[str]:
    """The names a question quotes; a quoted list (“双随机、双向通报”) is its names, each on its own."""
    return [n for m in _QUOTED.finditer(text) for n in re.split(r"[、，,；;]", m.group(1)) if len(n.strip()) >= 2]


def _asks(word: str) -> bool:
    """A word that is itself the ask (由谁来, 多少人, 多大比例): scaffolding, not subject."""
    for k in detectors.KINDS:
        if (
            k.name in detectors.SPECIFIC
            and (m := k.ask.search(word))
            and 2 * (m.end() - m.start()) >= len(word)
        ):
            return True
    return False


_TAGS: dict[int, dict[str, str]] = {}
_FUNCTION = re.compile(r"^[要的了是在有把被让给和与就都也还又才从对]|[要的了是在有把被让给和与就都也还又才]$")
_SUBJECT_TAGS = ("n", "vn", "l", "an", "eng")


def _tags(analyzer: Analyzer) -> dict[str, str]:
    """jieba's part-of-speech table for the analyzer's dictionary (loaded once)."""
    tk = analyzer.tokenizer
    if id(tk) not in _TAGS:
        import jieba.posseg

        _TAGS[id(tk)] = jieba.posseg.POSTokenizer(tk).word_tag_tab
    return _TAGS[id(tk)]


def unknown_kind(term: str, analyzer: Analyzer) -> Literal["specific", "generic", "artifact"]:
    """A term the KB never uses: a subject (a noun: 人事档案, 量子, 党费), an everyday word of
    another kind (合适, 除了, 提法: its absence says little), or a cut of the tokenizer that is no
    word at all (来谈, 要记: says nothing)."""
    if term.isdigit() or term in synonym_words(analyzer):
        return "specific"
    tag = _tags(analyzer).get(term)
    if tag is None:  # a new word of the tokenizer's own: 一人要, 来谈 are cuts, 师资费 a word
        return "artifact" if len(term) <= 2 or _FUNCTION.search(term) else "specific"
    return "specific" if tag.startswith(_SUBJECT_TAGS) else "generic"


_FORMS: dict[tuple[int, str], list[str]] = {}
_SYNONYM_WORDS: dict[int, set[str]] = {}


def forms(term: str, analyzer: Analyzer) -> list[str]:
    """The term and its synonyms, squashed (a synonym in the passage covers the term); cached."""
    key = (id(analyzer.synonyms), term)
    if key not in _FORMS:
        if len(_FORMS) > 50000:
            _FORMS.clear()
        syn = (squash(x) for x in analyzer.synonyms.expansions(term) if len(x) >= 2)
        _FORMS[key] = [squash(term), *syn]
    return _FORMS[key]


def synonym_words(analyzer: Analyzer) -> set[str]:
    key = id(analyzer.synonyms)
    if key not in _SYNONYM_WORDS:
        _SYNONYM_WORDS[key] = analyzer.synonyms.words()
    return _SYNONYM_WORDS[key]


def warm_up(analyzer: Analyzer) -> None:
    """Load the part-of-speech table now rather than on the first question that needs it."""
    _tags(analyzer)


def missing_names(text: str, analyzer: Analyzer, kb: KBView) -> list[str]:
    names = _quoted(text)
    names += [m.group(1) for m in _TITLE.finditer(text)]
    names += [m.group(0) for m in _DIGITS.finditer(text)]
    names += [w for w in analyzer.words(text) if _ENTITY.match(w) and w not in _NOT_ENTITY]
    return [clean(n) for n in dict.fromkeys(names) if not any(kb.contains(f) for f in _written(n))]


def _written(name: str) -> list[str]:
    """A name and, for a year-like number, its Chinese-numeral spellings (2035 -> 二〇三五)."""
    if not name.isdigit() or len(name) != 4:
        return [name]
    return [
        name,
        *("".join(zero if c == "0" else "一二三四五六七八九"[int(c) - 1] for c in name) for zero in "〇零"),
    ]


def clean(text: str) -> str:
    """User text echoed in a message: no quotation marks or titles that would read as quotations."""
    return re.sub(r"[“”\"「」『』‘’《》]", "", text).strip()
