"""The strongest runnable peer of the issues: BM25 (rank_bm25) over jieba tokens, 300-character chunks.

The retrieval bench ranks it beside our retriever; the answer eval pastes its top 3 chunks as the
floor an answer must beat ("simply pasting the top 3 raw BM25 chunks"). Imports are lazy: nothing
loads until a peer is built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from sizheng_bot.types import Chunk, Hit

SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "，", ""]


class Bm25JiebaPeer:
    """BM25Okapi over jieba tokens of 300-character recursive splits of each document's text."""

    def __init__(
        self, files: Sequence[Path], chunk_size: int = 300, read: Callable[[Path], str] | None = None
    ) -> None:
        reader = read or (lambda f: f.read_text(encoding="utf-8"))
        self._build(((f.name, reader(f)) for f in files), chunk_size)

    @classmethod
    def from_texts(cls, documents: Iterable[tuple[str, str]], chunk_size: int = 300) -> Bm25JiebaPeer:
        """A peer over (name, text) pairs."""
        peer = cls.__new__(cls)
        peer._build(documents, chunk_size)
        return peer

    def _build(self, documents: Iterable[tuple[str, str]], chunk_size: int) -> None:
        import jieba
        from langchain_text_splitters import RecursiveCharacterTextSplitter
        from rank_bm25 import BM25Okapi

        jieba.setLogLevel(60)
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size, chunk_overlap=0, separators=SEPARATORS, keep_separator="end"
        )
        self.chunks: list[tuple[str, str]] = []
        for name, text in documents:
            for piece in splitter.split_text(text):
                self.chunks.append((name, piece))
        self._cut: Callable[[str], list[str]] = lambda t: [w for w in jieba.lcut(t) if w.strip()]
        self.bm25 = BM25Okapi([self._cut(t) for _, t in self.chunks] or [["_"]])

    def search(self, query: str, k: int = 5) -> list[Hit]:
        import numpy as np

        if not self.chunks:
            return []
        scores = self.bm25.get_scores(self._cut(query))
        top = np.argsort(-scores)[:k]
        return [
            Hit(str(i), self.chunks[i][1], float(scores[i]), self.chunks[i][0], "", "", None) for i in top
        ]


def documents_of(chunks: Iterable[Chunk]) -> list[tuple[str, str]]:
    """Each document's text rebuilt from its indexed chunks (in order), for a peer over the same KB."""
    by_source: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_source.setdefault(c.source, []).append(c)
    return [
        (source, "\n".join(c.text for c in sorted(cs, key=lambda c: c.position)))
        for source, cs in by_source.items()
    ]
