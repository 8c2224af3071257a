"""The knowledge base on disk: Chroma holds every chunk (the source of truth), BM25 files sit beside it.

Chroma always receives explicit vectors (a model-free hashed n-gram vector in the main collection, model
vectors in a per-model collection), so it never tries to download its default embedding model.
Writes bump a generation counter *before* touching Chroma; the lexical index records the generation it
was built from, so an interrupted write is detected and the BM25 side is rebuilt on the next open.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sizheng_bot.errors import IndexError_
from sizheng_bot.retrieval.analyzer import Analyzer
from sizheng_bot.retrieval.dense import DenseEmbedder, hashed_vectors
from sizheng_bot.retrieval.lexical import LexicalIndex
from sizheng_bot.types import Chunk, DocInfo

log = logging.getLogger(__name__)

COLLECTION = "sizheng_chunks"
_STATE = "state.json"
_BATCH = 2000
# cheaper graph construction: the model-free vector is a secondary signal, exact recall matters less
_HNSW = {"hnsw:space": "cosine", "hnsw:construction_ef": 40, "hnsw:M": 12}


def _meta(c: Chunk, file_hash: str, fmt: str) -> dict[str, Any]:
    return {
        "source": c.source, "title": c.title, "section": c.section, "page": c.page if c.page is not None else -1,
        "position": c.position, "start": c.start, "end": c.end, "content_hash": c.content_hash,
        "file_hash": file_hash, "format": fmt, "ocr": c.ocr,
    }  # fmt: skip


def _chunk(cid: str, text: str, m: dict[str, Any]) -> Chunk:
    page = int(m.get("page", -1))
    return Chunk(
        id=cid, source=m["source"], title=m.get("title", ""), section=m.get("section", ""), text=text,
        position=int(m.get("position", 0)), page=page if page >= 0 else None, start=int(m.get("start", 0)),
        end=int(m.get("end", 0)), content_hash=m.get("content_hash", ""), ocr=bool(m.get("ocr", False)),
    )  # fmt: skip


class KnowledgeBase:
    """Chroma store + lexical index in one data directory. Writes are serialised by a lock."""

    def __init__(self, data_dir: Path, analyzer: Analyzer, dense: DenseEmbedder | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.analyzer = analyzer
        self.dense = dense
        self._client: Any = None
        self._lexical: LexicalIndex | None = None
        self._primed: dict[str, list[str]] = {}
        self._pending: tuple[int, list[Chunk]] | None = None
        self.lock = threading.RLock()

    def prime_tokens(self, tokens: dict[str, list[str]]) -> None:
        """Word tokens computed elsewhere (a worker process during ingest), keyed by content hash."""
        self._primed.update(tokens)

    # ---- Chroma --------------------------------------------------------------------------------
    def _chroma(self) -> Any:
        if self._client is None:
            try:
                import chromadb
                from chromadb.config import Settings as ChromaSettings

                self.data_dir.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(
                    path=str(self.data_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
                )
            except Exception as exc:
                raise IndexError_(f"无法打开知识库目录 {self.data_dir}：{exc}") from exc
        return self._client

    def collection(self) -> Any:
        return self._chroma().get_or_create_collection(COLLECTION, embedding_function=None, metadata=_HNSW)

    def dense_collection(self) -> Any | None:
        if self.dense is None:
            return None
        return self._chroma().get_or_create_collection(
            f"dense_{self.dense.slug}", embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    # ---- generation ----------------------------------------------------------------------------
    @property
    def state_path(self) -> Path:
        return self.data_dir / _STATE

    def generation(self) -> int:
        try:
            return int(json.loads(self.state_path.read_text("utf-8"))["generation"])
        except (OSError, ValueError, KeyError):
            return 0

    def _bump(self) -> int:
        gen = self.generation() + 1
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.state_path.write_text(json.dumps({"generation": gen}), "utf-8")
        return gen

    def exists(self) -> bool:
        return (self.data_dir / "chroma").exists()

    # ---- writes --------------------------------------------------------------------------------
    def file_hashes(self) -> dict[str, str]:
        if not self.exists():
            return {}
        got = self.collection().get(include=["metadatas"])
        return {m["source"]: m.get("file_hash", "") for m in got["metadatas"] or []}

    def replace(self, source: str, chunks: list[Chunk], file_hash: str, fmt: str) -> None:
        """Replace every chunk of ``source`` with ``chunks`` (an empty list removes the document)."""
        self.write_many([(source, chunks, file_hash, fmt)], replace=[source])

    def write_many(self, docs: list[tuple[str, list[Chunk], str, str]], replace: list[str]) -> None:
        """Write several documents in large batches; sources in ``replace`` lose their old chunks first."""
        with self.lock:
            base = self._fresh_chunks()
            gen = self._bump()
            col = self.collection()
            dense_col = self.dense_collection()
            for i in range(0, len(replace), 500):
                where = {"source": {"$in": replace[i : i + 500]}}
                col.delete(where=where)
                if dense_col is not None:
                    dense_col.delete(where=where)
            rows = [(c, fh, fmt) for _, chunks, fh, fmt in docs for c in chunks]
            for i in range(0, len(rows), _BATCH):
                part = rows[i : i + _BATCH]
                chunks = [c for c, _, _ in part]
                col.add(
                    ids=[c.id for c in chunks],
                    documents=[c.text for c in chunks],
                    metadatas=[_meta(c, fh, fmt) for c, fh, fmt in part],
                    embeddings=hashed_vectors([f"{c.section} {c.text}" for c in chunks]),
                )
                if dense_col is not None and self.dense is not None:
                    self._add_dense_rows(dense_col, chunks)
            # readers keep self._lexical (the previous generation) until the rebuild replaces it
            if base is not None:  # the delta is known exactly: no need to read every chunk back from Chroma
                gone = set(replace) | {src for src, _, _, _ in docs}
                merged = [c for c in base if c.source not in gone] + [c for _, cs, _, _ in docs for c in cs]
                merged.sort(key=lambda c: (c.source, c.position))
                self._pending = (gen, merged)

    def _fresh_chunks(self) -> list[Chunk] | None:
        """Chunks of the current generation if the BM25 side is known to match Chroma, else None."""
        gen = self.generation()
        if self._pending is not None and self._pending[0] == gen:
            return self._pending[1]
        if self._lexical is not None and self._lexical.generation == gen:
            return self._lexical.chunks
        if gen == 0 and not self.exists():
            return []
        bm25_dir = self.data_dir / "bm25"
        if gen > 0 and LexicalIndex.saved_generation(bm25_dir) == gen:
            return self.lexical().chunks
        return None

    def _add_dense_rows(self, col: Any, chunks: list[Chunk]) -> None:
        assert self.dense is not None
        for i in range(0, len(chunks), 256):
            part = chunks[i : i + 256]
            vecs = self.dense.embed_documents([f"{c.title} {c.section} {c.text}" for c in part])
            col.add(ids=[c.id for c in part], metadatas=[{"source": c.source} for c in part], embeddings=vecs)

    def remove(self, source: str) -> int:
        with self.lock:
            if not self.exists():
                return 0
            n = len(self.collection().get(where={"source": source}, include=[])["ids"])
            if n:
                self.replace(source, [], "", "")
            return n

    # ---- reads ---------------------------------------------------------------------------------
    def all_chunks(self) -> list[Chunk]:
        if not self.exists():
            return []
        got = self.collection().get(include=["documents", "metadatas"])
        chunks = [
            _chunk(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        chunks.sort(key=lambda c: (c.source, c.position))
        return chunks

    def documents(self) -> list[DocInfo]:
        lex = self.lexical()
        counts: Counter[str] = Counter()
        chars: Counter[str] = Counter()
        first: dict[str, Chunk] = {}
        for c in lex.chunks:
            counts[c.source] += 1
            chars[c.source] += len(c.text)
            first.setdefault(c.source, c)
        fmt = {s: Path(s).suffix.lstrip(".").lower() for s in counts}
        return [DocInfo(s, first[s].title, counts[s], chars[s], fmt[s]) for s in sorted(counts)]

    def lexical(self, progress: Callable[[int, int], None] | None = None) -> LexicalIndex:
        """The BM25 side, loaded from disk when fresh, else rebuilt from Chroma.

        While another thread writes (ingest, remove), readers get the last consistent index at once
        instead of waiting for the write to finish.
        """
        previous = self._lexical
        if not self.lock.acquire(blocking=previous is None):
            assert previous is not None
            return previous
        try:
            return self._lexical_locked(progress)
        finally:
            self.lock.release()

    def _lexical_locked(self, progress: Callable[[int, int], None] | None) -> LexicalIndex:
        gen = self.generation()
        if self._lexical is not None and self._lexical.generation == gen:
            return self._lexical
        bm25_dir = self.data_dir / "bm25"
        if LexicalIndex.saved_generation(bm25_dir) == gen and gen > 0:
            self._lexical = LexicalIndex.load(bm25_dir)
            return self._lexical
        if gen == 0 and not self.exists():
            self._lexical = LexicalIndex([], None, None, 0)
            return self._lexical
        log.info("rebuilding BM25 index from Chroma (generation %d)", gen)
        cache = LexicalIndex.load_tokens(bm25_dir) | self._primed
        pending = self._pending[1] if self._pending is not None and self._pending[0] == gen else None
        chunks = pending if pending is not None else self.all_chunks()
        lex, tokens = LexicalIndex.build(chunks, self.analyzer, gen, cache, progress)
        self._primed, self._pending = {}, None
        lex.save(bm25_dir, tokens)
        self._lexical = lex
        return lex

    def vector_query(self, vec: np.ndarray, k: int, dense: bool) -> list[tuple[str, float]]:
        col = self.dense_collection() if dense else self.collection()
        if col is None or col.count() == 0:
            return []
        res = col.query(query_embeddings=[vec], n_results=min(k, col.count()), include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def missing_dense(self) -> list[Chunk]:
        """Chunks that have no vector yet in the current dense model's collection."""
        col = self.dense_collection()
        if col is None:
            return []
        have = set(col.get(include=[])["ids"])
        return [c for c in self.lexical().chunks if c.id not in have]

    def add_dense(self, chunks: list[Chunk]) -> None:
        col = self.dense_collection()
        if col is None:
            return
        with self.lock:
            self._add_dense_rows(col, chunks)
