"""Asking over several knowledge bases at once: one retriever over several, their hits merged fairly.

Each knowledge base keeps its own index and its own retriever; nothing is copied into a shared index. A
question is searched in every one, and the hits are put on one scale before merging: each knowledge base's
fused scores are normalised within it (its best passage scores about the same everywhere), so they are
multiplied by how much of the query its best passages hold — the share of the query's words, weighted by
their rarity over all the knowledge bases together, relative to the best-covering knowledge base (raw
BM25 scores are not comparable between corpora of different sizes). A knowledge base that holds the words
ranks above one that merely has a best passage; the order inside each is kept. The same passage held by
two knowledge bases is offered once.

Passages carry their knowledge base in the source name, ``【名称】文件名``, so the sources of an answer say
where each comes from, and two documents of the same name in two knowledge bases stay apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sizheng_bot.retrieval.analyzer import Analyzer
from sizheng_bot.retrieval.lexical import LexicalIndex
from sizheng_bot.retrieval.retriever import RetrievalParams, Retriever
from sizheng_bot.retrieval.store import KnowledgeBase
from sizheng_bot.text import squash
from sizheng_bot.types import Chunk, DocInfo, Hit


def qualify(kb_name: str, source: str) -> str:
    """``【名称】文件名``: a source as shown when an answer draws on several knowledge bases."""
    return f"【{kb_name}】{source}"


@dataclass(frozen=True)
class Member:
    name: str  # display name, as in ``kb list``
    kb: KnowledgeBase
    retriever: Retriever

    def qualify_hit(self, h: Hit, score: float) -> Hit:
        return replace(h, score=score, source=qualify(self.name, h.source), chunk_id=qualify(self.name, h.chunk_id))


class MergedLexical:
    """The committed chunks of every member, sources and ids qualified: what the pipeline reads (``chunks``,
    ``pos``, ``generation``) when it looks at the neighbours of a passage or builds its term statistics."""

    def __init__(self, parts: Sequence[tuple[str, LexicalIndex]]) -> None:
        self.parts = [lex for _, lex in parts]
        self.generation = hash(tuple((name, lex.generation) for name, lex in parts)) & 0x7FFFFFFF
        self.chunks: list[Chunk] = [
            replace(c, source=qualify(name, c.source), id=qualify(name, c.id)) for name, lex in parts for c in lex.chunks
        ]
        self.pos = {c.id: i for i, c in enumerate(self.chunks)}


class KBSet:
    """Several knowledge bases read as one (only the reading side of ``KnowledgeBase``)."""

    dense = None

    def __init__(self, members: Sequence[Member]) -> None:
        self.members = list(members)
        self._merged: MergedLexical | None = None

    def lexical(self) -> MergedLexical:
        parts = [(m.name, m.kb.lexical()) for m in self.members]
        merged = self._merged
        if merged is None or any(a is not b for a, b in zip(merged.parts, (lex for _, lex in parts), strict=True)):
            merged = self._merged = MergedLexical(parts)
        return merged

    def documents(self) -> list[DocInfo]:
        return [replace(d, source=qualify(m.name, d.source)) for m in self.members for d in m.kb.documents()]

    def generation(self) -> int:
        return self.lexical().generation

    def exists(self) -> bool:
        return any(m.kb.exists() for m in self.members)


class MultiRetriever(Retriever):
    """``search`` over every member, merged on one scale; ``following`` works on the merged chunks."""

    def __init__(self, members: Sequence[Member], analyzer: Analyzer, params: RetrievalParams | None = None) -> None:
        self.members = list(members)
        self.kb: Any = KBSet(self.members)
        self.analyzer = analyzer
        self.params = params or RetrievalParams()
        self.dense = None

    def weights(self, query: str) -> dict[str, float]:
        """The query's words weighted by their rarity over all members together (IDF of the union): raw
        BM25 scores of two corpora are not comparable (a term's IDF depends on the corpus size)."""
        terms = list(dict.fromkeys(t for t in self.analyzer.query_terms(query, expand=False)[0] if t.strip()))
        lexes = [m.kb.lexical() for m in self.members]
        total = sum(len(lex.chunks) for lex in lexes)
        out = {}
        for t in terms:
            df = sum(int(np.count_nonzero(lex.scores("word", [([t], 1.0)]))) for lex in lexes if lex.chunks)
            out[squash(t)] = math.log(1.0 + total / (1.0 + df))
        return {t: w for t, w in out.items() if t}

    def search(self, query: str, k: int = 5) -> list[Hit]:
        if not query.strip():
            return []
        found = [(m, m.retriever.search(query, k)) for m in self.members]
        weights = self.weights(query)
        whole = sum(weights.values())

        def coverage(hits: list[Hit]) -> float:
            """Share of the query's weight that the member's best passages hold."""
            if not whole:
                return 1.0 if hits else 0.0
            return max((sum(w for t, w in weights.items() if t in squash(h.text)) / whole for h in hits), default=0.0)

        covered = [coverage(hits) for _, hits in found]
        top = max(covered, default=0.0)
        merged: list[Hit] = []
        for (m, hits), cov in zip(found, covered, strict=True):
            scale = cov / top if top else 1.0
            merged += [m.qualify_hit(h, h.score * scale) for h in hits]
        merged.sort(key=lambda h: -h.score)
        seen: set[str] = set()
        out: list[Hit] = []
        for h in merged:
            if h.text in seen:
                continue
            seen.add(h.text)
            out.append(h)
        return out[:k]

