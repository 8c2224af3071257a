"""First-start indexing in a background thread, with progress the page (and the console) can show."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sizheng_bot.assistant import Assistant

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexState:
    done: bool
    current: int
    total: int
    name: str
    message: str  # Chinese, for the page
    error: str | None = None
    note: str = ""  # once done: first-start timing and files that failed

    @property
    def fraction(self) -> float:
        return self.current / self.total if self.total else 0.0


class IndexJob:
    """Runs ``assistant.ensure_index`` once; ``state()`` and ``wait()`` are safe from any thread."""

    def __init__(self, assistant: Assistant, echo: Callable[[str], None] | None = None) -> None:
        self.assistant = assistant
        self.echo = echo  # console output (app.py passes print)
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._state = IndexState(False, 0, 0, "", "正在检查知识库索引…")
        self._thread: threading.Thread | None = None

    def start(self) -> IndexJob:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sizheng-index", daemon=True)
                self._thread.start()
        return self

    def run_now(self) -> IndexJob:
        """Index in the calling thread (tests, scripts)."""
        self._run()
        return self

    def state(self) -> IndexState:
        with self._lock:
            return self._state

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    # ---- internals -----------------------------------------------------------------------------
    def _set(self, state: IndexState) -> None:
        with self._lock:
            self._state = state

    def _progress(self, i: int, n: int, name: str) -> None:
        if i >= n and not name:
            msg = f"首次启动：{n} 个文件已全部读取，正在建立检索索引…"
        else:
            msg = f"首次启动，正在为知识库建立索引：{i}/{n} {name}".rstrip()
        self._set(IndexState(False, i, n, name, msg))
        if self.echo and name:
            self.echo(f"  [{i + 1}/{n}] {name}")

    def _run(self) -> None:
        t0 = time.perf_counter()
        try:
            report = self.assistant.ensure_index(self._progress)
            stats = self.assistant.stats()
            note = ""
            if report is not None:
                note = f"（首次建立索引用时 {time.perf_counter() - t0:.1f} 秒）"
                failed = [f"{f.source}：{f.error}" for f in report.failed]
                if failed:
                    note += "；以下文件未能入库：" + "；".join(failed)
            ready = f"知识库就绪：{stats.documents} 篇文档，{stats.chunks} 个切块{note}"
            self._set(IndexState(True, stats.documents, stats.documents, "", ready, note=note))
        except Exception as exc:  # the page must still come up and say what went wrong
            log.exception("indexing knowledge/ failed")
            msg = f"建立知识库索引失败：{exc}。可在“知识库”页上传文件或点击“重建索引”重试。"
            self._set(IndexState(True, 0, 0, "", msg, error=str(exc)))
        finally:
            self._done.set()
            if self.echo:
                self.echo(self.state().message)
