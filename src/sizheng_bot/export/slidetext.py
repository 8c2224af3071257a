"""The text of slides: a point's key sentence for the screen, the whole point and its sources for the notes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sizheng_bot.export.parse import citation_line, clean, plain
from sizheng_bot.text import clauses, display_width, sentence_spans
from sizheng_bot.types import Citation

KEY_CHARS = 40.0  # display width of a point on a slide


@dataclass(frozen=True)
class Item:
    """One paragraph of a slide body; ``text`` may carry ``**bold**``."""

    text: str
    level: int = 0
    bullet: bool = True
    bold: bool = False
    hang: bool = False  # a continuation: no bullet, but aligned with the bullet text above
    full: str = ""  # the point's whole text when the slide shows only its key sentence


_MARKER = re.compile(r"\s*\[(\d{1,3})\]")


def key_sentence(text: str, limit: float = KEY_CHARS) -> str:
    """The point's first sentence without its [n] markers, cut at a clause boundary (or hard, with ……)
    when wider than ``limit``; nothing is reworded."""
    flat = _MARKER.sub("", plain(text)).strip()
    first = next((p for p in sentence_spans(flat) if p.strip()), flat).strip()
    if display_width(first) <= limit:
        return first if first == flat else first.rstrip("；;，,") + ("" if first[-1:] in "。！？!?" else "……")
    head = ""
    for clause in clauses(first):
        if display_width(head + clause) > limit:
            break
        head += clause
    if display_width(head) < limit / 2:  # no useful clause boundary: a hard cut
        head = ""
        for ch in first:
            if display_width(head + ch) > limit - 2:
                break
            head += ch
    return head.rstrip("，、：,: ") + "……"


def point(text: str, level: int, bullet: bool) -> Item:
    key = key_sentence(text)
    full = _MARKER.sub("", plain(text)).strip()
    return Item(key, level, bullet, full=text if key != full or _MARKER.search(text) else "")


def short_citation(c: Citation, limit: float = 56.0) -> str:
    """``[n] 文件 · 章节 · 第N页`` for the slide, the section cut to keep the line short."""
    line = citation_line(c)
    if display_width(line) <= limit:
        return line
    base = f"[{c.n}] {c.source or c.title}" + (f" · 第{c.page}页" if c.page is not None else "")
    if display_width(base) > limit - 4 or not c.section.strip():
        return key_sentence(base, limit) if display_width(base) > limit else base
    room, sec = limit - display_width(base) - 3, ""
    for ch in c.section.strip().split(" > ")[-1]:
        if display_width(sec + ch) > room - 2:
            sec += "……"
            break
        sec += ch
    return f"[{c.n}] {c.source or c.title} · {sec}" + (f" · 第{c.page}页" if c.page is not None else "")


def slide_notes(page: list[Item], cites: dict[int, Citation]) -> str:
    """Speaker notes for a slide: each point in full, then the passages its [n] markers cite."""
    lines: list[str] = []
    used: list[int] = []
    for item in page:
        text = item.full or item.text
        lines.append(("· " if item.bullet else "") + clean(plain(text)))
        for m in _MARKER.finditer(text):
            n = int(m.group(1))
            if n in cites and n not in used:
                used.append(n)
    for n in used:
        c = cites[n]
        lines.append(f"\n{citation_line(c)}\n原文：{c.quote.strip()}")
    return "\n".join(lines).strip()
