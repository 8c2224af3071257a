"""Asking over several knowledge bases at once: one retriever over several, their hits merged fairly.

Each knowledge base keeps its own index and its own retriever; nothing is copied into a shared index. A
question is searched in every one, and the hits are put on one scale before merging: each knowledge base's
fused scores are normalised within it (its best passage scores about the same everywhere), so they are
multiplied by how strongly the knowledge base matches the query at all — its best raw BM25 score over words
and character bigrams relative to the best knowledge base's. A knowledge base that holds the words ranks
above one that merely has a best passage; the order inside each is kept. The same passage held by two
knowledge bases is offered once.

Passages carry their knowledge base in the source name, ``【名称】文件名``, so the sources of an answer say
where each comes from, and two documents of the same name in two knowledge bases stay apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sizheng_bot.retrieval.analyzer import Analyzer
from sizheng_bot.retrieval.lexical import LexicalIndex
from sizheng_bot.retrieval.retriever import RetrievalParams, Retriever
from sizheng_bot.retrieval.store import KnowledgeBase
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

    def strength(self, lex: LexicalIndex, query: str) -> tuple[float, float]:
        """The knowledge base's best raw BM25 match of the query: (words, character bigrams)."""
        p = self.params
        if not lex.chunks:
            return 0.0, 0.0
        orig, extra = self.analyzer.query_terms(query, expand=p.use_synonyms)
        word = lex.scores("word", [(orig, 1.0), (extra, p.expansion_weight)])
        char = lex.scores("char", [(self.analyzer.bigrams(query), 1.0)])
        return float(np.max(word)), float(np.max(char))

    def search(self, query: str, k: int = 5) -> list[Hit]:
        if not query.strip():
            return []
        found = [(m, m.retriever.search(query, k), self.strength(m.kb.lexical(), query)) for m in self.members]
        top_w = max((s[0] for _, _, s in found), default=0.0)
        top_c = max((s[1] for _, _, s in found), default=0.0)
        p = self.params
        weights = p.word_weight + p.char_weight
        merged: list[Hit] = []
        for m, hits, (w, c) in found:
            scale = (p.word_weight * (w / top_w if top_w else 1.0) + p.char_weight * (c / top_c if top_c else 1.0)) / weights
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

