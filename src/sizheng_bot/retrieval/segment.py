"""Immutable on-disk segments of the lexical index (Lucene-like): one per flushed ingest batch or merge.

A segment directory holds, for each view (``word``: jieba tokens with the chunk's header, ``char``:
character bigrams), the sorted 64-bit term keys, CSC postings (local doc, raw term frequency) and the
doc lengths; plus its chunks (one JSON record per chunk in ``chunks.bin``, offsets in ``chunks.off.npy``)
and a table of its sources (each source's chunks are contiguous, in position order). Every array is
opened with mmap, so a segment costs almost no memory until a query touches it; BM25 is computed at
query time from raw tf with global statistics (``lexical.py``), so adding a segment rewrites no other.
Segments are written into ``<name>.tmp`` and renamed into place: a crash leaves no half segment.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import astuple
from functools import cached_property
from pathlib import Path

import numpy as np

from sizheng_bot.types import Chunk

VIEWS = ("word", "char")
_META = "segment.json"
_BLOB = "chunks.bin"
_OFF = "chunks.off.npy"
_IDS = "ids.json"
_TF_MAX = np.iinfo(np.uint16).max


def term_key(token: str) -> int:
    """The 64-bit key a term is stored and looked up under (blake2b-8 of its UTF-8 bytes)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def _keys(tokens: Iterable[str]) -> np.ndarray:
    return np.fromiter((term_key(t) for t in tokens), dtype=np.int64)


def _postings(docs: Sequence[Sequence[str]]) -> dict[str, np.ndarray]:
    """Sorted term keys, CSC postings (doc ids ascending per term) and doc lengths of tokenised docs."""
    n = len(docs)
    vocab: dict[str, int] = {}
    flat: list[int] = []
    lens = np.empty(n, dtype=np.int32)
    for d, toks in enumerate(docs):
        flat.extend([vocab.setdefault(t, len(vocab)) for t in toks])
        lens[d] = len(toks)
    terms, inv = np.unique(_keys(vocab), return_inverse=True)  # equal keys (a hash collision) merge
    tok = inv.astype(np.int64)[np.asarray(flat, dtype=np.int64)] if flat else np.empty(0, np.int64)
    doc = np.repeat(np.arange(n, dtype=np.int64), lens)
    pair, tf = np.unique(tok * max(n, 1) + doc, return_counts=True)
    term_of = pair // max(n, 1)
    indptr = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(np.bincount(term_of, minlength=len(terms)), out=indptr[1:])
    return {
        "terms": terms, "indptr": indptr, "docs": (pair % max(n, 1)).astype(np.int32),
        "tf": np.minimum(tf, _TF_MAX).astype(np.uint16), "len": lens,
    }  # fmt: skip


def _encode(c: Chunk) -> bytes:
    return json.dumps(astuple(c), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _source_table(sources: Sequence[str]) -> tuple[list[str], list[int]]:
    names: list[str] = []
    starts: list[int] = []
    for i, s in enumerate(sources):
        if not names or names[-1] != s:
            names.append(s)
            starts.append(i)
    return names, starts + [len(sources)]


def _write(directory: Path, arrays: dict[str, dict[str, np.ndarray]], records: Iterable[bytes],
           ids: list[str], sources: list[str]) -> None:  # fmt: skip
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        for view, parts in arrays.items():
            for part, arr in parts.items():
                np.save(tmp / f"{view}.{part}.npy", arr)
        offsets = [0]
        with (tmp / _BLOB).open("wb") as fh:
            for rec in records:
                fh.write(rec)
                offsets.append(offsets[-1] + len(rec))
        np.save(tmp / _OFF, np.asarray(offsets, dtype=np.int64))
        names, starts = _source_table(sources)
        (tmp / _IDS).write_text(json.dumps(ids, ensure_ascii=False), "utf-8")
        meta = {"chunks": len(ids), "sources": names, "starts": starts}
        (tmp / _META).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        tmp.rename(directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_segment(directory: Path, chunks: Sequence[Chunk], word_docs: Sequence[Sequence[str]],
                  char_docs: Sequence[Sequence[str]]) -> Segment:  # fmt: skip
    """A new segment of ``chunks`` (grouped by source, in position order) and their token lists."""
    arrays = {"word": _postings(word_docs), "char": _postings(char_docs)}
    _write(directory, arrays, map(_encode, chunks), [c.id for c in chunks], [c.source for c in chunks])
    return Segment(directory)


def merge_segments(directory: Path, parts: Sequence[tuple[Segment, np.ndarray | None]]) -> Segment:
    """One segment of the live chunks (``alive`` mask, None = all) of several, in the given order.

    Postings are concatenated per term without sorting (doc ids of a later part are all higher), so the
    memory is about the size of the output."""
    masks = [np.ones(s.n, dtype=bool) if a is None else np.asarray(a, dtype=bool) for s, a in parts]
    newid = []
    base = 0
    for mask in masks:
        newid.append(np.cumsum(mask, dtype=np.int64) - 1 + base)
        base += int(mask.sum())
    arrays: dict[str, dict[str, np.ndarray]] = {}
    for view in VIEWS:
        kept = []
        for (seg, _), mask, remap in zip(parts, masks, newid, strict=True):
            v = seg.view(view)
            term_of = np.repeat(np.arange(len(v["terms"]), dtype=np.int64), np.diff(v["indptr"]))
            live = mask[v["docs"]]
            kept.append((v["terms"][term_of[live]], remap[v["docs"][live]].astype(np.int32), v["tf"][live]))
        terms = np.unique(np.concatenate([k[0] for k in kept])) if kept else np.empty(0, np.int64)
        counts = np.zeros(len(terms), dtype=np.int64)
        where = [np.searchsorted(terms, k[0]) for k in kept]
        for w in where:
            counts += np.bincount(w, minlength=len(terms))
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        docs = np.empty(int(indptr[-1]), dtype=np.int32)
        tf = np.empty(int(indptr[-1]), dtype=np.uint16)
        cursor = indptr[:-1].copy()
        for (_, d, t), w in zip(kept, where, strict=True):  # w is sorted: postings of a part are term-major
            first = np.searchsorted(w, w, side="left")
            dest = cursor[w] + (np.arange(len(w)) - first)
            docs[dest], tf[dest] = d, t
            cursor += np.bincount(w, minlength=len(terms))
        lens = np.concatenate([seg.view(view)["len"][m] for (seg, _), m in zip(parts, masks, strict=True)])
        arrays[view] = {"terms": terms, "indptr": indptr, "docs": docs, "tf": tf, "len": lens.astype(np.int32)}
    ids = [i for (seg, _), m in zip(parts, masks, strict=True) for i in np.asarray(seg.ids)[m].tolist()]
    sources = [s for (seg, _), m in zip(parts, masks, strict=True) for s in seg.sources_of(m)]
    records = (seg.record(int(i)) for (seg, _), m in zip(parts, masks, strict=True) for i in np.flatnonzero(m))
    _write(directory, arrays, records, ids, sources)
    return Segment(directory)


def _mapped(path: Path) -> np.ndarray:
    """An .npy file mapped read-only, as a plain ndarray (slicing a np.memmap costs ~10 µs more each)."""
    return np.load(path, mmap_mode="r").view(np.ndarray)


class Segment:
    """A read-only segment opened with mmap."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory)
        self.name = self.path.name
        meta = json.loads((self.path / _META).read_text("utf-8"))
        self.n = int(meta["chunks"])
        self.source_names: list[str] = meta["sources"]
        self.source_starts: list[int] = meta["starts"]
        # everything is opened now: a later generation may delete this directory while we still read it
        self._views = {v: {p: _mapped(self.path / f"{v}.{p}.npy") for p in ("terms", "indptr", "docs", "tf", "len")}
                       for v in VIEWS}  # fmt: skip
        self._ids_file = (self.path / _IDS).open("rb")
        self._off = _mapped(self.path / _OFF)
        with (self.path / _BLOB).open("rb") as fh:
            self._blob = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if self.n else b""

    @cached_property
    def ids(self) -> list[str]:
        fd = self._ids_file.fileno()
        return list(json.loads(os.pread(fd, os.fstat(fd).st_size, 0)))

    def view(self, view: str) -> dict[str, np.ndarray]:
        return self._views[view]

    def record(self, i: int) -> bytes:
        return bytes(self._blob[int(self._off[i]) : int(self._off[i + 1])])

    def chunk(self, i: int) -> Chunk:
        return Chunk(*json.loads(self.record(i)))

    @cached_property
    def ranges(self) -> dict[str, tuple[int, int]]:
        """source -> (first, end) local positions (the last range when a name repeats)."""
        st = self.source_starts
        return {s: (st[k], st[k + 1]) for k, s in enumerate(self.source_names)}

    def sources_of(self, mask: np.ndarray) -> list[str]:
        """The source of each chunk selected by ``mask``."""
        st = self.source_starts
        sizes: np.ndarray = np.diff(np.asarray(st, dtype=np.int64))
        per = np.repeat(np.arange(len(self.source_names)), sizes)
        return [self.source_names[k] for k in per[mask].tolist()]
