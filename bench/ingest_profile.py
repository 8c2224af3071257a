"""Where a lexical-only ingest spends its wall time, stage by stage (no profiler overhead).

usage: python bench/ingest_profile.py [--data DIR] [CORPUS_DIR]
Ingests CORPUS_DIR (default: the CRUD-RAG dev corpus, 3,000 files) into a new data directory in this
process, with wall-clock timers wrapped around each stage, and prints seconds per stage. The stages
overlap nothing in the main process except where noted (the token worker runs beside it).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

T0 = time.perf_counter()
from common import corpus_chars, materialise_crud, settings  # noqa: E402
from sizheng_bot.assistant import Assistant  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)
CPU: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def timed(owner: Any, attr: str, label: str) -> None:
    fn: Callable[..., Any] = getattr(owner, attr)

    def wrapper(*a: Any, **k: Any) -> Any:
        t, c = time.perf_counter(), time.process_time()
        try:
            return fn(*a, **k)
        finally:
            SPENT[label] += time.perf_counter() - t
            CPU[label] += time.process_time() - c
            CALLS[label] += 1

    setattr(owner, attr, wrapper)


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_cpu(pool: Any) -> None:
    """The token workers' CPU, read when the parent asks for their results (before they are shut down)."""
    import concurrent.futures

    concurrent.futures.wait(pool._futures)
    for pid in list(getattr(pool._pool, "_processes", {}) or {}):
        try:
            CPU["token workers (their own CPU)"] += proc_cpu(pid)
        except OSError:
            pass


def install() -> None:
    import chromadb.api.models.Collection as coll

    from sizheng_bot.ingest import driver, tokenpool
    from sizheng_bot.retrieval import commit, lexical, store

    timed(driver, "parse_file", "parse (load+clean+split)")
    timed(driver, "file_sha256", "file hash")
    results = tokenpool.TokenPool.results

    def counted(self: Any) -> Any:
        worker_cpu(self)
        return results(self)

    tokenpool.TokenPool.results = counted  # type: ignore[method-assign]
    timed(tokenpool.TokenPool, "results", "wait for token workers")
    timed(coll.Collection, "upsert", "chroma upsert")
    timed(coll.Collection, "delete", "chroma delete")
    timed(commit.Transaction, "_write_rows", "_write_rows (meta+upsert)")
    timed(commit.Transaction, "commit", "commit (lexical build+save, clean-up)")
    timed(lexical.LexicalIndex, "build", "  lexical build")
    timed(lexical.LexicalIndex, "save", "  lexical save")
    timed(store.KnowledgeBase, "_chroma", "chroma client open")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", type=Path)
    ap.add_argument("--data", type=Path)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="szprof-"))
    corpus = args.corpus or materialise_crud(tmp / "crud_corpus")
    data = args.data or tmp / "data"
    t_imp = time.perf_counter() - T0
    t = time.perf_counter()
    import chromadb  # noqa: F401  (imported lazily by the store; timed here on its own)

    t_chroma = time.perf_counter() - t
    install()
    asst = Assistant.from_settings(settings(data))
    t, c = time.perf_counter(), time.process_time()
    report = asst.ingest([corpus])
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    files = sorted(Path(corpus).glob("*.txt"))
    chars = corpus_chars(files)
    print(f"imports (ours) {t_imp:.2f} s, chromadb import {t_chroma:.2f} s")
    print(f"ingest wall {wall:.2f} s for {len(report.files)} files, {chars:,} chars: {chars / wall:,.0f} chars/s")
    print(f"main process CPU {cpu:.2f} s (1-minute load average {os.getloadavg()[0]:.1f})")
    print(f"  {'stage':45s} {'wall':>7s}    share  {'CPU':>7s}")
    for label in CPU:
        SPENT.setdefault(label, 0.0)
    for label, s in SPENT.items():
        print(f"  {label:45s} {s:7.2f} s  {100 * s / wall:5.1f} %  {CPU[label]:6.2f} s  ({CALLS[label]} calls)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
