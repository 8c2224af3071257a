"""Structure-aware splitting of Chinese official documents into chunks with section paths.

Headings (``一、`` ``（一）`` ``1.`` ``（1）`` ``第X章`` ``第X条`` …, or levels the format marked) build a section
stack; body text is cut into sentences (。！？；) and packed into chunks that never cross a section and
never end mid-sentence. Chunk ids are stable: content hash plus position.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from sizheng_bot.text import clauses, heading_level, sentences
from sizheng_bot.text.headings import INLINE_HEADING
from sizheng_bot.types import Block, Chunk, Document

MAX_HEADING = 40
_FULL_STOPS = ("。", "！", "？", "；", "!", "?", ";")  # a numbered line ending so is a list item sentence
_ENDS = tuple("。！？；!?;…”’」』\"')）:：")


@dataclass(frozen=True)
class Sentence:
    text: str
    page: int | None
    start: int


def split_heading(line: str) -> tuple[str, str]:
    """Split ``（一）强化政治引领，做到思想同心。明确一个聚焦。…`` into (heading, rest)."""
    m = re.search(r"[。！？!?]", line)
    if m and m.start() <= MAX_HEADING:
        return line[: m.start()].strip(), line[m.end() :].strip()
    if len(line) <= MAX_HEADING:
        return line.strip(), ""
    # long line without an early sentence end: heading up to the first pause, text keeps the whole line
    m = re.search(r"[，,：:；;]", line)
    cut = m.start() if m and m.start() <= MAX_HEADING else MAX_HEADING
    return line[:cut].strip(), line


def _pieces(text: str, limit: int) -> list[str]:
    """Split an over-long sentence at pauses (，、：) so no piece exceeds ``limit`` much."""
    if len(text) <= limit:
        return [text]
    parts = clauses(text)
    out: list[str] = []
    cur = ""
    for p in parts:
        if cur and len(cur) + len(p) > limit:
            out.append(cur)
            cur = ""
        while len(p) > limit * 2:
            out.append(p[:limit])
            p = p[limit:]
        cur += p
    if cur:
        out.append(cur)
    return out


def _lines(blocks: list[Block]) -> Iterator[tuple[str, int | None, int | None, int]]:
    """(line, page, format_level, offset) for every non-empty line, inline headings broken out."""
    offset = 0
    for block in blocks:
        for raw in block.text.split("\n"):
            base = offset
            offset += len(raw) + 1
            if block.level is not None:
                if raw.strip():
                    yield raw.strip(), block.page, block.level, base
                continue
            pos = 0
            for piece in INLINE_HEADING.split(raw):
                if piece.strip():
                    yield piece.strip(), block.page, None, base + raw.find(piece, pos)
                pos += len(piece)


def split_document(doc: Document, chunk_size: int = 350, overlap: int = 0) -> list[Chunk]:
    """Cut a cleaned document into chunks carrying title and section path."""
    chunks: list[Chunk] = []
    stack: list[tuple[int, str]] = []
    pending: list[Sentence] = []

    def section() -> str:
        return " > ".join(h for _, h in stack)

    orphan: list[tuple[int, Sentence]] = []  # a bare heading line not yet followed by any body text

    def flush(next_level: int = 0) -> None:
        # a heading followed by a sibling, not by its own text or sub-headings, is a list item: keep its words
        if not pending and orphan and orphan[0][0] >= next_level:
            pending.append(orphan[0][1])
        orphan.clear()
        if pending:
            _pack(doc, pending, section(), chunk_size, overlap, chunks)
            pending.clear()

    for line, page, fmt_level, offset in _lines(doc.blocks):
        level = fmt_level if fmt_level is not None else heading_level(line)
        body = line
        if level is not None:
            head, rest = (line, "") if fmt_level is not None else split_heading(line)
            if head == doc.title.strip() and not stack and fmt_level is not None and level <= 1:
                continue
            flush(level)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, head))
            body = line if fmt_level is None else ""  # the heading sentence stays in the text it opens
            if not rest and fmt_level is None and len(line) <= MAX_HEADING and not line.endswith(_FULL_STOPS):
                body = ""  # a bare heading line: it lives in the section path only…
                orphan[:] = [(level, Sentence(line, page, offset))]  # …unless no body follows it
                continue
        if body:
            orphan.clear()
        if not body or (not stack and not pending and body == doc.title.strip()):
            continue  # the title line itself lives in the chunk metadata
        if pending and not pending[-1].text.endswith(_ENDS):
            last = pending[-1]  # a line without final punctuation (a caption, a name) must not run on
            pending[-1] = Sentence(last.text + "\n", last.page, last.start)
        cursor = offset
        for s in sentences(body):
            for piece in _pieces(s, chunk_size):
                pending.append(Sentence(piece, page, cursor))
                cursor += len(piece)
    flush()
    return chunks


def _pack(
    doc: Document, sents: list[Sentence], section: str, size: int, overlap: int, out: list[Chunk]
) -> None:
    i = 0
    n = len(sents)
    while i < n:
        j = i
        length = 0
        while j < n and (j == i or length + len(sents[j].text) <= size):
            length += len(sents[j].text)
            j += 1
        # avoid a tiny tail chunk: absorb it into this one if the result stays reasonable
        if n - j <= 1 and j < n and length + len(sents[j].text) <= size * 1.3:
            j = n
        text = "".join(s.text for s in sents[i:j]).strip()
        out.append(_make_chunk(doc, text, section, sents[i], sents[j - 1], len(out)))
        if j >= n:
            break
        i = max(j - overlap, i + 1) if overlap else j


def _make_chunk(doc: Document, text: str, section: str, first: Sentence, last: Sentence, pos: int) -> Chunk:
    content_hash = hashlib.sha1(text.encode("utf-8")).hexdigest()
    src_hash = hashlib.sha1(doc.source.encode("utf-8")).hexdigest()[:8]
    return Chunk(
        id=f"{src_hash}-{pos:05d}-{content_hash[:12]}",
        source=doc.source,
        title=doc.title,
        section=section,
        text=text,
        position=pos,
        page=first.page,
        start=first.start,
        end=last.start + len(last.text),
        content_hash=content_hash,
        ocr=first.page is not None and first.page in doc.ocr_pages,
    )
