"""Tokenise chunk texts in a worker process while the main process writes to Chroma.

Chroma's writes hold the GIL, so a thread cannot overlap them; a second process can (2 cores here).
Used only for large ingests: starting the worker costs about a second. The worker watches its parent and
exits when the parent dies (even by SIGKILL), so no tokeniser is left running under PID 1.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from sizheng_bot.ingest.budget import watch_parent
from sizheng_bot.retrieval.analyzer import Analyzer

log = logging.getLogger(__name__)

_analyzer: Analyzer | None = None


def _init(dict_path: str | None, synonym_path: str | None, parent_pid: int) -> None:
    global _analyzer
    watch_parent(parent_pid)
    _analyzer = Analyzer(Path(dict_path) if dict_path else None, Path(synonym_path) if synonym_path else None)


def _tokenize(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    assert _analyzer is not None
    return {key: _analyzer.words(text) for key, text in items}


class TokenPool:
    """One worker process that cuts text with the same Analyzer configuration as the parent."""

    def __init__(self, analyzer: Analyzer) -> None:
        syn = getattr(analyzer, "synonym_path", None)
        self._pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=mp.get_context("spawn"),
            initializer=_init,
            initargs=(
                str(analyzer.dict_path) if analyzer.dict_path else None,
                str(syn) if syn else None,
                os.getpid(),
            ),
        )
        self._futures: list[Future[dict[str, list[str]]]] = []

    def submit(self, items: list[tuple[str, str]]) -> None:
        if items:
            self._futures.append(self._pool.submit(_tokenize, items))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def results(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        try:
            for f in self._futures:
                out.update(f.result())
        except Exception as exc:  # the parent can always tokenise itself
            log.warning("token worker failed (%s); tokenising in-process", exc)
        finally:
            self._pool.shutdown(wait=False, cancel_futures=True)
        return out
