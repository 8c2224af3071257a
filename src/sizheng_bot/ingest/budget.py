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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sizheng_bot.errors import LoadError
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


def _parse_here(path: Path, source: str, chunk_size: int, overlap: int, max_chars: int) -> Parsed:
    from sizheng_bot.ingest.clean import clean_document
    from sizheng_bot.ingest.loaders import load
    from sizheng_bot.ingest.split import split_document

    doc = load(path, source)
    chars = sum(len(b.text) for b in doc.blocks)
    if chars > max_chars:
        raise LoadError(
            source,
            f"正文约 {chars / 10000:.0f} 万字，超过单个文件上限 {max_chars / 10000:.0f} 万字，未入库",
            "请拆分成几个文件后再入库，或由管理员调整 SIZHENG_MAX_FILE_CHARS",
        )
    doc = clean_document(doc)
    chunks = split_document(doc, chunk_size, overlap)
    return Parsed(doc.format, sum(len(b.text) for b in doc.blocks), chunks)


def _child(conn: Any, args: tuple[Any, ...], memory_mb: int, parent_pid: int) -> None:
    watch_parent(parent_pid)
    try:
        import resource

        limit = memory_mb * _MB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    try:
        conn.send(("ok", _parse_here(*args)))
    except LoadError as exc:
        conn.send(("load", exc.reason, exc.hint))
    except MemoryError:
        conn.send(("memory",))
    except BaseException as exc:
        conn.send(("error", type(exc).__name__))
    finally:
        conn.close()


def parse_file(path: Path, source: str, chunk_size: int, overlap: int, limits: Limits, size: int) -> Parsed:
    """Load, clean and split one file within the limits, or raise LoadError naming it."""
    args = (path, source, chunk_size, overlap, limits.max_chars)
    if size < limits.isolate_bytes:
        return _parse_here(*args)
    ctx = mp.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, args, limits.parse_memory_mb, os.getpid()), daemon=True)
    proc.start()
    send.close()
    try:
        if not recv.poll(limits.parse_seconds):
            raise LoadError(
                source,
                f"解析超过 {limits.parse_seconds:g} 秒仍未完成，已中止，未入库",
                "文件可能过大或结构异常；请拆分或另存后再入库（可由管理员调整 SIZHENG_PARSE_TIMEOUT）",
            )
        try:
            msg = recv.recv()
        except (EOFError, OSError):  # died without a word: killed for memory, or crashed
            proc.join(5)
            msg = ("memory",) if proc.exitcode in (-9, None) else ("error", f"退出码 {proc.exitcode}")
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
