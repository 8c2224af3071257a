"""Sentence and clause boundaries of Chinese prose.

A sentence ends at 。！？!?… (and, unless asked otherwise, at ；;); closing quotes and brackets and our
citation markers ``[n]`` stay with the sentence they close. ``sentence_spans`` returns pieces whose
concatenation is the input, so callers can cut verbatim; ``sentences`` returns them stripped.
"""

from __future__ import annotations

import re
from functools import lru_cache

CLOSERS = "”’」』\"')）》"
STRONG_ENDS = "。！？!?…"
SEMICOLONS = "；;"
PAUSES = "，、,：:"
_CLAUSE = re.compile(rf"(?<=[{PAUSES}])")


@lru_cache(maxsize=8)
def _pattern(semicolons: bool, newlines: bool) -> re.Pattern[str]:
    ends = STRONG_ENDS + (SEMICOLONS if semicolons else "") + ("\n" if newlines else "")
    return re.compile(rf"[^{ends}]*(?:[{ends}]+(?:[{re.escape(CLOSERS)}]|\[\d+\])*|$)")


def sentence_spans(
    text: str, *, semicolons: bool = True, newlines: bool = False, max_len: int | None = None
) -> list[str]:
    """Verbatim pieces, ``"".join(result) == text``.

    ``semicolons=False`` keeps ；-separated clauses together, except in a sentence longer than ``max_len``;
    ``newlines=True`` also ends a sentence at a line break.
    """
    out: list[str] = []
    for m in _pattern(semicolons, newlines).finditer(text):
        s = m.group(0)
        if not s:
            continue
        if not semicolons and max_len is not None and len(s) > max_len:
            out.extend(p for p in re.split(rf"(?<=[{SEMICOLONS}])", s) if p)
        else:
            out.append(s)
    return out


def sentences(text: str, *, semicolons: bool = True, newlines: bool = False, max_len: int | None = None) -> list[str]:
    """Non-empty sentences, stripped of surrounding whitespace."""
    spans = sentence_spans(text, semicolons=semicolons, newlines=newlines, max_len=max_len)
    return [s.strip() for s in spans if s.strip()]


def clauses(text: str) -> list[str]:
    """Verbatim pieces cut after pauses (，、：): for splitting an over-long sentence."""
    return [p for p in _CLAUSE.split(text) if p]


_NEXT_END = re.compile(rf"[{STRONG_ENDS.replace('…', '')}\n]|\.(?=\s|$)")


def next_sentence_end(text: str, pos: int = 0) -> int:
    """Index of the next full stop at or after ``pos`` (。！？!?, a line break, or ``.`` before a space or the
    end); ``len(text)`` when there is none. Ellipses and ；do not count: a quoted statement runs through them."""
    m = _NEXT_END.search(text, pos)
    return m.start() if m else len(text)


WRAP_MIN = 20  # a line this long that stops mid-sentence was wrapped by the page, not ended
_WRAP = re.compile(rf"(?<=[^{STRONG_ENDS}{SEMICOLONS}{PAUSES}{re.escape(CLOSERS)}|\s])\n(?=[^\s|])")


def unwrap(text: str) -> str:
    """Line breaks a page layout put inside a sentence removed ("…新时代党的建设总\\n要求…" -> "…总要求…").

    A break is joined when the line before is at least ``WRAP_MIN`` characters and stops mid-sentence and
    the next line does not open with a heading marker; short lines (a cover page, a form, table rows) stay.
    Only whitespace changes, so the result is the same text for every quote check.
    """
    if "\n" not in text:
        return text
    from sizheng_bot.text.headings import is_heading  # a sibling primitive; no cycle at import

    out = []
    start = 0
    for m in _WRAP.finditer(text):
        line = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
        if len(line.strip()) >= WRAP_MIN and "|" not in line and not is_heading(text[m.end() :]):
            out.append(text[start : m.start()])
            start = m.end()
    out.append(text[start:])
    return "".join(out)
