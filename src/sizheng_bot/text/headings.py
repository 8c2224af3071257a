"""The heading grammar of Chinese official documents: 第X编/章/节/条, 一、 （一） 1. （1） ①."""

from __future__ import annotations

import re

CN_DIGITS = "一二三四五六七八九十百零〇"
_N = CN_DIGITS
# (pattern, level). Order matters: first match wins.
HEADING_PATTERNS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(rf"^第[{_N}\d]+[编部篇]分?"), 1),
    (re.compile(rf"^第[{_N}\d]+章"), 1),
    (re.compile(rf"^[{_N}]+\s*、"), 1),
    (re.compile(rf"^第[{_N}\d]+节"), 2),
    (re.compile(rf"^[（(]\s*[{_N}]+\s*[）)]"), 2),
    (re.compile(rf"^第[{_N}\d]+条"), 3),
    (re.compile(r"^\d{1,2}\s*[.．、](?!\d)"), 3),
    (re.compile(r"^[（(]\s*\d{1,2}\s*[）)]"), 4),
    (re.compile(r"^[①-⑳]"), 4),
]
# A heading marker right after a sentence end inside one line (PDF/web extraction runs paragraphs together).
INLINE_HEADING = re.compile(rf"(?<=[。！？；!?;])\s*(?=(?:[{_N}]+、|[（(][{_N}]+[）)]|第[{_N}]+[章节条]))")


# The numbering marker a heading starts with (一、 （一） 1. 1、), for comparing heading names.
_NUMBER_PREFIX = re.compile(rf"^(?:[{_N}]+\s*、|[（(]\s*[{_N}]+\s*[）)]|\d{{1,2}}\s*[.．、](?!\d))\s*")


# Any heading marker a line or a sentence opens with, the article number 第X条 included.
_ANY_MARKER = re.compile(
    rf"^\s*(?:第[{_N}\d]+[编部篇章节条]|[{_N}]+\s*、|[（(]\s*[{_N}\d]+\s*[）)]|\d{{1,2}}\s*[.．、](?!\d)|[①-⑳])\s*"
)


def strip_marker(text: str) -> str:
    """The text after its heading marker: "第十三条坚持严管…" -> "坚持严管…", "（一）核实认定" -> "核实认定"."""
    return _ANY_MARKER.sub("", text, count=1)


def strip_number(heading: str) -> str:
    """The heading's name without its numbering marker: "四、参考依据" -> "参考依据", "（二）要求" -> "要求"."""
    return _NUMBER_PREFIX.sub("", heading)


def heading_level(line: str) -> int | None:
    """1 for 第X章/一、, 2 for 第X节/（一）, 3 for 第X条/1., 4 for （1）/①; None for body text."""
    for pattern, level in HEADING_PATTERNS:
        if pattern.match(line):
            return level
    return None


def is_heading(line: str) -> bool:
    """True when a line starts with a heading marker (一、 （一） 1. 第X章 …)."""
    return heading_level(line.strip()) is not None
