"""Rebuilding a committed generation's lexical index from the Chroma rows, streamed into segments.

Two paged passes: the metadata (which version of each document is committed; rows of no committed
version are strays), then the committed rows fetched a group of documents at a time, each group sealed
into a segment. Word tokens come from the rows when a writer stored them (server mode), from a format-2
token cache being migrated, or are cut now. Memory is one group, whatever the size of the collection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from sizheng_bot.retrieval.lexical import DocManifest, LexicalIndex, header_key
from sizheng_bot.retrieval.lexwrite import LexicalWriter, doc_entry
from sizheng_bot.retrieval.rows import PAGE, chunk_from_row, paged_get, row_fields
from sizheng_bot.types import Chunk

log = logging.getLogger(__name__)

GROUP = 5000  # rows per segment written by a rebuild (merged afterwards as usual)


def committed_layout(col: Any, generation: int) -> tuple[list[tuple[str, int, str]], list[str]]:
    """(source, position, id) of the committed rows in index order, and the ids of stray rows."""
    rows: list[tuple[str, int, str, int]] = []
    best: dict[str, int] = {}
    stray: list[str] = []
    for got in paged_get(col, ["metadatas"]):
        for cid, raw in zip(got["ids"], got["metadatas"], strict=True):
            _, m = row_fields(None, raw)
            g = int(m.get("gen", -1))
            if g > generation:
                stray.append(cid)
                continue
            rows.append((m["source"], int(m.get("position", 0)), cid, g))
            best[m["source"]] = max(best.get(m["source"], -1), g)
    keep = []
    for source, position, cid, g in rows:
        if g == best[source]:
            keep.append((source, position, cid))
        else:
            stray.append(cid)
    keep.sort()
    return keep, stray


def _groups(keep: list[tuple[str, int, str]]) -> list[list[str]]:
    """Ids in groups of about ``GROUP`` rows, never splitting a document."""
    out: list[list[str]] = []
    cur: list[str] = []
    for i, (source, _, cid) in enumerate(keep):
        if len(cur) >= GROUP and keep[i - 1][0] != source:
            out.append(cur)
            cur = []
        cur.append(cid)
    return out + ([cur] if cur else [])


def rebuild(
    kb: Any,
    generation: int,
    cache: dict[str, list[str]],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[LexicalIndex, list[str]]:
    """The lexical index of ``generation`` from the rows, and the stray row ids found on the way."""
    t0 = time.perf_counter()
    writer = LexicalWriter(kb.lexical_root, kb.analyzer, generation, LexicalIndex.empty())
    if not kb.exists():
        return writer.index({}, kb.analyzer.fingerprint), []
    col = kb.collection()
    keep, stray = committed_layout(col, generation)
    docs: DocManifest = {}
    done = 0
    for ids in _groups(keep):
        chunks: list[Chunk] = []
        metas: dict[str, dict[str, Any]] = {}
        tokens: dict[str, list[str]] = {}
        for i in range(0, len(ids), PAGE):
            got = col.get(ids=ids[i : i + PAGE], include=["documents", "metadatas"])
            for cid, doc, raw in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                text, m = row_fields(doc, raw)
                c = chunk_from_row(cid, text, m)
                chunks.append(c)
                metas.setdefault(c.source, m)
                _row_tokens(c, m, cache, tokens)
        seg = writer.seal(chunks, tokens)
        by_source: dict[str, list[Chunk]] = {}
        for c in chunks:
            by_source.setdefault(c.source, []).append(c)
        for source, cs in by_source.items():
            m = metas[source]
            docs[source] = doc_entry(cs, str(m.get("file_hash", "")), str(m.get("format", "")), seg.name if seg else "")
        done += len(ids)
        if progress:
            progress(done, len(keep))
    log.info("lexical index rebuilt from Chroma: %d chunks in %.2fs", len(keep), time.perf_counter() - t0)
    return writer.index(docs, kb.analyzer.fingerprint), stray


def _row_tokens(c: Chunk, m: dict[str, Any], cache: dict[str, list[str]], out: dict[str, list[str]]) -> None:
    """Word tokens of a row's chunk and header, when known without cutting them."""
    head = header_key(f"{c.title} {c.section}")
    if isinstance(m.get("tokens"), str):
        out[c.content_hash] = m["tokens"].split(" ") if m["tokens"] else []
        if isinstance(m.get("htokens"), str):
            out[head] = m["htokens"].split(" ") if m["htokens"] else []
    for key in (c.content_hash, head):
        if key not in out and key in cache:
            out[key] = cache[key]
