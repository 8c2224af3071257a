"""Ingest pipeline: files -> loaders -> cleaning -> splitting -> index. One bad file never spoils a batch."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal

from sizheng_bot.errors import DiskFullError, LoadError, SizhengError
from sizheng_bot.ingest.budget import Limits, check_size, parse_file
from sizheng_bot.ingest.loaders import LoadOptions, is_supported, load
from sizheng_bot.ingest.tokenpool import TokenPool
from sizheng_bot.retrieval.commit import Transaction
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
    limits: Limits | None = None,
    load_options: LoadOptions | None = None,
    parse_key: str = "",
) -> IngestReport:
    """Add or update documents; unchanged files are skipped; failures are reported per file.

    The whole batch is one transaction (one generation, one lexical update): readers keep the previous
    generation until every file of the batch is in. Parsed documents are written to Chroma in large
    batches (a Chroma write per file is ~50x slower). A full disk fails the batch as a whole, and the
    report says so for every file that would have gone in. ``parse_key`` (the index identity's loader and
    chunking part) is part of every document's version: when it changes, unchanged files are re-chunked.
    """
    t0 = time.perf_counter()
    files = list(iter_files(paths))
    limits = limits or Limits()
    report = IngestReport()
    pool = TokenPool(kb.analyzer) if _total_bytes(files) >= pool_min_bytes else None
    try:
        with kb.transaction() as tx:
            known = tx.file_hashes()
            batch = _Batch(tx, pool)
            for i, path in enumerate(files):
                source = (names or {}).get(path, path.name)
                if progress:
                    progress(i, len(files), source)
                opts = _file_options(load_options, progress, i, len(files))
                job = _Job(chunk_size, overlap, limits, opts, parse_key)
                report.files.append(_prepare(path, source, known, batch, job))
                if batch.chars >= flush_chars:
                    batch.flush()
            batch.flush()
            batch.seal(keep=0)
            if progress:
                progress(len(files), len(files), "")
    except DiskFullError as exc:
        report.files = [_undone(f, exc) for f in report.files]
        for path in files[len(report.files) :]:
            source = (names or {}).get(path, path.name)
            report.files.append(FileReport(str(path), source, "failed", error=f"{source}：{exc}"))
    finally:
        if pool is not None:
            pool.close()
    report.seconds = time.perf_counter() - t0
    return report


def _file_options(base: LoadOptions | None, progress: Progress | None, i: int, n: int) -> LoadOptions:
    """The loader's options for file i of n; page progress (OCR) is reported as that file's progress."""
    opts = base or LoadOptions()
    if progress is None:
        return opts
    return dataclasses.replace(opts, progress=lambda done, total, what: progress(i, n, what))


@dataclasses.dataclass(frozen=True)
class _Job:
    """How every file of one ingest is read and cut."""

    chunk_size: int
    overlap: int
    limits: Limits
    options: LoadOptions
    parse_key: str

    def version(self, digest: str) -> str:
        """A document's version: its bytes and how they were parsed (the file hash alone when no key)."""
        if not self.parse_key:
            return digest
        return hashlib.sha256(f"{digest}|{self.parse_key}".encode()).hexdigest()


def _undone(f: FileReport, exc: Exception) -> FileReport:
    if f.status in ("added", "updated"):
        return dataclasses.replace(f, status="failed", chunks=0, chars=0, error=f"{f.source}：{exc}")
    return f


def _total_bytes(files: list[Path]) -> int:
    return sum(f.stat().st_size for f in files if f.is_file())


class _Batch:
    def __init__(self, tx: Transaction, pool: TokenPool | None) -> None:
        self.tx = tx
        self.pool = pool
        self.docs: list[tuple[str, list[Chunk], str, str]] = []
        self.sources: set[str] = set()
        self.chars = 0
        self.unsealed = 0  # batches written to Chroma whose segment is not yet written

    def add(self, source: str, chunks: list[Chunk], digest: str, fmt: str) -> None:
        self.docs.append((source, chunks, digest, fmt))
        self.sources.add(source)
        self.chars += sum(len(c.text) for c in chunks)

    def flush(self) -> None:
        if self.pool is not None and self.docs:
            items = [(c.content_hash, c.text) for _, chunks, _, _ in self.docs for c in chunks]
            heads = {f"{c.title} {c.section}" for _, chunks, _, _ in self.docs for c in chunks}
            self.pool.submit(items + [(header_key(h), h) for h in heads])
        early = self.pool is not None and self.tx.rows_carry_tokens
        if self.docs:
            if early:  # a server's rows carry the tokens: wait for the workers' rather than cut them here
                self.tx.prime(_next_tokens(self.pool))
            self.tx.put_many(self.docs)
            self.unsealed += 1
        self.docs, self.chars = [], 0
        # the worker cuts batch k while batch k is written to Chroma; batch k-1 is sealed meanwhile
        self.seal(keep=1 if self.pool is not None and not early else 0)

    def seal(self, keep: int) -> None:
        """Seal the oldest written batches into segments, leaving ``keep`` still being tokenised."""
        while self.unsealed > keep:
            self.tx.seal(None if self.tx.rows_carry_tokens else _next_tokens(self.pool))
            self.unsealed -= 1


def _next_tokens(pool: TokenPool | None) -> dict[str, list[str]] | None:
    """The workers' tokens of the oldest batch submitted (None: the transaction cuts them itself)."""
    return pool.next_batch() if pool is not None else None


def _prepare(path: Path, source: str, known: dict[str, str], batch: _Batch, job: _Job) -> FileReport:
    try:
        if not path.exists():
            raise LoadError(source, "文件不存在", "请检查路径")
        if not is_supported(path):
            load(path, source, job.options)  # raises UnsupportedFormatError unless the bytes are a known format
        size = check_size(path, source, job.limits)
        digest = job.version(file_sha256(path))
        if known.get(source) == digest:
            return FileReport(str(path), source, "unchanged")
        if source in batch.sources:
            raise LoadError(source, "同一批次中有同名文件", "请重命名后再上传")
        parsed = parse_file(path, source, job.chunk_size, job.overlap, job.limits, size, job.options)
        if not parsed.chunks:
            raise LoadError(source, "清洗后没有可检索的正文", "请确认文件内容不是纯图片或空白")
        batch.add(source, parsed.chunks, digest, parsed.format)
        status: Literal["added", "updated"] = "updated" if source in known else "added"
        return FileReport(
            str(path), source, status, chunks=len(parsed.chunks), chars=parsed.chars, note=parsed.note
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
