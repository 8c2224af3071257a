"""Offline composer: answers, 微党课 outlines and 活动方案 built only from retrieved passages.

Everything the composers copy from a passage is a verbatim unit of it (see ``select``); everything
else is fixed template text that quotes nothing and states no fact. ``CitationBook`` numbers the
passages in order of first use, so ``[n]`` in the text and ``Citation.n`` always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sizheng_bot.citations import label_of, numbered
from sizheng_bot.types import Citation, Hit, Status

BANNER = "> 离线摘编模式：以下内容摘编自知识库原文，未经大模型改写；[n] 为出处编号，可核对原文。"


class CitationBook:
    """Passages cited so far, numbered 1, 2, … in order of first citation."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self.hits: list[Hit] = []

    def cite(self, hit: Hit) -> str:
        n = self._numbers.get(hit.chunk_id)
        if n is None:
            self.hits.append(hit)
            n = self._numbers[hit.chunk_id] = len(self.hits)
        return f"[{n}]"

    def citations(self) -> list[Citation]:
        return [
            Citation(n, h.source, h.title, h.section, h.page, h.text, h.chunk_id, h.ocr)
            for n, h in enumerate(self.hits, 1)
        ]

    def source_lines(self) -> list[str]:
        return [f"- {numbered(n, label_of(h))}" for n, h in enumerate(self.hits, 1)]


@dataclass
class Draft:
    """What a composer returns; the pipeline turns it into a Result."""

    text: str
    status: Status
    citations: list[Citation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def finish(lines: list[str], book: CitationBook, sources_heading: str, status: Status = "answered") -> Draft:
    """Append the numbered sources section and package the draft."""
    if book.hits:
        lines += ["", f"## {sources_heading}", *book.source_lines()]
    return Draft("\n".join(lines).strip() + "\n", status, book.citations())
