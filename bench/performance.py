"""Speed and memory: ingest throughput, retrieval latency, cold start, peak memory — ours beside the peer.

usage: python bench/performance.py [--scale10k] [--scale50k] [--crud-only] [--data DIR]
(--crud-only: just the CRUD-RAG dev ingest row beside the peer, a quick check of ingest speed)
Each figure is printed with the BM25+jieba peer's from the same run. Heavy steps run in subprocesses so
that peak memory (max RSS of the process tree's largest process) and cold start are measured honestly.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import (
    CRUD_Q,
    ROOT,
    SEED,
    Bm25JiebaPeer,
    corpus_chars,
    knowledge_files,
    materialise_crud,
    pct,
    settings,
)
from sizheng_bot.assistant import Assistant
from sizheng_bot.evaluation.retrieval import item_query, load_items

CLI = [sys.executable, "-m", "sizheng_bot.cli"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1"}


def _run(cmd: list[str], data: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and stdout of a command run under GNU time."""
    env = ENV | {"SIZHENG_DATA_DIR": str(data), "SIZHENG_KNOWLEDGE_DIR": str(ROOT / "knowledge")}
    t0 = time.perf_counter()
    p = subprocess.run(
        ["/usr/bin/time", "-f", "MAXRSS %M", *cmd], capture_output=True, text=True, env=env, cwd=ROOT
    )
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
    rss = float(re.findall(r"MAXRSS (\d+)", p.stderr)[-1]) / 1024
    return wall, rss, p.stdout


def _peer_build(files: list[Path], out: Path) -> tuple[float, float]:
    code = (
        "import sys,pickle,time; sys.path.insert(0,'bench'); from common import Bm25JiebaPeer; from pathlib import Path;"
        f"files=[Path(l) for l in open({str(out) + '.list'!r}).read().splitlines()];"
        f"p=Bm25JiebaPeer(files); pickle.dump(p.__dict__ | {{'_cut': None}}, open({str(out)!r},'wb'))"
    )
    Path(str(out) + ".list").write_text("\n".join(map(str, files)))
    wall, rss, _ = _run([sys.executable, "-c", code], out.parent)
    return wall, rss


def _peer_cold(out: Path, query: str) -> float:
    code = (
        "import sys,pickle; sys.path.insert(0,'bench'); import jieba; jieba.setLogLevel(60);"
        f"d=pickle.load(open({str(out)!r},'rb')); import numpy as np;"
        f"s=d['bm25'].get_scores([w for w in jieba.lcut({query!r}) if w.strip()]); print(int(np.argmax(s)))"
    )
    return _run([sys.executable, "-c", code], out.parent)[0]


def ingest_row(name: str, corpus: Path, files: list[Path], data: Path) -> dict:
    chars = corpus_chars(files)
    wall, rss, _ = _run([*CLI, "ingest", str(corpus)], data)
    pwall, prss = _peer_build(files, data.parent / f"peer_{name}.pkl")
    return {"corpus": name, "files": len(files), "chars": chars, "ours_s": wall, "ours_chars_per_s": chars / wall,
            "ours_peak_mb": rss, "peer_s": pwall, "peer_chars_per_s": chars / pwall, "peer_peak_mb": prss}  # fmt: skip


def latency_rows(data: Path, corpus_files: list[Path], queries: list[str]) -> dict:
    asst = Assistant.from_settings(settings(data))
    asst.search("预热", 5)
    ours = []
    for q in queries:
        t0 = time.perf_counter()
        asst.search(q, 5)
        ours.append((time.perf_counter() - t0) * 1000)
    peer = Bm25JiebaPeer(corpus_files)
    peer.search("预热")
    theirs = []
    for q in queries:
        t0 = time.perf_counter()
        peer.search(q, 5)
        theirs.append((time.perf_counter() - t0) * 1000)
    return {"queries": len(queries), "ours_p50_ms": pct(ours, 50), "ours_p95_ms": pct(ours, 95),
            "peer_p50_ms": pct(theirs, 50), "peer_p95_ms": pct(theirs, 95)}  # fmt: skip


def synth_corpus(src: Path, out: Path, n: int) -> list[Path]:
    """n documents: the CRUD corpus plus documents made of its sentences shuffled (more text, same vocabulary)."""
    out.mkdir(parents=True, exist_ok=True)
    files = sorted(src.glob("*.txt"))
    sents = [s for f in files for s in re.findall(r"[^。！？]+[。！？]", f.read_text(encoding="utf-8"))]
    rng = random.Random(7)
    for f in files:
        shutil.copy(f, out / f.name)
    for i in range(n - len(files)):
        (out / f"synthetic-{i:05d}.txt").write_text("".join(rng.sample(sents, 12)), encoding="utf-8")
    return sorted(out.glob("*.txt"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--scale10k", action="store_true", help="also ingest a 10,000-document corpus (peak memory)"
    )
    ap.add_argument(
        "--scale50k", action="store_true", help="also ingest a 50,000-document corpus (peak memory, cold start, latency)"
    )
    ap.add_argument("--crud-only", action="store_true", help="only the CRUD-RAG dev ingest row (quick)")
    ap.add_argument("--data", type=Path)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="szbench-")) if args.data is None else args.data
    results: dict = {}
    if args.crud_only:
        crud = materialise_crud(tmp / "crud_corpus")
        cfiles = sorted(crud.glob("*.txt"))
        results["ingest_crud"] = ingest_row("CRUD-RAG dev", crud, cfiles, tmp / "crud" / "data")
        report(results)
        return
    kfiles = knowledge_files()
    results["ingest_reports"] = ingest_row(
        "shipped reports", ROOT / "knowledge", kfiles, tmp / "reports" / "data"
    )
    crud = materialise_crud(tmp / "crud_corpus")
    cfiles = sorted(crud.glob("*.txt"))
    results["ingest_crud"] = ingest_row("CRUD-RAG dev", crud, cfiles, tmp / "crud" / "data")
    queries = [item_query(x) for x in load_items(CRUD_Q)] + [item_query(x) for x in load_items(SEED)]
    results["latency_crud"] = latency_rows(tmp / "crud" / "data", cfiles, queries)
    q = "华中科技大学本科生的线上报到时间是什么时候？"
    colds = [_run([*CLI, "search", q, "--k", "5", "--json"], tmp / "crud" / "data")[0] for _ in range(3)]
    peer_colds = [_peer_cold(tmp / "crud" / "peer_CRUD-RAG dev.pkl", q) for _ in range(3)]
    results["cold_start_crud"] = {"ours_s": sorted(colds)[1], "peer_s": sorted(peer_colds)[1]}
    if args.scale10k:
        files10k = synth_corpus(crud, tmp / "corpus10k", 10_000)
        results["ingest_10k"] = ingest_row("10k documents", tmp / "corpus10k", files10k, tmp / "10k" / "data")
    if args.scale50k:
        files50k = synth_corpus(crud, tmp / "corpus50k", 50_000)
        data50k = tmp / "50k" / "data"
        results["ingest_50k"] = ingest_row("50k documents", tmp / "corpus50k", files50k, data50k)
        results["latency_50k"] = latency_rows(data50k, files50k, queries)
        colds = [_run([*CLI, "search", q, "--k", "5", "--json"], data50k)[0] for _ in range(3)]
        peer_colds = [_peer_cold(tmp / "50k" / "peer_50k documents.pkl", q) for _ in range(3)]
        results["cold_start_50k"] = {"ours_s": sorted(colds)[1], "peer_s": sorted(peer_colds)[1]}
    report(results)
    if args.data is None:
        shutil.rmtree(tmp, ignore_errors=True)


def report(r: dict) -> None:
    print(f"{'ingest':<18} {'files':>6} {'chars':>9} {'ours s':>7} {'ours ch/s':>10} {'ours MB':>8} "
          f"{'peer s':>7} {'peer ch/s':>10} {'peer MB':>8}")  # fmt: skip
    for key in ("ingest_reports", "ingest_crud", "ingest_10k", "ingest_50k"):
        if key in r:
            x = r[key]
            print(f"{x['corpus']:<18} {x['files']:>6} {x['chars']:>9} {x['ours_s']:>7.1f} {x['ours_chars_per_s']:>10.0f} "
                  f"{x['ours_peak_mb']:>8.0f} {x['peer_s']:>7.1f} {x['peer_chars_per_s']:>10.0f} {x['peer_peak_mb']:>8.0f}")  # fmt: skip
    if "latency_crud" not in r:  # --crud-only
        print(json.dumps(r, ensure_ascii=False))
        return
    lat = r["latency_crud"]
    print(f"retrieval latency at CRUD scale ({lat['queries']} queries): ours p50 {lat['ours_p50_ms']:.1f} ms, "
          f"p95 {lat['ours_p95_ms']:.1f} ms | peer p50 {lat['peer_p50_ms']:.1f} ms, p95 {lat['peer_p95_ms']:.1f} ms")  # fmt: skip
    cs = r["cold_start_crud"]
    print(
        f"cold start (new process -> first search answered, CRUD scale): ours {cs['ours_s']:.2f} s | peer {cs['peer_s']:.2f} s"
    )
    if "latency_50k" in r:
        lat, cs = r["latency_50k"], r["cold_start_50k"]
        print(f"50k documents: latency ours p50 {lat['ours_p50_ms']:.1f} ms, p95 {lat['ours_p95_ms']:.1f} ms | peer p50 "
              f"{lat['peer_p50_ms']:.1f} ms, p95 {lat['peer_p95_ms']:.1f} ms; cold start ours {cs['ours_s']:.2f} s | "
              f"peer {cs['peer_s']:.2f} s")  # fmt: skip
    print(json.dumps(r, ensure_ascii=False))


if __name__ == "__main__":
    main()
