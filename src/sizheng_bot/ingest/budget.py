"""Bounded work per file: a size limit, a text-length limit, and a time and memory budget for parsing.

Small files are parsed in-process (fast path). Files of at least ``isolate_bytes`` are loaded, cleaned and
split in a child process (``python -m sizheng_bot.ingest.budget``) with an address-space limit and killed when
they exceed the time budget, so no
single file can stall or exhaust the process that serves users. A refused file gets a Chinese message
naming it; the rest of the batch goes on.
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import subprocess
import sys
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


def _serve() -> None:
    """The child: ``python -m sizheng_bot.ingest.budget PARENT_PID MEMORY_MB``, arguments pickled on stdin.

    A plain subprocess rather than multiprocessing: spawn would re-import the parent's main module
    (the whole web app) in every child.
    """
    parent_pid, memory_mb = int(sys.argv[1]), int(sys.argv[2])
    watch_parent(parent_pid)
    args = pickle.load(sys.stdin.buffer)
    try:
        import resource

        limit = memory_mb * _MB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    out = sys.stdout.buffer

    def report(done: int, total: int, what: str) -> None:  # page progress (OCR) goes back as frames
        pickle.dump(("progress", done, total, what), out)
        out.flush()

    path, source, chunk_size, overlap, max_chars, options = args
    if options.progress is not None:
        options = replace(options, progress=report)
    msg: tuple[Any, ...]
    try:
        msg = ("ok", _parse_here(path, source, chunk_size, overlap, max_chars, options))
    except LoadError as exc:
        msg = ("load", exc.reason, exc.hint)
    except MemoryError:
        msg = ("memory",)
    except BaseException as exc:
        msg = ("error", type(exc).__name__)
    try:
        data = pickle.dumps(msg)
    except MemoryError:
        data = pickle.dumps(("memory",))
    out.write(data)
    out.flush()


def _child_env() -> dict[str, str]:
    import sizheng_bot

    root = str(Path(sizheng_bot.__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return env


_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")


def _may_ocr(path: Path) -> bool:
    """PDFs, images and slide decks may need OCR, which has its own time budget on top of parsing."""
    with path.open("rb") as fh:
        head = fh.read(8)
    slides = path.suffix.lower() in (".pptx", ".ppt", ".dps", ".odp")
    return head.startswith(b"%PDF") or head.startswith(_IMAGE_MAGIC) or slides


def _report_progress(done: int, total: int, what: str) -> None:
    """Stands for "report progress" in the child's options (the real callback stays in this process)."""


def _frames(stream: Any, box: queue.Queue[tuple[Any, ...] | None]) -> None:
    """Unpickle the child's frames (progress, then the result) onto ``box``; None when the stream ends."""
    try:
        while True:
            box.put(pickle.load(stream))
    except Exception:  # EOF, or a truncated frame from a killed child
        box.put(None)


def parse_file(
    path: Path, source: str, chunk_size: int, overlap: int, limits: Limits, size: int,
    options: LoadOptions | None = None,
) -> Parsed:  # fmt: skip
    """Load, clean and split one file within the limits, or raise LoadError naming it."""
    options = options or LoadOptions()
    if size < limits.isolate_bytes:
        return _parse_here(path, source, chunk_size, overlap, limits.max_chars, options)
    child_options = replace(options, progress=_report_progress if options.progress else None)
    args = (path, source, chunk_size, overlap, limits.max_chars, child_options)
    seconds = limits.parse_seconds + (options.ocr_seconds_per_doc if options.ocr_enabled and _may_ocr(path) else 0)
    cmd = [sys.executable, "-m", "sizheng_bot.ingest.budget", str(os.getpid()), str(limits.parse_memory_mb)]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_child_env()
    )
    box: queue.Queue[tuple[Any, ...] | None] = queue.Queue()
    reader = threading.Thread(target=_frames, args=(proc.stdout, box), daemon=True)
    reader.start()
    deadline = time.monotonic() + seconds
    msg: tuple[Any, ...] | None = None
    try:
        assert proc.stdin is not None
        proc.stdin.write(pickle.dumps(args))
        proc.stdin.close()
        while True:
            try:
                frame = box.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise LoadError(
                    source,
                    f"解析超过 {seconds:g} 秒仍未完成，已中止，未入库",
                    "文件可能过大或结构异常；请拆分或另存后再入库（可由管理员调整 SIZHENG_PARSE_TIMEOUT）",
                ) from None
            if frame is None or frame[0] != "progress":
                msg = frame
                break
            if options.progress is not None:
                options.progress(frame[1], frame[2], frame[3])
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(5)
        reader.join(5)
    if msg is None:  # died without a word: killed for memory, or crashed
        msg = ("memory",) if proc.returncode in (-9, 1) else ("error", f"退出码 {proc.returncode}")
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


if __name__ == "__main__":
    from sizheng_bot.ingest.budget import _serve as serve  # pickled classes must come from the real module

    serve()
