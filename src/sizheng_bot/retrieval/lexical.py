"""BM25 indexes beside Chroma: one over jieba word tokens, one over character bigrams.

Derived data, one directory per committed generation (``lexical/g000012``): the store writes the next
generation's directory completely, then commits it by naming it in ``state.json``. The directory also holds
the manifest of documents (source -> file hash, format, chunk count) of that generation. Each chunk is
tokenised once; tokens are cached by content hash so an incremental rebuild only cuts new text.
Search needs only these files (no Chroma import), which keeps cold start short.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from sizheng_bot.retrieval.analyzer import Analyzer
from sizheng_bot.types import Chunk

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
_META = "meta.json"
_CHUNKS = "chunks.json"
_TOKENS = "tokens.json"
_DOCS = "docs.json"
DocManifest = dict[str, dict[str, object]]  # source -> {"hash": sha256, "format": "txt", "chunks": n}


def header_key(title_and_section: str) -> str:
    """Token-cache key of a chunk's title + section line (chunks use their content hash)."""
    return "h:" + title_and_section


def _bm25():  # type: ignore[no-untyped-def]
    import bm25s

    return bm25s


class LexicalIndex:
    """Two BM25 views over the same ordered chunk list."""

    def __init__(
        self,
        chunks: list[Chunk],
        word: object | None,
        char: object | None,
        generation: int,
        docs: DocManifest | None = None,
        token_key: str = "",
    ) -> None:
        self.chunks = chunks
        self.token_key = token_key  # the analyzer's fingerprint the word tokens were cut with
        self.word = word
        self.char = char
        self.generation = generation
        self.docs: DocManifest = docs if docs is not None else {}
        self.pos = {c.id: i for i, c in enumerate(chunks)}

    def __len__(self) -> int:
        return len(self.chunks)

    # ---- scoring -----------------------------------------------------------------------------
    def scores(self, view: str, weighted_terms: Sequence[tuple[Sequence[str], float]]) -> np.ndarray:
        """Sum of BM25 scores of each term group times its weight, over all chunks."""
        total = np.zeros(len(self.chunks), dtype=np.float32)
        model = self.word if view == "word" else self.char
        if model is None or not self.chunks:
            return total
        for terms, weight in weighted_terms:
            ids = model.get_tokens_ids(list(terms))  # type: ignore[attr-defined]
            if ids and weight:
                total += weight * model.get_scores_from_ids(ids)  # type: ignore[attr-defined]
        return total

    # ---- build / persist ---------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        chunks: list[Chunk],
        analyzer: Analyzer,
        generation: int,
        token_cache: dict[str, list[str]] | None = None,
        progress: Callable[[int, int], None] | None = None,
        docs: DocManifest | None = None,
    ) -> tuple[LexicalIndex, dict[str, list[str]]]:
        t0 = time.perf_counter()
        cache = token_cache or {}
        fresh: dict[str, list[str]] = {}

        @lru_cache(maxsize=4096)
        def header(s: str) -> tuple[str, ...]:
            toks = cache.get(header_key(s))
            return tuple(toks if toks is not None else analyzer.words(s))

        word_docs: list[list[str]] = []
        char_docs: list[list[str]] = []
        for i, c in enumerate(chunks):
            toks = cache.get(c.content_hash)
            if toks is None:
                toks = analyzer.words(c.text)
            fresh[c.content_hash] = toks
            word_docs.append([*header(f"{c.title} {c.section}"), *toks])
            char_docs.append(analyzer.bigrams(f"{c.section} {c.text}"))
            if progress and i % 500 == 0:
                progress(i, len(chunks))
        word = char = None
        if chunks:
            bm25s = _bm25()
            word = bm25s.BM25(k1=1.2, b=0.75)
            word.index(word_docs, show_progress=False)
            char = bm25s.BM25(k1=1.2, b=0.75)
            char.index(char_docs, show_progress=False)
        log.info("lexical index: %d chunks in %.2fs", len(chunks), time.perf_counter() - t0)
        return cls(chunks, word, char, generation, docs, analyzer.fingerprint), fresh

    def save(self, directory: Path, tokens: dict[str, list[str]]) -> None:
        """Write into ``<directory>.tmp`` and rename it into place; on any failure nothing is left behind."""
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir(parents=True)
            if self.word is not None and self.char is not None:
                self.word.save(tmp / "word", show_progress=False)  # type: ignore[attr-defined]
                self.char.save(tmp / "char", show_progress=False)  # type: ignore[attr-defined]
            chunks = json.dumps([vars(c) for c in self.chunks], ensure_ascii=False)
            (tmp / _CHUNKS).write_text(chunks, "utf-8")
            (tmp / _TOKENS).write_text(
                json.dumps({h: " ".join(t) for h, t in tokens.items()}, ensure_ascii=False), "utf-8"
            )
            (tmp / _DOCS).write_text(json.dumps(self.docs, ensure_ascii=False), "utf-8")
            meta = {"format": FORMAT_VERSION, "generation": self.generation, "chunks": len(self.chunks),
                    "token_key": self.token_key}  # fmt: skip
            (tmp / _META).write_text(json.dumps(meta), "utf-8")
            if directory.exists():  # a repair of the same generation
                shutil.rmtree(directory)
            tmp.rename(directory)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @staticmethod
    def saved_generation(directory: Path) -> int | None:
        try:
            meta = json.loads((directory / _META).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("format") != FORMAT_VERSION:
            return None
        return int(meta["generation"])

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        generation = cls.saved_generation(directory)
        if generation is None:
            raise FileNotFoundError(directory)
        chunks = [Chunk(**d) for d in json.loads((directory / _CHUNKS).read_text("utf-8"))]
        docs = json.loads((directory / _DOCS).read_text("utf-8"))
        word = char = None
        if chunks:
            bm25s = _bm25()
            word = bm25s.BM25.load(directory / "word", mmap=True, show_progress=False)
            char = bm25s.BM25.load(directory / "char", mmap=True, show_progress=False)
        return cls(chunks, word, char, generation, docs, _saved_token_key(directory))

    @staticmethod
    def load_tokens(directory: Path, token_key: str | None = None) -> dict[str, list[str]]:
        """The token cache saved with an index; empty when it was cut by another analyzer (``token_key``)."""
        if token_key is not None and _saved_token_key(directory) != token_key:
            return {}
        try:
            raw = json.loads((directory / _TOKENS).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return {h: s.split(" ") if s else [] for h, s in raw.items()}


def _saved_token_key(directory: Path) -> str:
    try:
        return str(json.loads((directory / _META).read_text("utf-8")).get("token_key", ""))
    except (OSError, ValueError, AttributeError):
        return ""
