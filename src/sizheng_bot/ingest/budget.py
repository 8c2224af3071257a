"""Bounded work per file: a size limit, a text-length limit, and a time and memory budget for parsing.

Small files are parsed in-process (fast path). Files of at least ``isolate_bytes`` are loaded, cleaned and
split in a child process with an address-space limit and killed when they exceed the time budget, so no
single file can stall or exhaust the process that serves users. A refused file gets a Chinese message
naming it; the rest of the batch goes on.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sizheng_bot.errors import LoadError
from sizheng_bot.ingest.loaders.options import LoadOptions
from sizheng_bot.types import Chunk

log = logging.getLogger(__name__)

_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Per-file limits of one ingest (built from Settings at the edge)."""

    max_file_bytes: int = 50 * _MB
    max_chars: int = 5_000_000
    parse_seconds: float = 120.0
    parse_memory_mb: int = 3072
    isolate_bytes: int = 1 * _MB


@dataclass(frozen=True)
class Parsed:
    format: str
    chars: int
    chunks: list[Chunk]
    note: str = ""


def watch_parent(parent_pid: int, interval: float = 0.5) -> None:
    """In a worker process: exit as soon as the parent is gone (even killed with SIGKILL)."""

    def run() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(interval)

    threading.Thread(target=run, name="parent-watchdog", daemon=True).start()


def check_size(path: Path, source: str, limits: Limits) -> int:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise LoadError(
            source,
            f"文件大小 {size / _MB:.1f} MB，超过单个文件上限 {limits.max_file_bytes / _MB:.0f} MB，未入库",
            "请拆分后再入库，或由管理员调整 SIZHENG_MAX_FILE_MB",
        )
    return size


def _parse_here(
    path: Path, source: str, chunk_size: int, overlap: int, max_chars: int, options: LoadOptions | None = None
) -> Parsed:
    from sizheng_bot.ingest.clean import clean_document
    from sizheng_bot.ingest.loaders import load
    from sizheng_bot.ingest.split import split_document

    doc = load(path, source, options)
    chars = sum(len(b.text) for b in doc.blocks)
    if chars > max_chars:
        raise LoadError(
            source,
            f"正文约 {chars / 10000:.0f} 万字，超过单个文件上限 {max_chars / 10000:.0f} 万字，未入库",
            "请拆分成几个文件后再入库，或由管理员调整 SIZHENG_MAX_FILE_CHARS",
        )
    doc = clean_document(doc)
    chunks = split_document(doc, chunk_size, overlap)
    return Parsed(doc.format, sum(len(b.text) for b in doc.blocks), chunks, doc.note)


def _child(conn: Any, args: tuple[Any, ...], memory_mb: int, parent_pid: int) -> None:
    watch_parent(parent_pid)
    try:
        import resource

        limit = memory_mb * _MB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    try:
        path, source, chunk_size, overlap, max_chars, options = args

        def report(done: int, total: int, what: str) -> None:  # page progress (OCR) goes back as messages
            conn.send(("progress", done, total, what))

        options = replace(options, progress=report if options.progress else None)
        conn.send(("ok", _parse_here(path, source, chunk_size, overlap, max_chars, options)))
    except LoadError as exc:
        conn.send(("load", exc.reason, exc.hint))
    except MemoryError:
        conn.send(("memory",))
    except BaseException as exc:
        conn.send(("error", type(exc).__name__))
    finally:
        conn.close()


_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")


def _may_ocr(path: Path) -> bool:
    """PDFs, images and slide decks may need OCR, which has its own time budget on top of parsing."""
    with path.open("rb") as fh:
        head = fh.read(8)
    slides = path.suffix.lower() in (".pptx", ".ppt", ".dps", ".odp")
    return head.startswith(b"%PDF") or head.startswith(_IMAGE_MAGIC) or slides


def _flag(done: int, total: int, what: str) -> None:
    """Stands for "report progress" in the child's options (a picklable placeholder)."""


def _receive(recv: Any, proc: Any, deadline: float, options: LoadOptions, source: str, seconds: float) -> tuple[Any, ...]:
    """The child's result; its progress messages are passed to the caller's callback on the way."""
    while True:
        if not recv.poll(max(0.0, deadline - time.monotonic())):
            raise LoadError(
                source,
                f"解析超过 {seconds:g} 秒仍未完成，已中止，未入库",
                "文件可能过大或结构异常；请拆分或另存后再入库（可由管理员调整 SIZHENG_PARSE_TIMEOUT）",
            )
        try:
            msg: tuple[Any, ...] = recv.recv()
        except (EOFError, OSError):  # died without a word: killed for memory, or crashed
            proc.join(5)
            return ("memory",) if proc.exitcode in (-9, None) else ("error", f"退出码 {proc.exitcode}")
        if msg[0] != "progress":
            return msg
        if options.progress is not None:
            options.progress(msg[1], msg[2], msg[3])


def parse_file(
    path: Path, source: str, chunk_size: int, overlap: int, limits: Limits, size: int,
    options: LoadOptions | None = None,
) -> Parsed:
    """Load, clean and split one file within the limits, or raise LoadError naming it."""
    options = options or LoadOptions()
    if size < limits.isolate_bytes:
        return _parse_here(path, source, chunk_size, overlap, limits.max_chars, options)
    # the callback stays here; the child gets a flag and sends its progress back
    args = (path, source, chunk_size, overlap, limits.max_chars, replace(options, progress=_flag if options.progress else None))
    seconds = limits.parse_seconds + (options.ocr_seconds_per_doc if options.ocr_enabled and _may_ocr(path) else 0.0)
    ctx = mp.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, args, limits.parse_memory_mb, os.getpid()), daemon=True)
    proc.start()
    send.close()
    try:
        msg = _receive(recv, proc, time.monotonic() + seconds, options, source, seconds)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        recv.close()
    if msg[0] == "ok":
        parsed: Parsed = msg[1]
        return parsed
    if msg[0] == "load":
        raise LoadError(source, msg[1], msg[2])
    if msg[0] == "memory":
        raise LoadError(
            source,
            f"解析所需内存超过上限 {limits.parse_memory_mb} MB，已中止，未入库",
            "请拆分或另存后再入库（可由管理员调整 SIZHENG_PARSE_MEMORY_MB）",
        )
    log.warning("parse worker failed for %s: %s", source, msg[1])
    raise LoadError(source, f"处理时出现意外错误（{msg[1]}）", "请将文件另存后重试")
