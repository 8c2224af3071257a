"""Selecting what to say from retrieved passages: split passages into units, score, de-duplicate, group.

A *unit* is a sentence (cut at 。！？, never inside a quotation) or an enumerated item (a short
``一是…。`` / ``第一，…。`` header joined with the sentence that explains it). Units are always verbatim,
contiguous substrings of their passage, so whatever the composers copy is a verbatim quotation of an
indexed chunk.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from sizheng_bot.retrieval.analyzer import Analyzer
from sizheng_bot.text import sentence_spans, squash
from sizheng_bot.text.headings import POINT_MARKER, point_at
from sizheng_bot.types import Hit

_ITEM_HEAD = re.compile(
    r"^(?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[,，、]|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.、．])"
)
_EXAMPLE = re.compile(
    r"^(?:例如|比如|譬如|如)[,，]?|^[^。，,]{0,12}(?:县|市|区|州|省)[^。，,]{0,12}(?:局|委|办|厅|院|校|部)"
)
MAX_UNIT = 220
SHORT = 14


@dataclass(frozen=True)
class Unit:
    """A verbatim piece of a passage. ``order`` is its position inside the passage."""

    text: str
    hit: Hit
    rank: int
    order: int
    score: float = 0.0  # ranking score: match plus a little of the passage's retrieval score
    match: float = 0.0  # how much of the query the unit itself covers (term weight + bigram share)
    whole: str = ""  # the unit's text before a placeholder's clauses were cut away (its item head, say)

    @property
    def is_example(self) -> bool:
        return bool(_EXAMPLE.search(self.text))

    @property
    def passage(self) -> str:
        """The part of the passage this unit stands in: its numbered point, or the whole passage."""
        at = self.hit.text.find(self.text)
        return point_at(self.hit.text, at) if at >= 0 else self.hit.text

    @property
    def is_item(self) -> bool:
        return bool(_ITEM_HEAD.match(self.text))


def sentences(text: str) -> list[str]:
    """Sentences cut at 。！？ (closing quotes stay with their sentence); over-long ones also at ；.
    In a table (rows written one a line, cells joined by `` | ``) each row is one piece, with the
    short cell lines before it that a line break inside a cell left on their own."""
    if text.count(CELL) < 2:
        return _prose(text)
    out: list[str] = []
    pending = ""
    for line in text.splitlines(keepends=True):
        if CELL in line:
            out.append(pending + line)
            pending = ""
        elif len(line.strip()) <= ROW_LABEL and not line.rstrip().endswith(tuple("。！？!?；;")):
            pending += line  # "每季度方向：一季度：" continues in the row below
        else:
            out += _prose(pending + line)
            pending = ""
    return out + _prose(pending) if pending.strip() else out


CELL = " | "  # how the loaders join a table row's cells
ROW_LABEL = 30


# a line break before a numbered point ends what precedes it, punctuated or not ("……别名）\n3、办文笺……")
_POINT_LINE = re.compile(rf"(?<=\n)(?={POINT_MARKER})")


def _prose(text: str) -> list[str]:
    return [
        s
        for line in _POINT_LINE.split(text)
        for s in sentence_spans(line, semicolons=False, max_len=MAX_UNIT)
        if s.strip()
    ]


def _is_head(s: str) -> bool:
    return bool(_ITEM_HEAD.match(s.strip())) and len(s) <= 30


def split_units(hit: Hit, rank: int) -> list[Unit]:
    """The units of one passage: an item header joins the sentence it introduces (or stands alone when
    none follows, or a sub-list does: "第二,“四有”。一是…"); another short sentence joins its neighbour
    (the next one, or the previous one when the next opens a new item)."""
    parts = sentences(hit.text)
    merged: list[str] = []
    i = 0
    while i < len(parts):
        s = parts[i]
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        fits = nxt is not None and len(s) + len(nxt) <= MAX_UNIT
        head = _is_head(s)
        if head and fits and not _ITEM_HEAD.match(nxt.strip()):  # type: ignore[union-attr]
            s += parts[i + 1]
            i += 1
        elif not head and len(s.strip()) <= SHORT and merged and (nxt is None or _is_head(nxt)):
            if len(merged[-1]) + len(s) <= MAX_UNIT:
                merged[-1] += s
                i += 1
                continue
        elif len(s.strip()) <= SHORT and fits and not head:  # an item head stays the head of its own item
            s += parts[i + 1]
            i += 1
        merged.append(s)
        i += 1
    units = []
    for order, s in enumerate(merged):
        text = s.strip()
        if len(text) >= 6:
            units.append(Unit(text, hit, rank, order))
    return units


@dataclass
class QueryTerms:
    """Query words (and synonym expansions) with IDF weights, matched by containment in unit text."""

    terms: dict[str, float]  # term -> weight (expansion terms already down-weighted)
    core: list[str]  # original-query terms, by descending weight
    bigrams: set[str] = field(default_factory=set)

    @property
    def total(self) -> float:
        return sum(self.terms[t] for t in self.core) or 1.0


def query_terms(
    analyzer: Analyzer, query: str, df: Callable[[str], float], expansion_weight: float = 0.5
) -> QueryTerms:
    """Weighted terms of ``query``; ``df(term)`` is the share (0..1) of passages holding the term."""
    orig, extra = analyzer.query_terms(query, expand=True)
    terms: dict[str, float] = {}
    for t in orig:
        if len(t) >= 2 or t.isdigit():
            terms[t] = max(terms.get(t, 0.0), _idf(df(t)))
    for t in extra:
        if len(t) >= 2 and t not in terms:
            terms[t] = expansion_weight * _idf(df(t))
    core = sorted((t for t in orig if t in terms), key=lambda t: -terms[t])
    bigrams = {b for b in analyzer.bigrams(query) if len(b) == 2}
    return QueryTerms(terms, list(dict.fromkeys(core)), bigrams)


def _idf(share: float) -> float:
    return 0.3 + math.log(1.0 / max(share, 0.02))


SECTION_WEIGHT = 0.3


def match_unit(unit: Unit, q: QueryTerms) -> float:
    """Term coverage (IDF-weighted, expansions included) plus bigram overlap; the heading the unit
    stands under counts a little (a point under "健全民主集中制…" is about democracy)."""
    text = squash(unit.text)
    words = sum(w for t, w in q.terms.items() if t in text) / q.total
    grams = sum(1 for b in q.bigrams if b in text) / max(len(q.bigrams), 1)
    heading = squash(section_leaf(unit.hit.section))
    under = sum(w for t, w in q.terms.items() if t in heading and t not in text) / q.total if heading else 0.0
    return words + 0.35 * grams + SECTION_WEIGHT * under


def score_unit(unit: Unit, q: QueryTerms, top_score: float, example_bonus: float = 0.0) -> float:
    """The unit's match + a little of the passage's retrieval score (+ a bonus for examples if wanted)."""
    prior = unit.hit.score / top_score if top_score > 0 else 0.0
    score = unit.match + 0.25 * prior
    if example_bonus and unit.is_example:
        score += example_bonus
    if len(unit.text) < 12:
        score *= 0.5
    return score


def scored_units(hits: Sequence[Hit], q: QueryTerms, example_bonus: float = 0.0) -> list[Unit]:
    top = max((h.score for h in hits), default=0.0)
    out = []
    for rank, h in enumerate(hits):
        for u in split_units(h, rank):
            u = replace(u, match=match_unit(u, q))
            out.append(replace(u, score=score_unit(u, q, top, example_bonus)))
    return out


def is_duplicate(text: str, kept: Iterable[str], near: bool = True) -> bool:
    """Same or contained text (chunks overlap by a sentence; documents repeat themselves); with ``near``
    also mostly the same characters."""
    s = squash(text)
    for k in kept:
        o = squash(k)
        if s in o or o in s:
            return True
        if near and _overlap(s, o) >= 0.8:
            return True
    return False


def _overlap(a: str, b: str) -> float:
    ga = {a[i : i + 2] for i in range(len(a) - 1)}
    gb = {b[i : i + 2] for i in range(len(b) - 1)}
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / min(len(ga), len(gb))


def select(
    units: Sequence[Unit], limit: int, floor: float, relative: float = 0.45, per_passage: int = 3
) -> list[Unit]:
    """The best units: at least ``floor`` and ``relative`` of the best score, no duplicates."""
    ranked = sorted(units, key=lambda u: (-u.score, u.rank, u.order))
    if not ranked:
        return []
    cut = max(floor, relative * ranked[0].score)
    chosen: list[Unit] = []
    per: dict[str, int] = {}
    for u in ranked:
        if len(chosen) >= limit or u.score < cut:
            break
        if per.get(u.hit.chunk_id, 0) >= per_passage or is_duplicate(u.text, (c.text for c in chosen)):
            continue
        chosen.append(u)
        per[u.hit.chunk_id] = per.get(u.hit.chunk_id, 0) + 1
    return chosen


def group(units: Sequence[Unit]) -> list[tuple[str, str, list[Unit]]]:
    """Units grouped by (source, section), groups in order of their best unit, units in text order."""
    groups: dict[tuple[str, str], list[Unit]] = {}
    for u in units:
        groups.setdefault((u.hit.source, u.hit.section), []).append(u)
    out = []
    for (source, section), us in groups.items():
        us.sort(key=lambda u: (u.hit.position, u.order))
        out.append((source, section, us))
    return out


def section_leaf(section: str) -> str:
    return section.split(" > ")[-1].strip() if section else ""
