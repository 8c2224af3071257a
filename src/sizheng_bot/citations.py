"""The one citation format and the one sources-section rule, used by compose, llm, export and the web page.

A citation reads ``[n] 文件名 · 章节路径 · 第N页`` (section and page only when known; ``第N页（OCR）`` when the
page's text came from OCR). A result's text ends with a sources section: a heading named like a sources
list (参考来源 / 参考资料 / 参考依据 …) followed by list lines ``- [n] …``. ``split_sources`` finds it and
keeps whatever a user typed after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from sizheng_bot.text.headings import strip_number
from sizheng_bot.types import page_label

SOURCES_HEADINGS = ("参考资料", "参考来源", "参考依据", "来源", "资料来源", "引用来源")
_HEADING_LINE = re.compile(r"^\s*(?:#{1,6}\s*|\*\*)?(.*?)(?:\*\*)?\s*$")
_FINAL_PUNCT = "。，；：、,.;:"
_SOURCE_ITEM = re.compile(r"^\s*(?:[-*+•]\s*|\d{1,2}[.、．]\s*)?\[\d{1,3}\]")


def label(source: str, section: str = "", page: int | None = None, *, ocr: bool = False, title: str = "") -> str:
    """``文件名 · 章节路径 · 第N页`` — where a passage comes from."""
    parts = [source or title or "未知来源"]
    if section.strip():
        parts.append(section.strip())
    if page is not None:
        parts.append(page_label(page, ocr))
    return " · ".join(parts)


class _Located(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def section(self) -> str: ...
    @property
    def page(self) -> int | None: ...
    @property
    def ocr(self) -> bool: ...


def label_of(item: _Located) -> str:
    """:func:`label` of a Hit or a Citation (anything with source, title, section, page, ocr)."""
    return label(item.source, item.section, item.page, ocr=item.ocr, title=item.title)


def numbered(n: int, where: str) -> str:
    """``[n] …``: a label with its citation number."""
    return f"[{n}] {where}"


def is_sources_heading(line: str) -> bool:
    """True for a heading line that opens a sources list (``## 参考资料``, ``**参考来源：**``, ``四、参考依据``)."""
    m = _HEADING_LINE.match(line)
    name = m.group(1) if m else line
    name = strip_number(name.replace("*", "").strip()).strip().rstrip(_FINAL_PUNCT + "：")
    return name in SOURCES_HEADINGS


def drop_model_sources(text: str) -> str:
    """A model reply without the sources list it wrote itself: everything from its last Markdown sources
    heading (``## 参考资料`` …) to the end goes (we append our own list of the passages actually cited)."""
    lines = text.splitlines(keepends=True)
    for i in range(len(lines) - 1, 0, -1):  # a reply that is nothing but a heading keeps it
        if lines[i].lstrip().startswith("#") and is_sources_heading(lines[i]):
            return "".join(lines[:i])
    return text


def is_source_item(line: str) -> bool:
    """A line of a sources list: ``- [n] 文件名 · …`` (bullets or numbers before the marker allowed)."""
    return bool(_SOURCE_ITEM.match(line))


@dataclass(frozen=True)
class SplitText:
    """A result's text cut around its sources section: ``body + sources + after`` is the whole text."""

    body: str
    sources: str
    after: str

    @property
    def without_sources(self) -> str:
        """The text with the sources list removed and anything written after it kept."""
        tail = self.after.strip("\n")
        return self.body.rstrip() + ("\n\n" + tail if tail.strip() else "")


def split_sources(text: str) -> SplitText:
    """The last sources section (heading plus its list lines); text after the list stays in ``after``."""
    lines = text.splitlines(keepends=True)
    for i in range(len(lines) - 1, -1, -1):
        if not is_sources_heading(lines[i]) or not lines[i].strip():
            continue
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or is_source_item(lines[j])):
            j += 1
        # trailing blank lines belong to what follows, not to the list
        while j > i + 1 and not lines[j - 1].strip():
            j -= 1
        return SplitText("".join(lines[:i]), "".join(lines[i:j]), "".join(lines[j:]))
    return SplitText(text, "", "")
