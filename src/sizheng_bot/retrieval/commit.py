"""Write transactions of the knowledge base: stage a generation, commit it atomically, or roll it back.

Order of a transaction G (the journal ``journal.json`` is written before anything else changes):
1. new rows are added to Chroma tagged ``gen=G`` (ids carry the file hash, so a new version of a document
   never collides with the old one, which stays in place);
2. each staged batch becomes a new segment under ``lexical/segments`` (replaced documents are tombstoned
   in theirs), and the generation's list of segments, tombstones and manifest is written to
   ``lexical/gG`` (via a temp directory);
3. the journal records the ids of the rows G replaces; ``state.json`` is renamed into place: committed;
4. replaced rows and older lexical directories are deleted; the journal is removed.
A crash before 3 is rolled back by the next writer (rows with ``gen=G`` deleted), after 3 rolled forward
(step 4 redone). A full disk is reported in Chinese with the space needed; nothing of the batch stays.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sizheng_bot.retrieval import journal
from sizheng_bot.retrieval.dense import hashed_vectors, placeholder_vectors
from sizheng_bot.retrieval.diskspace import (
    dir_bytes,
    disk_full,
    free_bytes,
    is_disk_full,
    row_bytes,
    rows_bytes,
)
from sizheng_bot.retrieval.lexical import DocManifest, LexicalIndex, header_key
from sizheng_bot.retrieval.lexwrite import LexicalWriter, Staged, batch_tokens, doc_entry
from sizheng_bot.retrieval.rows import delete_ids, row_metadata
from sizheng_bot.retrieval.store import KnowledgeBase
from sizheng_bot.types import Chunk

log = logging.getLogger(__name__)

_BATCH = 2000
_MB = 1024 * 1024


def _meta(c: Chunk, file_hash: str, fmt: str, gen: int, extra: dict[str, str] | None = None) -> dict[str, Any]:
    return row_metadata(c, file_hash, fmt, gen, extra)  # the layout is rows.py's


def versioned(c: Chunk, file_hash: str) -> Chunk:
    """The chunk id as stored: one version of a document never shares a row with another."""
    tag = "-" + file_hash[:8]
    return c if not file_hash or c.id.endswith(tag) else replace(c, id=c.id + tag)


class Transaction:
    """One generation: ``put``/``delete`` stage changes, leaving the ``with`` block commits them.

    Each ``put_many`` batch becomes a segment of the lexical index when ``seal`` is called (the ingest
    driver does so as soon as the batch's tokens are ready; the commit seals what is left), so a large
    ingest never holds more than a batch or two of chunks."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.base = LexicalIndex.empty()
        self.gen = 0
        self.docs: dict[str, Staged] = {}
        self.removed: set[str] = set()
        self.started = False
        self.committed = False
        self._hold: Any = None
        self._lex_bytes = 0
        self._staged_rows = 0
        self._staged_bytes = 0
        self._pending: list[list[Chunk]] = []
        self._old_ids: list[str] = []
        self._killed: set[str] = set()
        self.lex = LexicalWriter(kb.lexical_root, kb.analyzer, 0, self.base)

    def __enter__(self) -> Transaction:
        self._hold = self.kb.writing()
        self._hold.__enter__()
        try:
            self.base = self.kb.lexical_locked()
            self.gen = max(self.kb.generation(), self.base.generation) + 1
            self.lex = LexicalWriter(self.kb.lexical_root, self.kb.analyzer, self.gen, self.base)
        except BaseException:
            self._hold.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, et: Any, ev: Any, tb: Any) -> None:
        try:
            if et is None:
                try:
                    self.commit()
                except BaseException:
                    self.rollback()
                    raise
            else:
                self.rollback()
        finally:
            self._hold.__exit__(None, None, None)

    # ---- staging ------------------------------------------------------------------------------
    def file_hashes(self) -> dict[str, str]:
        return {s: str(d.get("hash", "")) for s, d in self.base.docs.items()}

    def _begin(self) -> None:
        if self.started:
            return
        base_dir = self.kb.lexical_root / (self.kb.state().lexical or "")
        self._lex_bytes = dir_bytes(base_dir) if self.kb.state().lexical else 0
        self._guard(lambda: journal.write_journal(self.kb, {"generation": self.gen, "status": "writing"}), [])
        self.started = True

    def _needed(self, extra: list[Chunk], whole: bool = True) -> int:
        """Bytes the batch needs (``whole``) or still has to write: Chroma rows and the lexical segments
        (measured ~4.7x the text)."""
        extra_bytes = sum(len(c.text.encode("utf-8")) for c in extra)
        staged_bytes = self._staged_bytes + extra_bytes
        lex = self._lex_bytes + 5 * staged_bytes + 200 * (self._staged_rows + len(extra))
        rows = row_bytes(self._staged_rows + len(extra), staged_bytes) if whole else rows_bytes(extra)
        return rows + lex + 8 * _MB

    def _guard(self, fn: Callable[[], None], extra: list[Chunk]) -> None:
        try:
            fn()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # a Rust panic in Chroma arrives as a BaseException
            # Chroma reports a full disk as e.g. "Error in compaction: Failed to apply logs to the metadata
            # segment", so the free space decides when the message does not
            needed = self._needed(extra)
            if is_disk_full(exc) or free_bytes(self.kb.data_dir) < needed:
                raise disk_full(self.kb.data_dir, needed) from exc
            raise

    def put(self, source: str, chunks: list[Chunk], file_hash: str, fmt: str) -> None:
        """Stage a document's new version (written to Chroma now, visible after the commit)."""
        self.put_many([(source, chunks, file_hash, fmt)])

    def put_many(self, docs: list[tuple[str, list[Chunk], str, str]]) -> None:
        """Stage several documents with as few Chroma writes as possible (a write per file is ~50x slower)."""
        if not docs:
            return
        self._begin()
        staged: list[tuple[str, list[Chunk], str, str]] = []
        for source, chunks, file_hash, fmt in docs:
            if source in self.docs:
                self._unstage(source)
            staged.append((source, [versioned(c, file_hash) for c in chunks], file_hash, fmt))
        rows = [(c, fh, fmt) for _, chunks, fh, fmt in staged for c in chunks]
        new = [c for c, _, _ in rows]
        self._preflight(new)
        self._guard(lambda: self._write_rows(rows), new)
        batch: list[Chunk] = []
        for source, chunks, file_hash, fmt in staged:
            self._retire(source)
            self.docs[source] = Staged([c.id for c in chunks], doc_entry(chunks, file_hash, fmt, ""), chunks)
            self.removed.discard(source)
            batch.extend(chunks)
        self._pending.append(batch)
        self._staged_rows += len(new)
        self._staged_bytes += sum(len(c.text.encode("utf-8")) for c in new)

    def seal(self, tokens: dict[str, list[str]] | None = None) -> None:
        """Write the oldest staged batch into a segment (word tokens from ``tokens``, primed, or cut now)."""
        if not self._pending:
            return
        batch = self._pending.pop(0)
        toks = batch_tokens(batch, tokens, self.kb._primed)
        out: list[Any] = []
        self._guard(lambda: out.append(self.lex.seal(batch, toks)), [])
        seg = out[0]
        for c in batch:
            st = self.docs.get(c.source)
            if st is not None and st.chunks is not None:
                st.chunks, st.entry["seg"] = None, seg.name if seg is not None else ""

    def _preflight(self, extra: list[Chunk]) -> None:
        """Refuse before writing when the disk clearly lacks the room (the estimate errs on the high side)."""
        if free_bytes(self.kb.data_dir) < self._needed(extra, whole=False):
            raise disk_full(self.kb.data_dir, self._needed(extra))

    def _retire(self, source: str) -> None:
        """The committed version of ``source`` leaves with this generation: tombstoned, its rows listed
        for deletion after the commit."""
        if source in self._killed or source not in self.base.docs:
            return
        self._killed.add(source)
        seg = self.lex.segment_of(source, str(self.base.docs[source].get("seg", "")))
        if seg is not None and source in seg.ranges:
            a, b = seg.ranges[source]
            self._old_ids.extend(seg.ids[a:b])
            self.lex.kill(seg.name, a, b)

    @property
    def rows_carry_tokens(self) -> bool:
        """Server mode: each row stores its chunk's tokens, so they are needed before it is written."""
        return bool(self.kb.server)

    def prime(self, tokens: dict[str, list[str]] | None) -> None:
        """Tokens cut elsewhere (the token workers), used by the rows and the segment instead of jieba here."""
        if tokens:
            self.kb.prime_tokens(tokens)

    def _tokens(self, c: Chunk) -> dict[str, str]:
        """Server mode: the chunk's word tokens (and its header's) go into the row, so another process
        rebuilds its lexical index without running jieba; computed once, reused by the commit's build."""
        primed = self.kb._primed
        toks = primed.get(c.content_hash)
        if toks is None:
            toks = primed[c.content_hash] = self.kb.analyzer.words(c.text)
        key = header_key(f"{c.title} {c.section}")
        head = primed.get(key)
        if head is None:
            head = primed[key] = self.kb.analyzer.words(f"{c.title} {c.section}")
        return {"tokens": " ".join(toks), "htokens": " ".join(head)}

    def _write_rows(self, rows: list[tuple[Chunk, str, str]]) -> None:
        col = self.kb.collection()
        dense_col = self.kb.dense_collection()
        for i in range(0, len(rows), _BATCH):
            self.kb.proc_lock.verify()  # server mode: no row is written under a lapsed lease
            part = [c for c, _, _ in rows[i : i + _BATCH]]
            server = self.kb.server
            metas = [_meta(c, fh, fmt, self.gen, self._tokens(c) if server else None) for c, fh, fmt in rows[i : i + _BATCH]]
            col.upsert(ids=[c.id for c in part], metadatas=metas, embeddings=_row_vectors(col, part))
            if dense_col is not None:
                self.kb.add_dense_rows(dense_col, part, self.gen)

    def _unstage(self, source: str) -> None:
        st = self.docs.pop(source)
        for col in self.kb.collections():
            delete_ids(col, st.ids)
        if st.chunks is not None:  # not sealed yet
            self._pending = [[c for c in b if c.source != source] for b in self._pending]
        else:
            seg = self.lex.segment_of(source, str(st.entry.get("seg", "")))
            if seg is not None and source in seg.ranges:
                self.lex.kill(seg.name, *seg.ranges[source])

    def delete(self, source: str) -> None:
        """Stage the removal of a document (its rows go after the commit)."""
        self._begin()
        if source in self.docs:
            self._unstage(source)
        if source in self.base.docs:
            self.removed.add(source)
            self._retire(source)

    # ---- commit / rollback --------------------------------------------------------------------
    def commit(self, progress: Callable[[int, int], None] | None = None) -> LexicalIndex:
        if self.committed or not self.started:
            return self.base
        kb, base = self.kb, self.base
        gone = self.removed | set(self.docs)
        name = journal.gen_dir(self.gen)

        def write() -> None:
            while self._pending:
                self.seal()
            self.lex.maybe_merge()
            docs: DocManifest = {s: d for s, d in base.docs.items() if s not in gone}
            docs.update({s: st.entry for s, st in self.docs.items()})
            lex = self.lex.index(docs, kb.analyzer.fingerprint)
            lex.save(kb.lexical_root / name)
            journal.write_journal(kb, {"generation": self.gen, "status": "commit", "old_ids": self._old_ids})
            kb.write_state(self.gen, name)  # the commit point
            kb._lexical = lex

        self._guard(write, [])
        kb._primed = {}
        self.committed = True
        try:  # clean-up: a failure here loses nothing (the journal lets the next writer redo it)
            for col in kb.collections():
                delete_ids(col, self._old_ids)
            journal.tidy(kb)
            journal.clear_journal(kb)
        except Exception as exc:
            log.info(
                "clean-up after generation %d incomplete (%s); the next write finishes it", self.gen, exc
            )
        assert kb._lexical is not None
        return kb._lexical

    def rollback(self) -> None:
        if self.committed or not self.started:
            return
        if self.kb.proc_lock.lost:  # server lease lapsed: the next holder rolls us back
            log.warning("write lease lost: generation %d left for the next writer to roll back", self.gen)
            self.kb._primed = {}
            self.started = False
            return
        try:
            journal.drop_generation(self.kb, self.gen)
            journal.tidy(self.kb)
            journal.clear_journal(self.kb)
        except Exception as exc:  # e.g. still no space: the journal stays, the next writer finishes
            log.info("rollback of generation %d incomplete (%s); the next write finishes it", self.gen, exc)
        finally:
            self.kb._primed = {}
        self.started = False


def _row_vectors(col: Any, part: list[Chunk]) -> Any:
    """The vectors Chroma requires with every row. Nothing ranks on them (bench/hashed_vector.py measured
    the model-free hashed n-gram vector: no gain on any dev set), so new collections get a constant
    one-dimensional placeholder; a collection made before keeps its 256-dimensional hashed vectors."""
    dim = getattr(getattr(col, "_model", None), "dimension", None)
    if dim in (None, 1):
        return placeholder_vectors(len(part))
    return hashed_vectors([f"{c.section} {c.text}" for c in part])
