"""Chroma rows of chunks: their layout, and reading and deleting them page by page (no query binds more
variables than SQLite allows: a single unpaged metadata read fails past 32,766 rows with "too many SQL
variables").

Layout: a row's metadata holds the keys that ``where=`` filters use (``source``, ``gen``) and the file
hash as plain keys; everything else, the chunk text included, is one JSON string under ``row`` (ASCII
escapes), and the row has no Chroma document. Chroma's embedded store indexes every metadata key and
every document (a trigram full-text index), and it writes non-ASCII strings far more slowly than ASCII
ones: this layout cut the rows' write time about threefold (bench/ingest_profile.py). Rows written before
(text as the document, one metadata key per field) are still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sizheng_bot.types import Chunk

PAGE = 5000  # rows per Chroma read or delete


ROW = "row"  # metadata key of the packed fields


def row_metadata(c: Chunk, file_hash: str, fmt: str, gen: int, extra: dict[str, str] | None = None) -> dict[str, Any]:
    """A chunk's metadata as written: filter keys plain, the rest (text included) packed under ``row``."""
    packed: dict[str, Any] = {
        "title": c.title, "section": c.section, "page": c.page if c.page is not None else -1,
        "position": c.position, "start": c.start, "end": c.end, "content_hash": c.content_hash,
        "format": fmt, "ocr": c.ocr, "text": c.text, **(extra or {}),
    }  # fmt: skip
    return {"source": c.source, "gen": gen, "file_hash": file_hash, ROW: json.dumps(packed, separators=(",", ":"))}


def row_fields(text: str | None, m: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """(text, flat metadata) of a row in either layout (packed ``row`` key, or the text as the document)."""
    m = dict(m or {})
    raw = m.pop(ROW, None)
    if isinstance(raw, str):
        packed = json.loads(raw)
        return str(packed.pop("text", text or "")), {**packed, **m}
    return text or "", m


def chunk_from_row(cid: str, text: str, m: dict[str, Any]) -> Chunk:
    page = int(m.get("page", -1))
    return Chunk(
        id=cid, source=m["source"], title=m.get("title", ""), section=m.get("section", ""), text=text,
        position=int(m.get("position", 0)), page=page if page >= 0 else None, start=int(m.get("start", 0)),
        end=int(m.get("end", 0)), content_hash=m.get("content_hash", ""), ocr=bool(m.get("ocr", False)),
    )  # fmt: skip


def paged_ids(col: Any, where: dict[str, Any] | None = None) -> list[str]:
    out: list[str] = []
    for got in paged_get(col, [], where):
        out.extend(got["ids"])
    return out


def paged_get(col: Any, include: list[str], where: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    offset = 0
    while True:
        got = col.get(where=where, include=include, limit=PAGE, offset=offset)
        if not got["ids"]:
            return
        yield got
        if len(got["ids"]) < PAGE:
            return
        offset += len(got["ids"])


def delete_ids(col: Any, ids: list[str]) -> None:
    for i in range(0, len(ids), PAGE):
        col.delete(ids=ids[i : i + PAGE])
