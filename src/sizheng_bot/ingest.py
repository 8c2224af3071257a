"""Ingest pipeline: files -> loaders -> cleaning -> splitting -> index. One bad file never spoils a batch."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal

from .clean import clean_document
from .errors import LoadError, SizhengError
from .index import KnowledgeBase
from .loaders import is_supported, load
from .split import split_document
from .types import FileReport, IngestReport

log = logging.getLogger(__name__)

# knowledge/ also holds our dictionary and synonym table: never documents
RESERVED = {"domain_dict.txt", "synonyms.txt", "readme.md"}
Progress = Callable[[int, int, str], None]


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under the given paths (directories recursively, sorted), skipping hidden and reserved names."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                    if f.name.lower() not in RESERVED:
                        yield f
        else:
            yield p


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def ingest(
    kb: KnowledgeBase,
    paths: Iterable[Path],
    chunk_size: int = 260,
    overlap: int = 1,
    progress: Progress | None = None,
    names: dict[Path, str] | None = None,
) -> IngestReport:
    """Add or update documents; unchanged files are skipped; failures are reported per file."""
    t0 = time.perf_counter()
    files = list(iter_files(paths))
    report = IngestReport()
    with kb.lock:
        known = kb.file_hashes()
        changed = False
        for i, path in enumerate(files):
            source = (names or {}).get(path, path.name)
            if progress:
                progress(i, len(files), source)
            rep = _ingest_one(kb, path, source, known, chunk_size, overlap)
            changed |= rep.status in ("added", "updated")
            report.files.append(rep)
        if progress:
            progress(len(files), len(files), "")
        if changed or kb.generation() > 0:
            kb.lexical()  # rebuild the BM25 side once per batch
    report.seconds = time.perf_counter() - t0
    return report


def _ingest_one(
    kb: KnowledgeBase, path: Path, source: str, known: dict[str, str], chunk_size: int, overlap: int
) -> FileReport:
    try:
        if not path.exists():
            raise LoadError(source, "文件不存在", "请检查路径")
        if not is_supported(path):
            load(path, source)  # raises UnsupportedFormatError with the right advice
        digest = file_sha256(path)
        if known.get(source) == digest:
            return FileReport(str(path), source, "unchanged")
        doc = clean_document(load(path, source))
        doc.file_hash = digest
        chunks = split_document(doc, chunk_size, overlap)
        if not chunks:
            raise LoadError(source, "清洗后没有可检索的正文", "请确认文件内容不是纯图片或空白")
        kb.replace(source, chunks, digest, doc.format)
        status: Literal["added", "updated"] = "updated" if source in known else "added"
        known[source] = digest
        return FileReport(
            str(path), source, status, chunks=len(chunks), chars=sum(len(b.text) for b in doc.blocks)
        )
    except SizhengError as exc:
        log.warning("ingest failed: %s", exc)
        return FileReport(str(path), source, "failed", error=str(exc))
    except Exception as exc:  # a bug or an odd file must not abort the batch
        log.exception("unexpected error ingesting %s", source)
        return FileReport(
            str(path),
            source,
            "failed",
            error=f"{source}：处理时出现意外错误（{type(exc).__name__}），请将文件另存后重试",
        )
