"""Writing the lexical side of a generation: new segments from batches of chunks, merges, tombstones.

Used by a write transaction (``commit.py``: one segment per flushed ingest batch) and by the rebuild from
Chroma (``rebuild.py``). Memory is bounded by one batch or one merge: no step holds every chunk's tokens.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from sizheng_bot.retrieval.analyzer import Analyzer
from sizheng_bot.retrieval.lexical import SEGMENTS, DocManifest, LexicalIndex, header_key
from sizheng_bot.retrieval.segment import Segment, merge_segments, write_segment
from sizheng_bot.types import Chunk

log = logging.getLogger(__name__)

MAX_SEGMENTS = 10  # more than this and the smallest are merged
MERGE_FACTOR = 6  # at most this many segments per merge
MERGE_CAP = 40_000  # live chunks of a merged segment: bounds a merge's memory (~10 MB per 1,000 chunks)


class LexicalWriter:
    """The segments, tombstones and manifest of the generation being written."""

    def __init__(self, root: Path, analyzer: Analyzer, gen: int, base: LexicalIndex) -> None:
        self.root = root
        self.analyzer = analyzer
        self.gen = gen
        self.segments: list[Segment] = list(base.segments)
        self.dead: dict[str, np.ndarray] = dict(base.dead)  # copied before any change (readers use base's)
        self._owned: set[str] = set()  # masks already copied
        self.new: set[str] = set()  # segments written by this generation
        self.moved: dict[str, str] = {}  # source -> segment it lives in after a merge

    # ---- segments -----------------------------------------------------------------------------
    def _name(self) -> Path:
        return self.root / SEGMENTS / f"s{self.gen:06d}-{uuid.uuid4().hex[:8]}"

    def seal(self, chunks: list[Chunk], tokens: dict[str, list[str]]) -> Segment | None:
        """A new segment of ``chunks``; word tokens from ``tokens`` (content hash / header key) or cut now."""
        if not chunks:
            return None
        t0 = time.perf_counter()
        chunks = sorted(chunks, key=lambda c: (c.source, c.position))
        an = self.analyzer

        @lru_cache(maxsize=4096)
        def header(s: str) -> tuple[str, ...]:
            toks = tokens.get(header_key(s))
            return tuple(toks if toks is not None else an.words(s))

        word_docs = []
        for c in chunks:
            toks = tokens.get(c.content_hash)
            word_docs.append([*header(f"{c.title} {c.section}"), *(toks if toks is not None else an.words(c.text))])
        char_docs = [an.bigrams(f"{c.section} {c.text}") for c in chunks]
        (self.root / SEGMENTS).mkdir(parents=True, exist_ok=True)
        seg = write_segment(self._name(), chunks, word_docs, char_docs)
        self.segments.append(seg)
        self.new.add(seg.name)
        for src in seg.source_names:
            self.moved[src] = seg.name
        log.debug("segment %s: %d chunks in %.2fs", seg.name, seg.n, time.perf_counter() - t0)
        self.maybe_merge()
        return seg

    def kill(self, seg_name: str, start: int, end: int) -> None:
        """Tombstone local positions [start, end) of a segment."""
        seg = next(s for s in self.segments if s.name == seg_name)
        if seg_name not in self._owned:
            old = self.dead.get(seg_name)
            self.dead[seg_name] = np.zeros(seg.n, dtype=bool) if old is None else np.array(old, dtype=bool)
            self._owned.add(seg_name)
        self.dead[seg_name][start:end] = True

    def segment_of(self, source: str, recorded: str) -> Segment | None:
        name = self.moved.get(source, recorded)
        return next((s for s in self.segments if s.name == name), None)

    def live(self, seg: Segment) -> int:
        d = self.dead.get(seg.name)
        return seg.n if d is None else seg.n - int(d.sum())

    # ---- merging ------------------------------------------------------------------------------
    def plan(self) -> list[Segment]:
        """The next segments to merge: the smallest few while there are too many; a mostly dead one."""
        by_size = sorted(self.segments, key=self.live)
        if len(by_size) > MAX_SEGMENTS:
            pick: list[Segment] = []
            total = 0
            for s in by_size[:MERGE_FACTOR]:
                if total + self.live(s) > MERGE_CAP and len(pick) >= 2:
                    break
                pick.append(s)
                total += self.live(s)
            if len(pick) >= 2 and total <= MERGE_CAP:
                return pick
        return [s for s in by_size if self.live(s) * 2 < s.n][:1]

    def maybe_merge(self) -> None:
        while pick := self.plan():
            self.merge(pick)

    def merge(self, pick: list[Segment]) -> Segment | None:
        t0 = time.perf_counter()
        names = {s.name for s in pick}
        ordered = [s for s in self.segments if s.name in names]
        parts = [(s, None if s.name not in self.dead else ~self.dead[s.name]) for s in ordered]
        out: Segment | None = None
        if sum(self.live(s) for s in ordered):
            out = merge_segments(self._name(), parts)
        at = min(i for i, s in enumerate(self.segments) if s.name in names)
        rest = [s for s in self.segments if s.name not in names]
        self.segments = rest[:at] + ([out] if out is not None else []) + rest[at:]
        for s in ordered:
            self.dead.pop(s.name, None)
            if s.name in self.new:  # never committed: nobody else can be reading it
                self.new.discard(s.name)
                shutil.rmtree(s.path, ignore_errors=True)
        if out is not None:
            self.new.add(out.name)
            for src in out.source_names:
                self.moved[src] = out.name
            log.debug("merged %d segments into %s (%d chunks) in %.2fs", len(ordered), out.name, out.n,
                      time.perf_counter() - t0)  # fmt: skip
        return out

    def index(self, docs: DocManifest, token_key: str) -> LexicalIndex:
        final = {s: d | ({"seg": self.moved[s]} if s in self.moved else {}) for s, d in docs.items()}
        return LexicalIndex(self.segments, self.dead, self.gen, final, token_key)


@dataclass
class Staged:
    """A document staged by a transaction: its row ids and manifest entry (``seg`` once sealed)."""

    ids: list[str]
    entry: dict[str, Any]
    chunks: list[Chunk] | None  # until its batch is sealed into a segment


def batch_tokens(batch: list[Chunk], given: dict[str, list[str]] | None, primed: dict[str, list[str]]) -> dict[str, list[str]]:
    """Word tokens known for a batch's chunks and headers: ``given`` (the worker's), else ``primed``
    (server mode computes them for the rows; taken out, as the batch no longer needs them after)."""
    toks = dict(given or {})
    for c in batch:
        if c.content_hash not in toks and c.content_hash in primed:
            toks[c.content_hash] = primed.pop(c.content_hash)
    for key in {header_key(f"{c.title} {c.section}") for c in batch}:
        if key not in toks and key in primed:
            toks[key] = primed[key]
    return toks


def doc_entry(chunks: list[Chunk], file_hash: str, fmt: str, seg: str) -> dict[str, object]:
    first = min(chunks, key=lambda c: c.position)
    return {"hash": file_hash, "format": fmt, "chunks": len(chunks), "chars": sum(len(c.text) for c in chunks),
            "title": first.title, "seg": seg}  # fmt: skip


ProgressFn = Callable[[int, int], None]
