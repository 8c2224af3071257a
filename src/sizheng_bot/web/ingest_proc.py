"""Ingest an upload in a child process, so the web process stays free to answer.

The ingest (parsing, Chroma writes, the keyword-index build) holds the GIL for most of its time and grows
the memory of whichever process runs it (Chroma's caches, the old and new index side by side). In a child
(``spawn``: a fresh interpreter, never a fork of the threaded server) it takes neither from the page: the
web process only loads the committed index afterwards, as it does after a CLI ``ingest``. The child reports
progress, the lock-wait notice and the final ``IngestReport`` through a queue, exits when the web process
dies (``watch_parent``) and is killed when it is abandoned. Costs about 2 s of start-up per batch.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sizheng_bot.config import Settings
from sizheng_bot.errors import SizhengError
from sizheng_bot.types import IngestReport

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


def _child(settings: Settings, paths: list[Path], names: dict[Path, str], out: Any, parent: int) -> None:
    from sizheng_bot.assistant import Assistant
    from sizheng_bot.ingest.budget import watch_parent

    watch_parent(parent)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        asst = Assistant.from_settings(settings)
        report = asst.ingest(
            paths, lambda i, n, name: out.put(("progress", i, n, name)), names=names,
            notice=lambda text: out.put(("notice", text)),
        )  # fmt: skip
        out.put(("done", report))
    except SizhengError as exc:
        out.put(("error", type(exc).__name__, str(exc)))
    except BaseException as exc:  # reported to the page as an unexpected error, logged here
        log.exception("ingest in the child process failed")
        out.put(("crash", type(exc).__name__, str(exc)))


def ingest_in_child(
    settings: Settings, paths: list[Path], names: dict[Path, str],
    progress: Progress | None = None, notice: Callable[[str], None] | None = None,
) -> IngestReport:  # fmt: skip
    """``Assistant(settings).ingest(paths, progress, names, notice)`` run in a child process."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_child, args=(settings, paths, names, out, os.getpid()), daemon=True,
                       name="sizheng-ingest")  # fmt: skip
    proc.start()
    try:
        while True:
            try:
                msg = out.get(timeout=0.5)
            except queue.Empty:
                if not proc.is_alive():
                    raise SizhengError(
                        f"入库进程意外退出（退出码 {proc.exitcode}），本批文件未入库，原有知识库不受影响。"
                        "请重试；如反复出现，请联系管理员查看日志"
                    ) from None
                continue
            if msg[0] == "progress" and progress is not None:
                progress(msg[1], msg[2], msg[3])
            elif msg[0] == "notice" and notice is not None:
                notice(msg[1])
            elif msg[0] == "done":
                report: IngestReport = msg[1]
                return report
            elif msg[0] == "error":
                raise SizhengError(msg[2])
            elif msg[0] == "crash":
                raise RuntimeError(f"{msg[1]}: {msg[2]}")
    finally:
        proc.join(10)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
        out.close()
