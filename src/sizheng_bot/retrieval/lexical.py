"""BM25 beside Chroma: one view over jieba word tokens, one over character bigrams, on immutable segments.

A committed generation is a directory (``lexical/g000012``) naming its segments (``lexical/segments/…``,
see ``segment.py``), a tombstone mask for each segment with deleted chunks, and the manifest of documents
(source -> file hash, format, chunk count, characters, title, segment). The store writes the next
generation's directory completely, then commits it by naming it in ``state.json``; a new generation adds
segments and tombstones and never rewrites the segments it keeps. Scores are BM25 as bm25s computes
them by default (k1=1.2, b=0.75, Lucene idf ``log(1 + (N - df + .5) / (df + .5))``, tf/(tf + k1(1 - b +
b·dl/avgdl))), with N, df and avgdl over the live chunks of all segments. Chunks are read from disk for
the hits only. Search needs only these files (no Chroma import), which keeps cold start short.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import BinaryIO, overload

import numpy as np

from sizheng_bot.retrieval.segment import Segment, term_key
from sizheng_bot.types import Chunk

log = logging.getLogger(__name__)

FORMAT_VERSION = 3
SEGMENTS = "segments"  # directory under lexical/ holding every generation's segments
K1, B = 1.2, 0.75
_META = "meta.json"
_DOCS = "docs.json"
_TOKENS = "tokens.json"  # format 2 only: the token cache, read once when such a directory is migrated
DocManifest = dict[str, dict[str, object]]  # source -> {"hash", "format", "chunks", "chars", "title", "seg"}


def header_key(title_and_section: str) -> str:
    """Token-cache key of a chunk's title + section line (chunks use their content hash)."""
    return "h:" + title_and_section


@lru_cache(maxsize=65536)
def _key(token: str) -> int:
    return term_key(token)


class LexicalIndex:
    """Two BM25 views over the live chunks of an ordered list of segments."""

    def __init__(
        self,
        segments: Sequence[Segment],
        dead: dict[str, np.ndarray] | None,
        generation: int,
        docs: DocManifest | None = None,
        token_key: str = "",
    ) -> None:
        self.segments = list(segments)
        self.dead = {s.name: dead[s.name] for s in self.segments if dead and s.name in dead}
        self.generation = generation
        self._docs = docs
        self._docs_file: BinaryIO | None = None  # read on first use (search does not need the manifest)
        self._docs_lock = threading.Lock()
        self.token_key = token_key  # the analyzer's fingerprint the word tokens were cut with
        sizes = [s.n for s in self.segments]
        self._offsets = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64)
        self._alive = {n: ~m for n, m in self.dead.items()}
        if self.dead:
            self._live: np.ndarray | None = np.concatenate(
                [np.flatnonzero(self._alive[s.name]) + o if s.name in self._alive else np.arange(s.n) + o
                 for s, o in zip(self.segments, self._offsets, strict=False)]  # fmt: skip
            ).astype(np.int64)
            self.n = len(self._live)
        else:
            self._live = None
            self.n = int(self._offsets[-1])
        self.chunks = ChunkList(self)
        self._norms: dict[tuple[str, str], np.ndarray] = {}

    @property
    def docs(self) -> DocManifest:
        if self._docs is None:
            with self._docs_lock:
                if self._docs is None:
                    fh = self._docs_file
                    self._docs = json.loads(os.pread(fh.fileno(), os.fstat(fh.fileno()).st_size, 0)) if fh else {}
                    self._docs_file = None
        return self._docs

    @classmethod
    def empty(cls, generation: int = 0) -> LexicalIndex:
        return cls([], None, generation)

    def __len__(self) -> int:
        return self.n

    def alive(self, seg: Segment) -> np.ndarray | None:
        """Mask of the segment's live chunks (None: all live)."""
        return self._alive.get(seg.name)

    def live_count(self, seg: Segment) -> int:
        a = self.alive(seg)
        return seg.n if a is None else int(a.sum())

    # ---- positions ----------------------------------------------------------------------------
    def locate(self, i: int) -> tuple[Segment, int]:
        slot = int(self._live[i]) if self._live is not None else int(i)
        k = int(np.searchsorted(self._offsets, slot, side="right")) - 1
        return self.segments[k], slot - int(self._offsets[k])

    @cached_property
    def pos(self) -> dict[str, int]:
        """chunk id -> position among the live chunks (read on first use)."""
        ids: list[str] = []
        for s in self.segments:
            a = self.alive(s)
            ids.extend(s.ids if a is None else np.asarray(s.ids, dtype=object)[a].tolist())
        return {cid: i for i, cid in enumerate(ids)}

    # ---- scoring -----------------------------------------------------------------------------
    def _avgdl(self, view: str) -> float:
        total = 0
        for s in self.segments:
            lens = s.view(view)["len"]
            a = self.alive(s)
            total += int(lens.sum() if a is None else lens[a].sum())
        return total / self.n if self.n else 0.0

    @cached_property
    def _avg(self) -> dict[str, float]:
        return {v: self._avgdl(v) for v in ("word", "char")}

    def _norm(self, seg: Segment, view: str) -> np.ndarray:
        """k1·(1 - b + b·dl/avgdl) of each chunk of a segment (computed once per generation)."""
        key = (seg.name, view)
        out = self._norms.get(key)
        if out is None:
            avg = self._avg[view] or 1.0
            out = self._norms[key] = (K1 * (1 - B) + K1 * B / avg * seg.view(view)["len"]).astype(np.float32)
        return out

    def scores(self, view: str, weighted_terms: Sequence[tuple[Sequence[str], float]]) -> np.ndarray:
        """Sum of BM25 scores of each term group times its weight, over all live chunks."""
        weights: dict[str, float] = {}
        for group, weight in weighted_terms:
            if weight:
                for t in group:  # a repeated term counts again, as in bm25s
                    weights[t] = weights.get(t, 0.0) + weight
        if not self.n or not weights:
            return np.zeros(self.n, dtype=np.float32)
        keys = np.fromiter((_key(t) for t in weights), dtype=np.int64, count=len(weights))
        wts = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
        df = np.zeros(len(keys), dtype=np.int64)
        found: list[tuple[int, Segment, np.ndarray, np.ndarray, np.ndarray]] = []
        for k, seg in enumerate(self.segments):
            v = seg.view(view)
            terms = v["terms"]
            if not len(terms):
                continue
            idx = np.minimum(np.searchsorted(terms, keys), len(terms) - 1)
            q = np.flatnonzero(terms[idx] == keys)
            if not len(q):
                continue
            lo, hi = v["indptr"][idx[q]], v["indptr"][idx[q] + 1]
            cnt = (hi - lo).astype(np.int64)
            at = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(int(cnt.sum()))
            docs, tf, qq = v["docs"][at], v["tf"][at], np.repeat(q, cnt)
            a = self.alive(seg)
            if a is not None:
                keep = a[docs]
                docs, tf, qq = docs[keep], tf[keep], qq[keep]
            df += np.bincount(qq, minlength=len(keys))
            found.append((k, seg, docs, tf, qq))
        total = np.zeros(int(self._offsets[-1]), dtype=np.float32)
        idf = (np.log1p((self.n - df + 0.5) / (df + 0.5)) * wts).astype(np.float32)
        for k, seg, docs, tf, qq in found:
            tff = tf.astype(np.float32)
            s = idf[qq] * tff / (tff + self._norm(seg, view)[docs])
            o = int(self._offsets[k])
            total[o : o + seg.n] += np.bincount(docs, weights=s, minlength=seg.n).astype(np.float32)
        return total if self._live is None else total[self._live]

    def has_term(self, view: str, term: str) -> bool:
        key = _key(term)
        for s in self.segments:
            terms = s.view(view)["terms"]
            i = int(np.searchsorted(terms, key))
            if i < len(terms) and int(terms[i]) == key:
                return True
        return False

    # ---- persist -----------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write the generation into ``<directory>.tmp`` and rename it into place (the segments are
        already on disk); on any failure nothing is left behind."""
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir(parents=True)
            for name, mask in self.dead.items():
                np.save(tmp / f"dead.{name}.npy", mask)
            (tmp / _DOCS).write_text(json.dumps(self.docs, ensure_ascii=False), "utf-8")
            meta = {"format": FORMAT_VERSION, "generation": self.generation, "chunks": self.n,
                    "token_key": self.token_key, "segments": [s.name for s in self.segments]}  # fmt: skip
            (tmp / _META).write_text(json.dumps(meta), "utf-8")
            if directory.exists():  # a repair of the same generation
                shutil.rmtree(directory)
            tmp.rename(directory)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @staticmethod
    def saved_meta(directory: Path) -> dict[str, object]:
        try:
            meta = json.loads((directory / _META).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return meta if isinstance(meta, dict) else {}

    @classmethod
    def saved_generation(cls, directory: Path) -> int | None:
        meta = cls.saved_meta(directory)
        if meta.get("format") != FORMAT_VERSION:
            return None
        return int(meta["generation"])  # type: ignore[call-overload]

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        meta = cls.saved_meta(directory)
        if meta.get("format") != FORMAT_VERSION:
            raise FileNotFoundError(directory)
        root = directory.parent / SEGMENTS
        segments = [Segment(root / str(name)) for name in meta["segments"]]  # type: ignore[attr-defined]
        dead = {s.name: np.load(directory / f"dead.{s.name}.npy") for s in segments
                if (directory / f"dead.{s.name}.npy").exists()}  # fmt: skip
        lex = cls(segments, dead, int(meta["generation"]), None, str(meta.get("token_key", "")))  # type: ignore[call-overload]
        lex._docs_file = (directory / _DOCS).open("rb")  # open now: a later generation may delete the directory
        return lex

    @staticmethod
    def load_tokens(directory: Path, token_key: str | None = None) -> dict[str, list[str]]:
        """The token cache of a format-2 directory (migrated once); empty when it was cut by another
        analyzer (``token_key``) or there is none."""
        meta = LexicalIndex.saved_meta(directory)
        if token_key is not None and str(meta.get("token_key", "")) != token_key:
            return {}
        try:
            raw = json.loads((directory / _TOKENS).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return {h: s.split(" ") if s else [] for h, s in raw.items()}


class ChunkList(Sequence[Chunk]):
    """The live chunks in index order, decoded from the segments on access."""

    def __init__(self, lex: LexicalIndex) -> None:
        self.lex = lex

    def __len__(self) -> int:
        return self.lex.n

    @overload
    def __getitem__(self, i: int) -> Chunk: ...
    @overload
    def __getitem__(self, i: slice) -> list[Chunk]: ...
    def __getitem__(self, i: int | slice) -> Chunk | list[Chunk]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.lex.n))]
        if i < 0:
            i += self.lex.n
        if not 0 <= i < self.lex.n:
            raise IndexError(i)
        seg, local = self.lex.locate(i)
        return seg.chunk(local)

    def __iter__(self) -> Iterator[Chunk]:
        for s in self.lex.segments:
            a = self.lex.alive(s)
            for j in range(s.n) if a is None else np.flatnonzero(a).tolist():
                yield s.chunk(j)
