"""Ingest pipeline: files -> loaders -> cleaning -> splitting -> index. One bad file never spoils a batch."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Literal

from sizheng_bot.errors import LoadError, SizhengError
from sizheng_bot.ingest.clean import clean_document
from sizheng_bot.ingest.loaders import LoadOptions, is_supported, load
from sizheng_bot.ingest.split import split_document
from sizheng_bot.ingest.tokenpool import TokenPool
from sizheng_bot.retrieval.lexical import header_key
from sizheng_bot.retrieval.store import KnowledgeBase
from sizheng_bot.types import Chunk, FileReport, IngestReport

log = logging.getLogger(__name__)

# knowledge/ also holds our dictionary and synonym table: never documents
RESERVED = {"domain_dict.txt", "synonyms.txt", "readme.md"}
Progress = Callable[[int, int, str], None]
POOL_MIN_BYTES = 1_500_000  # below this, a worker process costs more than it saves


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
    chunk_size: int = 350,
    overlap: int = 0,
    progress: Progress | None = None,
    names: dict[Path, str] | None = None,
    flush_chars: int = 300_000,
    pool_min_bytes: int = POOL_MIN_BYTES,
    load_options: LoadOptions | None = None,
) -> IngestReport:
    """Add or update documents; unchanged files are skipped; failures are reported per file.

    Parsed documents are written to the store in large batches (a Chroma write per file is ~50x slower).
    """
    t0 = time.perf_counter()
    files = list(iter_files(paths))
    report = IngestReport()
    pool = TokenPool(kb.analyzer) if _total_bytes(files) >= pool_min_bytes else None
    with kb.lock:
        known = kb.file_hashes()
        batch = _Batch(kb, pool)
        for i, path in enumerate(files):
            source = (names or {}).get(path, path.name)
            if progress:
                progress(i, len(files), source)
            opts = _file_options(load_options, progress, i, len(files))
            rep = _prepare(path, source, known, chunk_size, overlap, batch, opts)
            report.files.append(rep)
            if batch.chars >= flush_chars:
                batch.flush()
        batch.flush()
        if progress:
            progress(len(files), len(files), "")
        if pool is not None:
            kb.prime_tokens(pool.results())
        if batch.written or kb.generation() > 0:
            kb.lexical()  # rebuild the BM25 side once per batch
    report.seconds = time.perf_counter() - t0
    return report


def _file_options(base: LoadOptions | None, progress: Progress | None, i: int, n: int) -> LoadOptions:
    """The loader's options for file i of n; page progress (OCR) is reported as that file's progress."""
    opts = base or LoadOptions()
    if progress is None:
        return opts
    return replace(opts, progress=lambda done, total, what: progress(i, n, what))


def _total_bytes(files: list[Path]) -> int:
    return sum(f.stat().st_size for f in files if f.is_file())


class _Batch:
    def __init__(self, kb: KnowledgeBase, pool: TokenPool | None) -> None:
        self.kb = kb
        self.pool = pool
        self.docs: list[tuple[str, list[Chunk], str, str]] = []
        self.replace: list[str] = []
        self.chars = 0
        self.written = False

    def add(self, source: str, chunks: list[Chunk], digest: str, fmt: str, replace: bool) -> None:
        self.docs.append((source, chunks, digest, fmt))
        if replace:
            self.replace.append(source)
        self.chars += sum(len(c.text) for c in chunks)

    def flush(self) -> None:
        if self.pool is not None:
            items = [(c.content_hash, c.text) for _, chunks, _, _ in self.docs for c in chunks]
            heads = {f"{c.title} {c.section}" for _, chunks, _, _ in self.docs for c in chunks}
            self.pool.submit(items + [(header_key(h), h) for h in heads])
        if self.docs or self.replace:
            self.kb.write_many(self.docs, self.replace)
            self.written = True
        self.docs, self.replace, self.chars = [], [], 0


def _prepare(
    path: Path, source: str, known: dict[str, str], chunk_size: int, overlap: int, batch: _Batch,
    options: LoadOptions | None = None,
) -> FileReport:
    try:
        if not path.exists():
            raise LoadError(source, "文件不存在", "请检查路径")
        if not is_supported(path):
            load(path, source, options)  # raises UnsupportedFormatError unless the bytes are a known format
        digest = file_sha256(path)
        if known.get(source) == digest:
            return FileReport(str(path), source, "unchanged")
        doc = clean_document(load(path, source, options))
        doc.file_hash = digest
        chunks = split_document(doc, chunk_size, overlap)
        if not chunks:
            raise LoadError(source, "清洗后没有可检索的正文", "请确认文件内容不是纯图片或空白")
        if any(d[0] == source for d in batch.docs):
            raise LoadError(source, "同一批次中有同名文件", "请重命名后再上传")
        batch.add(source, chunks, digest, doc.format, replace=source in known)
        status: Literal["added", "updated"] = "updated" if source in known else "added"
        known[source] = digest
        return FileReport(
            str(path), source, status, chunks=len(chunks), chars=sum(len(b.text) for b in doc.blocks),
            note=doc.note,
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
