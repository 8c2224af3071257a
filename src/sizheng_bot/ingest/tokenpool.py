"""Tokenise chunk texts in worker processes while the main process parses files and writes to Chroma.

Chroma's writes hold the GIL, so a thread cannot overlap them; other processes can. jieba is the largest
CPU cost of a lexical-only ingest, and the main process is idle while it waits for the last tokens, so
there is one worker per core (up to ``MAX_WORKERS``), each fed pieces of about ``PIECE_CHARS``
characters so that the workers finish together. Used only for large ingests: starting a worker costs
about a second of CPU. Each worker watches its parent and exits when the parent dies (even by SIGKILL),
so no tokeniser is left running under PID 1.
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

MAX_WORKERS = 4
PIECE_CHARS = 60_000  # ~0.25 s of jieba: small enough to balance the workers, large enough to be cheap to send

_analyzer: Analyzer | None = None


def _init(dict_path: str | None, synonym_path: str | None, parent_pid: int) -> None:
    global _analyzer
    watch_parent(parent_pid)
    _analyzer = Analyzer(Path(dict_path) if dict_path else None, Path(synonym_path) if synonym_path else None)


def _tokenize(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    assert _analyzer is not None
    return {key: _analyzer.words(text) for key, text in items}


def default_workers() -> int:
    """One worker per core the process may use (at least one, at most ``MAX_WORKERS``)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cores))


def pieces(items: list[tuple[str, str]], size: int = PIECE_CHARS) -> list[list[tuple[str, str]]]:
    """Consecutive runs of items of about ``size`` characters of text each."""
    out: list[list[tuple[str, str]]] = []
    run: list[tuple[str, str]] = []
    chars = 0
    for item in items:
        run.append(item)
        chars += len(item[1])
        if chars >= size:
            out.append(run)
            run, chars = [], 0
    if run:
        out.append(run)
    return out


class TokenPool:
    """Worker processes that cut text with the same Analyzer configuration as the parent."""

    def __init__(self, analyzer: Analyzer, workers: int | None = None) -> None:
        syn = getattr(analyzer, "synonym_path", None)
        self.workers = workers or default_workers()
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=mp.get_context("spawn"),
            initializer=_init,
            initargs=(
                str(analyzer.dict_path) if analyzer.dict_path else None,
                str(syn) if syn else None,
                os.getpid(),
            ),
        )
        self._batches: list[list[Future[dict[str, list[str]]]]] = []  # one entry per submit, oldest first

    def submit(self, items: list[tuple[str, str]]) -> None:
        """Queue one batch; its pieces are spread over the workers."""
        self._batches.append([self._pool.submit(_tokenize, piece) for piece in pieces(items)])

    def next_batch(self) -> dict[str, list[str]] | None:
        """Tokens of the oldest batch not yet taken (None when none is queued or a worker failed: the
        caller then cuts the text itself)."""
        if not self._batches:
            return None
        out: dict[str, list[str]] = {}
        try:
            for f in self._batches.pop(0):
                out.update(f.result())
        except Exception as exc:  # the parent can always tokenise itself
            log.warning("token worker failed (%s); tokenising in-process", exc)
            return None
        return out

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def results(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        try:
            for batch in self._batches:
                for f in batch:
                    out.update(f.result())
            self._batches = []
        except Exception as exc:  # the parent can always tokenise itself
            log.warning("token worker failed (%s); tokenising in-process", exc)
        finally:
            self._pool.shutdown(wait=False, cancel_futures=True)
        return out
