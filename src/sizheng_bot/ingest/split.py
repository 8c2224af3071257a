"""Structure-aware splitting of Chinese official documents into chunks with section paths.

Headings (``一、`` ``（一）`` ``1.`` ``（1）`` ``第X章`` ``第X条`` …, or levels the format marked) build a section
stack (an article's points — 第七条 then （一）（二） — nest under it); body text is cut into sentences (。！？；)
and packed into chunks that never end mid-sentence and cross no section, except that short numbered points
are packed together under the heading they share (a list is one passage, not a chunk per point). Chunk ids
are stable: content hash plus position.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from sizheng_bot.text import clauses, heading_level, sentences
from sizheng_bot.text.headings import ARTICLE, INLINE_HEADING, opens_list
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


@dataclass
class _Head:
    level: float
    text: str
    item: bool  # numbered by the text itself (一、 （一） 1. 第X条 …), not marked by the format's styles
    article: bool = False  # 第X条: its item markers nest under it
    bare: Sentence | None = None  # the heading line when it lives in the section path only, not in a text


@dataclass
class _Piece:
    """One section's run of sentences, before small sibling sections are packed together."""

    heads: tuple[_Head, ...]
    sents: list[Sentence]

    @property
    def size(self) -> int:
        return sum(len(s.text) for s in self.sents)


def split_document(doc: Document, chunk_size: int = 350, overlap: int = 0) -> list[Chunk]:
    """Cut a cleaned document into chunks carrying title and section path."""
    pieces: list[_Piece] = []
    stack: list[_Head] = []
    pending: list[Sentence] = []
    orphan: list[tuple[float, Sentence]] = []  # a bare heading line not yet followed by any body text

    def flush(next_level: float = 0) -> None:
        # a heading followed by a sibling, not by its own text or sub-headings, is a list item: keep its words
        if not pending and orphan and orphan[0][0] >= next_level:
            pending.append(orphan[0][1])
            stack[-1].bare = None
        orphan.clear()
        if pending:
            pieces.append(_Piece(tuple(stack), list(pending)))
            pending.clear()

    lines = list(_lines(doc.blocks))
    for n, (line, page, fmt_level, offset) in enumerate(lines):
        in_article = any(h.article for h in stack)
        level: float | None = fmt_level if fmt_level is not None else heading_level(line, in_article)
        if level is None and n + 1 < len(lines) and (label := _label_level(line, lines[n + 1], in_article)):
            level = label  # "8月更新" then "1、编写……": the short line names the list that starts below it
        body = line
        if level is not None:
            head, rest = (line, "") if fmt_level is not None else split_heading(line)
            if head == doc.title.strip() and not stack and fmt_level is not None and level <= 1:
                continue
            flush(level)
            while stack and stack[-1].level >= level:
                stack.pop()
            numbered = fmt_level is None
            stack.append(_Head(level, head, numbered, numbered and bool(ARTICLE.match(line))))
            body = line if fmt_level is None else ""  # the heading sentence stays in the text it opens
            if not rest and fmt_level is None and len(line) <= MAX_HEADING and not line.endswith(_FULL_STOPS):
                body = ""  # a bare heading line: it lives in the section path only…
                orphan[:] = [(level, Sentence(line, page, offset))]  # …unless no body follows it
                stack[-1].bare = orphan[0][1]
                continue
            if fmt_level is not None:
                stack[-1].bare = Sentence(line, page, offset)
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
    chunks: list[Chunk] = []
    for heads, sents in _packed(pieces, chunk_size):
        _pack(doc, sents, " > ".join(h.text for h in heads), chunk_size, overlap, chunks)
    return chunks


LABEL_MAX = 16  # a line this short, unpunctuated or ending in a colon, right above a list's first point labels it


def _label_level(line: str, nxt: tuple[str, int | None, int | None, int], in_article: bool) -> float | None:
    """The level of a short unpunctuated line that names the numbered list starting on the next line: just
    above its points, so it closes the previous label's list and stays under the document's headings."""
    text, _, fmt_level, _ = nxt
    ends = line.endswith(_ENDS) and not line.endswith(("：", ":"))  # "说明：" then "1．…" labels its list too
    if fmt_level is not None or len(line) > LABEL_MAX or ends or "|" in line:
        return None
    point = heading_level(text, in_article)
    return point - 0.5 if point is not None and opens_list(text) else None


POINT_LEVEL = 3  # 1. and below: the points of a list rather than a document's sections
SMALL = 0.5  # a section under this share of the chunk size is a list item's worth of text


def _packed(pieces: list[_Piece], size: int) -> Iterator[tuple[tuple[_Head, ...], list[Sentence]]]:
    """Consecutive small sections of numbered points packed into one chunk under the heading they share.

    Real documents number their points (1.…。 2.…。 or 第七条……程序如下： （一）…（二）…) and each point would
    otherwise be a chunk of a sentence or two: too little for retrieval to match a question's words and cut off
    from the list it belongs to. A point joins the run before it when both are small, it is numbered by the text
    (not a styled heading or a table's rows), and it is below the run's first section or a sibling of it under a
    heading they share. An article (第X条) is a unit of its own: it opens a run, never joins one.
    """
    group: list[_Piece] = []

    def emit() -> Iterator[tuple[tuple[_Head, ...], list[Sentence]]]:
        if len(group) == 1:
            yield group[0].heads, group[0].sents
        elif group:
            shared = _common(p.heads for p in group)
            sents: list[Sentence] = []
            shown: set[int] = set()
            for p in group:
                if sents and not sents[-1].text.endswith(_ENDS):  # an unpunctuated point must not run on
                    sents[-1] = Sentence(sents[-1].text + "\n", sents[-1].page, sents[-1].start)
                for h in p.heads[len(shared):]:
                    if h.bare is not None and id(h) not in shown:  # a sub-heading the path held goes in the text
                        shown.add(id(h))
                        sents.append(Sentence(h.bare.text + "\n", h.bare.page, h.bare.start))
                sents.extend(p.sents)
            yield shared, sents
        group.clear()

    for p in pieces:
        if group and _joins(group, p, size):
            group.append(p)
            continue
        yield from emit()
        group.append(p)
    yield from emit()


def _joins(group: list[_Piece], p: _Piece, size: int) -> bool:
    first = group[0].heads
    if not first or not p.heads or not p.heads[-1].item or p.size > size * SMALL:
        return False
    if any(g.size > size * SMALL for g in group) or sum(g.size for g in group) + p.size > size:
        return False
    if len(p.heads) < len(first) or not _same(p.heads[: len(first) - 1], first[:-1]):
        return False  # neither a sibling of the run's first section nor below it
    if p.heads[len(first) - 1].level != first[-1].level:
        return False  # a list under a label of its own ("8月更新") is not the run's list
    if _same(p.heads[: len(first)], first):
        return True  # a point of the run's first section: 第七条……程序如下： then （一）（二）
    # a sibling point; articles (第X条) stay units of their own; with no heading above them, only points
    # (1. （1） ①), not a document's top-level sections (一、 （一）), run together
    if not first[-1].item or first[-1].article or p.heads[-1].article:
        return False
    return len(first) > 1 or (p.heads[-1].level == first[-1].level >= POINT_LEVEL)


def _same(a: tuple[_Head, ...], b: tuple[_Head, ...]) -> bool:
    """The same headings of the document (not two headings that happen to read alike)."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def _common(stacks: Iterator[tuple[_Head, ...]]) -> tuple[_Head, ...]:
    out: tuple[_Head, ...] | None = None
    for heads in stacks:
        if out is None:
            out = heads
            continue
        n = 0
        while n < min(len(out), len(heads)) and out[n] is heads[n]:
            n += 1
        out = out[:n]
    return out or ()


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
