"""Shared helpers for the benchmark scripts: paths, corpora, the BM25+jieba peer, timing."""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
EVAL = ROOT.parent / "shared" / "eval"
SEED = EVAL / "seed_dev.jsonl"
CRUD_Q = EVAL / "crud_dev.jsonl"
CRUD_DOCS = EVAL / "crud_dev_docs.jsonl"
REALDOCS_Q = EVAL / "realdocs_dev.jsonl"
REALDOCS = ROOT.parent / "shared" / "realdocs-dev"

from sizheng_bot.evaluation.peer import Bm25JiebaPeer  # noqa: E402,F401  (re-exported for the benches)


def settings(data_dir: Path, **kw: object):  # type: ignore[no-untyped-def]
    from sizheng_bot.config import Settings

    return Settings(
        data_dir=data_dir,
        knowledge_dir=ROOT / "knowledge",
        _env_file=None,
        **kw,
    )


def materialise_crud(out_dir: Path, limit: int | None = None) -> Path:
    """CRUD-RAG documents as `<doc_id>.txt` files (the issue's ingest convention)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with CRUD_DOCS.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if limit is not None and n >= limit:
                break
            d = json.loads(line)
            f = out_dir / f"{d['doc_id']}.txt"
            if not f.exists():
                f.write_text(d["text"], encoding="utf-8")
    return out_dir


def realdocs_files() -> list[Path]:
    """The real dev documents, without the folder's notes (SOURCES.md is provenance, not corpus)."""
    from sizheng_bot.ingest.driver import iter_files

    return [f for f in iter_files([REALDOCS]) if f.suffix.lower() != ".md"]


def loader_text(path: Path) -> str:
    """A file's text as our loaders extract it ("" when refused): what the peer indexes for binary formats."""
    from sizheng_bot.errors import LoadError
    from sizheng_bot.ingest.loaders import load

    try:
        return load(path).text
    except LoadError:
        return ""


def knowledge_files() -> list[Path]:
    return sorted(
        p for p in (ROOT / "knowledge").glob("*.txt") if p.name not in {"domain_dict.txt", "synonyms.txt"}
    )


def corpus_chars(files: Sequence[Path]) -> int:
    return sum(len(f.read_text(encoding="utf-8")) for f in files)


def pct(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))
    return s[k]


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def peak_rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")
