"""Hybrid retrieval: BM25 over words and character bigrams, synonym expansion, optional dense vectors, fusion."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from sizheng_bot.errors import EmbeddingUnavailable
from sizheng_bot.retrieval.analyzer import Analyzer
from sizheng_bot.retrieval.dense import DenseEmbedder
from sizheng_bot.retrieval.lexical import LexicalIndex
from sizheng_bot.retrieval.store import KnowledgeBase
from sizheng_bot.text import respective, sentences
from sizheng_bot.types import Chunk, Hit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetrievalParams:
    """Weights chosen by measurement on the dev sets (see BENCHMARKS.md)."""

    expansion_weight: float = 0.3
    word_weight: float = 1.0
    char_weight: float = 0.2
    dense_weight: float = 0.0
    candidates: int = 50
    use_synonyms: bool = True
    # multi-part requests (several questions in one, often about different documents): each sub-question's
    # best passage is guaranteed a slot, every chunk also scores as its best sub-question, and no document
    # takes more than its share of the k slots
    split_weight: float = 1.0
    split_min_terms: int = 3  # a sub-question needs this many content words to count on its own


class Retriever:
    def __init__(self, kb: KnowledgeBase, analyzer: Analyzer, params: RetrievalParams | None = None) -> None:
        self.kb = kb
        self.analyzer = analyzer
        self.params = params or RetrievalParams()
        self.dense: DenseEmbedder | None = kb.dense

    def search(self, query: str, k: int = 5) -> list[Hit]:
        lex = self.kb.lexical()
        if not lex.chunks or not query.strip():
            return []
        fused = self.fused_scores(lex, query)
        asked = [
            q for q in sub_questions(query) if len(set(self.analyzer.words(q))) >= self.params.split_min_terms
        ]
        parts = [s for q in asked for s in respective(q)]  # 开场和闭会分别…: each subject searched on its own
        cap = k
        first: list[int] = []
        if len(parts) >= 2 and self.params.split_weight > 0:
            per = np.stack([_norm(self.fused_scores(lex, p)) for p in parts])
            fused = _norm(fused) + self.params.split_weight * per.max(axis=0)
            cap = max(1, -(-k // max(1, len(asked))))  # the subjects of one ask may share a document
            # each sub-question's own best passage gets a slot, best overall first
            first = sorted({int(np.argmax(row)) for row in per if row.max() > 0}, key=lambda i: -fused[i])
        order = list(dict.fromkeys(first + _top(fused, max(k * 4, k + 10))))
        per_source: dict[str, int] = {}
        hits: list[Hit] = []
        chosen: list[Chunk] = []
        for i in order[: max(k * 4, k + 10)]:
            if fused[i] <= 0:
                break
            c = lex.chunks[int(i)]
            if any(_redundant(c, o) for o in chosen) or per_source.get(c.source, 0) >= cap:
                continue
            per_source[c.source] = per_source.get(c.source, 0) + 1
            chosen.append(c)
            hits.append(_hit(c, float(fused[i])))
            if len(hits) >= k:
                break
        return hits

    def following(self, hits: list[Hit], top: int = 3) -> list[Hit]:
        """The chunk right after each of the ``top`` hits in its document (a sentence that answers the
        question often opens the next chunk), as extra lower-ranked hits not already in ``hits``."""
        lex = self.kb.lexical()
        have = {h.chunk_id for h in hits}
        out: list[Hit] = []
        for h in hits[:top]:
            i = lex.pos.get(h.chunk_id)
            if i is None or i + 1 >= len(lex.chunks):
                continue
            nxt = lex.chunks[i + 1]
            if nxt.source == h.source and nxt.id not in have:
                have.add(nxt.id)
                out.append(_hit(nxt, h.score * 0.5))
        return out

    def fused_scores(self, lex: LexicalIndex, query: str) -> np.ndarray:
        p = self.params
        orig, extra = self.analyzer.query_terms(query, expand=p.use_synonyms)
        word = lex.scores("word", [(orig, 1.0), (extra, p.expansion_weight)])
        big_q = self.analyzer.bigrams(query)
        char = lex.scores("char", [(big_q, 1.0)])
        fused = p.word_weight * _norm(word) + p.char_weight * _norm(char)
        if p.dense_weight > 0 and self.dense is not None:
            fused = fused + p.dense_weight * self._dense_scores(lex, query)
        return fused

    def _dense_scores(self, lex: LexicalIndex, query: str) -> np.ndarray:
        out = np.zeros(len(lex.chunks), dtype=np.float32)
        try:
            assert self.dense is not None
            vec = self.dense.embed_query(query)
        except EmbeddingUnavailable as exc:
            log.warning("%s；本次仅用词法检索", exc)
            self.dense = None
            return out
        for cid, sim in self.kb.vector_query(vec, self.params.candidates, dense=True):
            i = lex.pos.get(cid)
            if i is not None:
                out[i] = max(sim, 0.0)
        return _norm(out)


def sub_questions(query: str, min_chars: int = 6) -> list[str]:
    """The separate questions of a multi-part request (each long enough to search on its own)."""
    parts = sentences(query, newlines=True)
    return [p for p in parts if len(p) >= min_chars]


def _top(x: np.ndarray, m: int) -> list[int]:
    """Positions of the ``m`` highest values, best first (ties by position), without sorting them all."""
    if m < len(x):
        idx = np.argpartition(-x, m - 1)[:m]
    else:
        idx = np.arange(len(x))
    return [int(i) for i in idx[np.lexsort((idx, -x[idx]))]]


def _norm(x: np.ndarray) -> np.ndarray:
    m = float(x.max()) if len(x) else 0.0
    return x / m if m > 0 else x


def _redundant(a: Chunk, b: Chunk) -> bool:
    """Same text indexed twice (duplicate upload under another name, or a copied paragraph)."""
    return a.content_hash == b.content_hash


def _hit(c: Chunk, score: float) -> Hit:
    return Hit(c.id, c.text, score, c.source, c.title, c.section, c.page, c.position, c.ocr)
