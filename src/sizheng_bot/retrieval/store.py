"""The knowledge base on disk: Chroma holds every chunk (the source of truth), BM25 files sit beside it.

Chroma always receives explicit vectors (a model-free hashed n-gram vector in the main collection, model
vectors in a per-model collection), so it never tries to download its default embedding model.

Consistency (see ``commit.py``): every write is a transaction that stages a new generation G. New rows
go into Chroma tagged ``gen=G`` beside the old ones; the lexical index of G is written to its own
directory; ``state.json`` then names G and that directory in one atomic rename (the commit point); only
after that are the replaced rows deleted. Readers use the committed lexical index, so they never see a
half-written document, and a crash at any point leaves the previous generation searchable. A journal
file lets the next writer roll an interrupted transaction back (or finish its clean-up).
Every Chroma read of ids/metadata is paged, so no query binds more variables than SQLite allows.

Each knowledge base (``kbs.py``) has its own collections and directory. With ``chroma_url`` the rows live
on a shared Chroma server and the commit point, journal and write lock are records on it (``server.py``);
the directory then holds only this process's lexical cache and a pointer to it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from sizheng_bot.errors import IndexBusy, IndexError_
from sizheng_bot.retrieval.analyzer import Analyzer
from sizheng_bot.retrieval.committed import LEGACY_BM25, LEXICAL, STATE, CommittedState, State
from sizheng_bot.retrieval.dense import DenseEmbedder
from sizheng_bot.retrieval.kbs import DEFAULT, collection_prefix
from sizheng_bot.retrieval.lexical import LexicalIndex
from sizheng_bot.retrieval.lock import ProcessLock
from sizheng_bot.retrieval.rows import paged_ids
from sizheng_bot.types import Chunk, DocInfo

log = logging.getLogger(__name__)

COLLECTION = "sizheng_chunks"
__all__ = ["COLLECTION", "LEGACY_BM25", "LEXICAL", "STATE", "KnowledgeBase", "State", "paged_ids"]
# cheaper graph construction: the model-free vector is a secondary signal, exact recall matters less
HNSW = {"hnsw:space": "cosine", "hnsw:construction_ef": 40, "hnsw:M": 12}


class KnowledgeBase(CommittedState):
    """Chroma store + lexical index in one data directory; one writer at a time across processes."""

    def __init__(
        self,
        data_dir: Path,
        analyzer: Analyzer,
        dense: DenseEmbedder | None = None,
        lock_timeout: float = 60.0,
        slug: str = DEFAULT,
        chroma_url: str = "",
        poll: float = 2.0,
        lease: float = 30.0,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.slug = slug
        self.chroma_url = chroma_url
        self.poll = poll  # server mode: seconds between checks of the committed generation
        self._remote: tuple[float, int, str] | None = None  # server state as last read (see committed.py)
        self.analyzer = analyzer
        self.dense = dense
        self.lock_timeout = lock_timeout
        self.on_wait: Callable[[str], None] | None = None  # told once when another process holds the lock
        self._client: Any = None
        self._lexical: LexicalIndex | None = None
        self._primed: dict[str, list[str]] = {}
        self.lock = threading.RLock()  # threads of this process
        self.records: Any = None
        self.proc_lock: Any = ProcessLock(self.data_dir)  # other processes
        if chroma_url:
            from sizheng_bot.retrieval.server import Records, ServerLock, meta_collection

            self.proc_lock = ServerLock(lambda: meta_collection(self._chroma()), slug, lease)
            # every journal/commit-point write first checks that our write lease is still ours
            self.records = Records(lambda: meta_collection(self._chroma()), self.proc_lock.verify)

    def notify(self, message: str) -> None:
        """A Chinese line for the person waiting (CLI stderr, web notice), else the log."""
        if self.on_wait is not None:
            self.on_wait(message)
        else:
            log.info("%s", message)

    def prime_tokens(self, tokens: dict[str, list[str]]) -> None:
        """Word tokens computed elsewhere (a worker process during ingest), keyed by content hash."""
        self._primed.update(tokens)

    # ---- Chroma --------------------------------------------------------------------------------
    def _chroma(self) -> Any:
        if self._client is None:
            if self.server:
                from sizheng_bot.retrieval.server import connect

                self._client = connect(self.chroma_url)
                return self._client
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
        return self._chroma().get_or_create_collection(
            collection_prefix(self.slug) + COLLECTION, embedding_function=None, metadata=HNSW
        )

    def dense_collection(self) -> Any | None:
        if self.dense is None:
            return None
        return self._chroma().get_or_create_collection(
            f"{collection_prefix(self.slug)}dense_{self.dense.slug}", embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def collections(self) -> list[Any]:
        dense = self.dense_collection()
        return [self.collection()] + ([dense] if dense is not None else [])

    def destroy(self) -> None:
        """Delete this (non-default) knowledge base: its collections, server records and directory."""
        from sizheng_bot.retrieval.committed import destroy

        destroy(self)

    def exists(self) -> bool:
        return self.server or (self.data_dir / "chroma").exists()

    # ---- writers -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the thread lock and the inter-process lock; finish any interrupted transaction first."""
        with self.lock:
            self.proc_lock.acquire(self.lock_timeout, self.on_wait)
            try:
                from sizheng_bot.retrieval.journal import recover

                recover(self)
                yield
            finally:
                self.proc_lock.release()

    def try_recover(self) -> None:
        """At startup: finish an interrupted transaction if no one else is writing (a stat when none)."""
        from sizheng_bot.retrieval.journal import has_journal, recover

        if not has_journal(self) or not self.lock.acquire(blocking=False):
            return
        try:
            try:
                self.proc_lock.acquire(0)
            except (IndexBusy, OSError):  # someone is writing, or a read-only data directory
                return
            try:
                recover(self)
            except Exception as exc:  # e.g. still no disk space: the next writer tries again
                log.info("recovery postponed: %s", exc)
            finally:
                self.proc_lock.release()
        finally:
            self.lock.release()

    def transaction(self) -> Any:
        """``with kb.transaction() as tx: tx.put(...); tx.delete(...)``: one generation, all or nothing."""
        from sizheng_bot.retrieval.commit import Transaction

        return Transaction(self)

    def file_hashes(self) -> dict[str, str]:
        """Committed documents and the sha256 of the file each was read from."""
        return {s: str(d.get("hash", "")) for s, d in self.lexical().docs.items()}

    def replace(self, source: str, chunks: list[Chunk], file_hash: str, fmt: str) -> None:
        """Replace every chunk of ``source`` with ``chunks`` (an empty list removes the document)."""
        self.write_many([(source, chunks, file_hash, fmt)], replace=[source])

    def write_many(self, docs: list[tuple[str, list[Chunk], str, str]], replace: list[str]) -> None:
        with self.transaction() as tx:
            for source in replace:
                tx.delete(source)
            for source, chunks, fh, fmt in docs:
                if chunks:
                    tx.put(source, chunks, fh, fmt)

    def remove(self, source: str) -> int:
        if not self.exists():
            return 0
        with self.transaction() as tx:
            n = int(tx.base.docs.get(source, {}).get("chunks", 0))  # type: ignore[call-overload]
            if n:
                tx.delete(source)
        return n

    # ---- reads ---------------------------------------------------------------------------------
    def all_chunks(self) -> list[Chunk]:
        return list(self.lexical().chunks)

    def documents(self) -> list[DocInfo]:
        """The committed documents, from the manifest (no chunk is read)."""
        docs = self.lexical().docs
        return [
            DocInfo(s, str(d.get("title", "")), int(d.get("chunks", 0)), int(d.get("chars", 0)),  # type: ignore[call-overload]
                    Path(s).suffix.lstrip(".").lower())  # fmt: skip
            for s, d in sorted(docs.items())
        ]

    def _load_committed(self) -> LexicalIndex | None:
        """The committed lexical index from disk (no lock needed), or None when it must be rebuilt."""
        for _ in range(3):  # a writer may commit and delete the old directory between our two reads
            st = self.state()
            if self._lexical is not None and self._lexical.generation == st.generation and st.lexical:
                return self._lexical
            if st.generation == 0 and (self.server or not self.exists()):
                return LexicalIndex.empty()
            if not st.lexical:
                return None
            try:
                lex = LexicalIndex.load(self.lexical_root / st.lexical)
            except (OSError, ValueError, KeyError, TypeError):
                if self.state() == st:
                    return None
                continue
            if lex.generation == st.generation and lex.token_key == self.analyzer.fingerprint:
                return lex
            return None  # stale, or cut by another dictionary/synonym table: rebuilt from Chroma
        return None

    def lexical(self, progress: Callable[[int, int], None] | None = None) -> LexicalIndex:
        """The committed BM25 side: loaded from disk, or rebuilt from Chroma when missing or stale.

        Readers never wait for a writer: while one writes, they keep the last committed index.
        """
        if self._lexical is None:
            self.try_recover()
        lex = self._load_committed()
        if lex is not None:
            self._lexical = lex
            return lex
        previous = self._lexical
        if previous is not None and (self.proc_lock.busy() or not self.lock.acquire(blocking=False)):
            return previous
        if previous is not None:
            self.lock.release()
        with self.writing():
            return self.lexical_locked(progress)

    def lexical_locked(self, progress: Callable[[int, int], None] | None = None) -> LexicalIndex:
        """Inside ``writing()``: the committed index, repaired from Chroma first if needed."""
        lex = self._load_committed()
        if lex is None:
            from sizheng_bot.retrieval.journal import repair

            lex = repair(self, progress)
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
        have = set(paged_ids(col))
        return [c for c in self.lexical().chunks if c.id not in have]

    def add_dense(self, chunks: list[Chunk]) -> None:
        col = self.dense_collection()
        if col is None:
            return
        with self.writing():
            self.add_dense_rows(col, chunks, self.generation())

    def add_dense_rows(self, col: Any, chunks: list[Chunk], generation: int) -> None:
        assert self.dense is not None
        for i in range(0, len(chunks), 256):
            part = chunks[i : i + 256]
            vecs = self.dense.embed_documents([f"{c.title} {c.section} {c.text}" for c in part])
            metas = [{"source": c.source, "gen": generation} for c in part]
            col.upsert(ids=[c.id for c in part], metadatas=metas, embeddings=vecs)
