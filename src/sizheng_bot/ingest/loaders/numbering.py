"""Word automatic numbering (一、 1. （一） ①) rendered as text, as Word shows it.

python-docx gives a paragraph's text without its list label; documents converted from .doc/.wps and
many Word files carry their "一、" headings only as numbering. We follow numbering.xml: each w:num
points at an abstractNum whose levels give start, numFmt and lvlText ("%1、"); counters run per list
and reset deeper levels when a shallower one advances.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DIGITS = "零一二三四五六七八九"
_TRAD = "甲乙丙丁戊己庚辛壬癸"
_ZODIAC = "子丑寅卯辰巳午未申酉戌亥"


def _chinese(n: int) -> str:
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if not tens:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):  # fmt: skip
        while n >= value:
            out, n = out + sym, n - value
    return out


def _letter(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "taiwaneseCounting"):
        return _chinese(n)
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _TRAD[n - 1]
    if fmt == "ideographZodiac" and 1 <= n <= 12:
        return _ZODIAC[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "upperLetter":
        return _letter(n)
    if fmt == "lowerLetter":
        return _letter(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


def _val(el: Any, tag: str) -> str | None:
    child = el.find(_W + tag) if el is not None else None
    return child.get(_W + "val") if child is not None else None


class Numbering:
    """Labels for the numbered paragraphs of one document, in body order (stateful: call in order)."""

    def __init__(self, document: Any) -> None:
        self._levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # numId -> ilvl -> (start, fmt, text)
        self._counters: dict[str, list[int]] = {}
        self._key: dict[str, str] = {}  # numId -> counter: lists of one abstractNum continue unless restarted
        try:
            root = document.part.numbering_part.element
        except Exception:  # no numbering part
            return
        abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        for an in root.iter(_W + "abstractNum"):
            levels = {}
            for lvl in an.iter(_W + "lvl"):
                ilvl = int(lvl.get(_W + "ilvl", "0"))
                levels[ilvl] = (
                    int(_val(lvl, "start") or 1),
                    _val(lvl, "numFmt") or "decimal",
                    _val(lvl, "lvlText") or "",
                )
            abstract[an.get(_W + "abstractNumId", "")] = levels
        for num in root.iter(_W + "num"):
            abstract_id = _val(num, "abstractNumId") or ""
            levels = dict(abstract.get(abstract_id, {}))
            num_id = num.get(_W + "numId", "")
            self._key[num_id] = "a" + abstract_id
            for ov in num.iter(_W + "lvlOverride"):
                ilvl = int(ov.get(_W + "ilvl", "0"))
                start = _val(ov, "startOverride")
                if start is not None and ilvl in levels:
                    levels[ilvl] = (int(start), *levels[ilvl][1:])
                    self._key[num_id] = "n" + num_id  # a restarted list counts on its own
            self._levels[num_id] = levels
        self._styles = document.styles

    def _num_pr(self, paragraph: Any) -> tuple[str, int] | None:
        ppr = paragraph._p.pPr
        num_pr = ppr.find(_W + "numPr") if ppr is not None else None
        style = paragraph.style
        for _ in range(4):
            if num_pr is not None:
                break
            if style is None:
                return None
            sppr = style.element.find(_W + "pPr")
            num_pr = sppr.find(_W + "numPr") if sppr is not None else None
            style = style.base_style
        if num_pr is None:
            return None
        num_id = _val(num_pr, "numId")
        if not num_id or num_id == "0":
            return None
        return num_id, int(_val(num_pr, "ilvl") or 0)

    def label(self, paragraph: Any) -> str:
        if not self._levels:
            return ""
        found = self._num_pr(paragraph)
        if found is None:
            return ""
        num_id, ilvl = found
        levels = self._levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self._counters.setdefault(self._key.get(num_id, num_id), [0] * 10)
        start, fmt, text = levels[ilvl]
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        for deeper in range(ilvl + 1, 10):
            counters[deeper] = 0
        if fmt in ("bullet", "none"):
            return ""
        out = text
        for i in range(ilvl, -1, -1):
            if f"%{i + 1}" in out:
                lv = levels.get(i, (1, "decimal", ""))
                out = out.replace(f"%{i + 1}", format_number(counters[i] or lv[0], lv[1]))
        return out.strip()
