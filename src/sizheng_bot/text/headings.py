"""The heading grammar of Chinese official documents: 第X编/章/节/条, 一、 （一） 1. （1） ①."""

from __future__ import annotations

import re

CN_DIGITS = "一二三四五六七八九十百零〇"
_N = CN_DIGITS
# (pattern, level, item). Order matters: first match wins. An item marker numbers the points of a list, and
# inside an article (第X条) those points are the article's children (条 > 款 > 项), whatever their usual level.
HEADING_PATTERNS: list[tuple[re.Pattern[str], int, bool]] = [
    (re.compile(rf"^第[{_N}\d]+[编部篇]分?"), 1, False),
    (re.compile(rf"^第[{_N}\d]+章"), 1, False),
    (re.compile(rf"^[{_N}]+\s*、"), 1, False),
    (re.compile(rf"^第[{_N}\d]+节"), 2, False),
    (re.compile(rf"^[（(]\s*[{_N}]+\s*[）)]"), 2, True),
    (re.compile(rf"^第[{_N}\d]+条"), 3, False),
    (re.compile(r"^\d{1,2}\s*[.．、](?!\d)"), 3, True),
    (re.compile(r"^[（(]\s*\d{1,2}\s*[）)]"), 4, True),
    (re.compile(r"^[①-⑳]"), 4, True),
]
ARTICLE = re.compile(rf"^第[{_N}\d]+条")
# The marker of a list's first point: 1. 1、 （1） （一） 一、 ① — a numbering that starts (again) here.
_FIRST_POINT = re.compile(r"^(?:1\s*[.．、](?!\d)|[（(]\s*[1一]\s*[）)]|一\s*、|①)")
_ARTICLE_LEVEL = 3


# The heading a spreadsheet's rows stand under (第3–7行): where they are, not what they say
ROW_LABEL = re.compile(r"(?:\s*>\s*)?第\d+(?:–\d+)?行(?=\s*>|$)")


def row_label(first: int, last: int) -> str:
    return f"第{first}行" if first == last else f"第{first}–{last}行"


def named_section(section: str) -> str:
    """A section as a reader names it: a row label (工作日历 > 第3–7行) names nothing."""
    return ROW_LABEL.sub("", section)


# A heading marker right after a sentence end inside one line (PDF/web extraction runs paragraphs together).
INLINE_HEADING = re.compile(rf"(?<=[。！？；!?;])\s*(?=(?:[{_N}]+、|[（(][{_N}]+[）)]|第[{_N}]+[章节条]))")


# The numbering marker a heading starts with (一、 （一） 1. 1、), for comparing heading names.
_NUMBER_PREFIX = re.compile(rf"^(?:[{_N}]+\s*、|[（(]\s*[{_N}]+\s*[）)]|\d{{1,2}}\s*[.．、](?!\d))\s*")


# Any heading marker a line or a sentence opens with, the article number 第X条 included.
_ANY_MARKER = re.compile(
    rf"^\s*(?:第[{_N}\d]+[编部篇章节条]|[{_N}]+\s*、|[（(]\s*[{_N}\d]+\s*[）)]|\d{{1,2}}\s*[.．、](?!\d)|[①-⑳])\s*"
)


# The marker a numbered point opens with (第七条 一、 （一） （1） 1. 1、 ①), and where a point starts inside a
# passage: at its start or after a sentence end or a line break.
POINT_MARKER = rf"第[{_N}\d]+条|[{_N}]+\s*、|[（(]\s*[{_N}\d]+\s*[）)]|\d{{1,2}}\s*[.．、](?!\d)|[①-⑳]"
_POINT_START = re.compile(rf"(?:^|(?<=[。！？；!?;\n]))\s*(?={POINT_MARKER})")


def point_at(text: str, pos: int) -> str:
    """The numbered point of ``text`` that holds offset ``pos`` ("6、经上届委员会推举……。" of a passage listing
    1、 to 6、); the whole text when it numbers no points. Chunking packs short points together, so what a
    sentence stands in is its point, not the chunk."""
    starts = [m.start() for m in _POINT_START.finditer(text)]
    begin = max((s for s in starts if s <= pos), default=0)
    end = min((s for s in starts if s > pos), default=len(text))
    return text[begin:end]


def opens_list(line: str) -> bool:
    """True when a line is the first point of a numbered list ("1、新增……", "（一）核实认定")."""
    return bool(_FIRST_POINT.match(line.strip()))


def strip_marker(text: str) -> str:
    """The text after its heading marker: "第十三条坚持严管…" -> "坚持严管…", "（一）核实认定" -> "核实认定"."""
    return _ANY_MARKER.sub("", text, count=1)


def strip_number(heading: str) -> str:
    """The heading's name without its numbering marker: "四、参考依据" -> "参考依据", "（二）要求" -> "要求"."""
    return _NUMBER_PREFIX.sub("", heading)


def heading_level(line: str, in_article: bool = False) -> int | None:
    """1 for 第X章/一、, 2 for 第X节/（一）, 3 for 第X条/1., 4 for （1）/①; None for body text.

    ``in_article``: the line follows a 第X条 heading, so an item marker (（一） 1. （1） ①) opens one of its points
    and ranks below it: "第七条……按照以下程序进行：" then "（一）核实认定" nests, where （一） would otherwise close it.
    """
    for pattern, level, item in HEADING_PATTERNS:
        if pattern.match(line):
            return _ARTICLE_LEVEL + level - 1 if in_article and item else level
    return None


def is_heading(line: str) -> bool:
    """True when a line starts with a heading marker (一、 （一） 1. 第X章 …)."""
    return heading_level(line.strip()) is not None
