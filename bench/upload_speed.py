"""Upload speed: 200 small files into a 20,000-chunk knowledge base — one batch (one generation) vs one
ingest per file (the old web behaviour, one generation and one lexical rebuild per file) vs the peer.

usage: python bench/upload_speed.py [--chunks 20000] [--files 200] [--per-file-sample 20] [--keep DIR]
The batch and the base build run as real CLI subprocesses; the per-file loop runs a sample of the files
and is extrapolated linearly (each file pays the same full lexical rebuild). The peer is the BM25+jieba
baseline, which has no incremental update: it re-reads and re-indexes the whole corpus.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Bm25JiebaPeer, settings

sys.path.insert(0, str(ROOT / "tests"))
from test_safety_common import big_text, env_for  # noqa: E402

CLI = [sys.executable, "-m", "sizheng_bot.cli"]


def _cli(data: Path, *args: str) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + sys of the process tree) and stdout of one CLI run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run([*CLI, *args], capture_output=True, text=True, env=env_for(data), cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{p.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, p.stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=20_000)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--per-file-sample", type=int, default=20)
    ap.add_argument("--keep", type=Path, help="work directory to keep (default: a temp dir)")
    ap.add_argument("--reuse-base", action="store_true", help="reuse the base KB already in --keep")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="sizheng-upload-"))
    work.mkdir(parents=True, exist_ok=True)
    base_src, small_src, base = work / "base_src", work / "small_src", work / "base"
    if not (args.reuse_base and base.exists()):
        for d in (base_src, small_src):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir()
        per_file = 1000  # ~920 chunks per generated file
        for i in range(max(1, -(-args.chunks // 920))):
            (base_src / f"基础材料{i:03d}.txt").write_text(big_text(per_file, seed=100 + i), encoding="utf-8")
        for i in range(args.files):
            (small_src / f"上传{i:03d}.txt").write_text(
                big_text(3, seed=10_000 + i, marker=f"件{i}"), "utf-8"
            )
        shutil.rmtree(base, ignore_errors=True)
        wall, cpu, _ = _cli(base, "ingest", str(base_src))
        print(f"base KB built in {wall:.1f}s wall, {cpu:.1f}s CPU")
    print(f"base KB: {_cli(base, 'stats', '--json')[2]}; load average {os.getloadavg()[0]:.1f}")

    batch = work / "batch"
    shutil.rmtree(batch, ignore_errors=True)
    shutil.copytree(base, batch)
    batch_s, batch_cpu, out = _cli(batch, "ingest", str(small_src))
    print(
        f"ours, one batch of {args.files} files (CLI, process start included): {batch_s:.1f}s wall, "
        f"{batch_cpu:.1f}s CPU — {out}"
    )

    from sizheng_bot.assistant import Assistant

    loop = work / "loop"
    shutil.rmtree(loop, ignore_errors=True)
    shutil.copytree(base, loop)
    asst = Assistant.from_settings(settings(loop))
    asst.kb.lexical()  # loaded, as in a running web server
    sample = sorted(small_src.iterdir())[: args.per_file_sample]
    t0, c0 = time.perf_counter(), time.process_time()
    for f in sample:
        asst.ingest([f])
    per = (time.perf_counter() - t0) / len(sample)
    per_cpu = (time.process_time() - c0) / len(sample)
    print(
        f"one ingest per file (old web upload): {per:.2f}s wall / {per_cpu:.2f}s CPU per file -> "
        f"{per * args.files:.0f}s wall, {per_cpu * args.files:.0f}s CPU for {args.files} files "
        f"(extrapolated from {len(sample)})"
    )

    files = sorted(base_src.iterdir()) + sorted(small_src.iterdir())
    t0, c0 = time.perf_counter(), time.process_time()
    Bm25JiebaPeer(files)
    peer_s, peer_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"peer BM25+jieba, full re-index of {len(files)} files (in-process): {peer_s:.1f}s wall, {peer_cpu:.1f}s CPU"
    )
    print(
        f"| {args.files} small files into a {args.chunks:,}-chunk KB | ours batch {batch_s:.1f} s ({batch_cpu:.1f} s CPU) | "
        f"per-file {per * args.files:.0f} s ({per_cpu * args.files:.0f} s CPU) | peer re-index {peer_s:.1f} s ({peer_cpu:.1f} s CPU) |"
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
