"""Answer quality and latency of the offline composer on the seed set, beside a retrieval-dump baseline.

    PYTHONPATH=src python bench/answers.py [--seed FILE] [--data DIR] [--repeat 5] [--json]

The baseline is what a plain RAG front end without a composer shows: the guard, then the top-5
passages cut to 120 characters (no answerability check, no drafting). Both run in this process over
the same index. Latency is wall time per request after a warm-up (index, tokenizer and verifier loaded),
each item repeated ``--repeat`` times. Exits 1 when an issue-3 target is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from sizheng_bot.answer.guard import classify
from sizheng_bot.assistant import Assistant
from sizheng_bot.config import Settings
from sizheng_bot.evaluation.answers import evaluate_answers, task_of
from sizheng_bot.evaluation.retrieval import item_query, load_items
from sizheng_bot.types import Citation, Result

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEED = ROOT.parent / "shared" / "eval" / "seed_dev.jsonl"
TARGETS = {  # metric -> (comparison, threshold)
    "answer_point_coverage": (">=", 0.8), "citation_validity": (">=", 1.0), "unverified_quotes": ("<=", 0),
    "not_found_rate": (">=", 0.75), "refusal_rate": (">=", 1.0), "draft_sections": (">=", 1.0),
    "must_cover_coverage": (">=", 0.75), "invented_dates": ("<=", 0),
}  # fmt: skip


def build(data: Path | None) -> Assistant:
    data_dir = data or Path(tempfile.mkdtemp(prefix="sizheng_bench_")) / "data"
    settings = Settings(data_dir=data_dir, knowledge_dir=ROOT / "knowledge", prompts_dir=ROOT / "prompts",
                        llm_base_url="", llm_model="", _env_file=None)  # fmt: skip
    asst = Assistant.from_settings(settings)
    asst.ensure_index()
    return asst


def ours(asst: Assistant, item: dict[str, Any]) -> Result:
    task = task_of(item)
    return getattr(asst, task)(item_query(item))  # type: ignore[no-any-return]


def baseline(asst: Assistant, item: dict[str, Any]) -> Result:
    text, task = item_query(item), task_of(item)
    decision = classify(text)
    if not decision.ok:
        return Result(decision.message, "offline", "refused", task)  # type: ignore[arg-type]
    hits = asst.search(text, 5)
    cites = [Citation(i, h.source, h.title, h.section, h.page, h.text) for i, h in enumerate(hits, 1)]
    body = "\n".join(f"- {h.text[:120]} [{i}]" for i, h in enumerate(hits, 1))
    _, quotes = asst.verifier().verify(body)
    return Result(body, "offline", "answered", task, cites, quotes=quotes)  # type: ignore[arg-type]


def measure(asst: Assistant, items: list[dict[str, Any]], run: Any, repeat: int) -> dict[str, Any]:
    chunks = [c.text for c in asst.kb.lexical().chunks]
    summary = evaluate_answers(items, lambda it: run(asst, it), chunks).summary()
    timed = (
        evaluate_answers(items * max(repeat - 1, 0), lambda it: run(asst, it), chunks) if repeat > 1 else None
    )
    if timed is not None:
        summary["latency_ms"] = timed.summary()["latency_ms"]
    return summary


def verdict(metric: str, value: Any) -> str:
    if metric not in TARGETS or value is None:
        return ""
    op, threshold = TARGETS[metric]
    ok = value >= threshold if op == ">=" else value <= threshold
    return f"{op} {threshold}  {'OK' if ok else 'MISSED'}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=Path, default=DEFAULT_SEED)
    ap.add_argument("--data", type=Path, help="an existing data directory (default: a fresh temp index)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.seed.exists():
        print(f"SKIP: no seed file at {args.seed}")
        return 0
    asst = build(args.data)
    items = load_items(args.seed)
    asst.search("预热", 1)
    asst.verifier()
    ours_s, base_s = measure(asst, items, ours, args.repeat), measure(asst, items, baseline, 1)
    if args.json:
        print(json.dumps({"ours": ours_s, "baseline": base_s}, ensure_ascii=False))
    else:
        print(
            f"seed: {args.seed.name} ({len(items)} items), offline mode, index: {asst.stats().chunks} chunks"
        )
        print(f"{'metric':<24}{'ours':>10}{'baseline':>10}   target")
        for metric in [k for k in ours_s if k not in ("items", "latency_ms")]:
            print(
                f"{metric:<24}{_fmt(ours_s[metric]):>10}{_fmt(base_s.get(metric)):>10}   {verdict(metric, ours_s[metric])}"
            )
        print(f"\nlatency (ms, {args.repeat} runs per item after warm-up)")
        for task, p in ours_s["latency_ms"].items():
            target = (
                "  target p95 <= 200  " + ("OK" if p["p95"] <= 200 else "MISSED") if task == "ask" else ""
            )
            print(
                f"  {task:<8} n={p['n']:<4} p50={p['p50']:>7}  p95={p['p95']:>7}  max={p['max']:>7}{target}"
            )
    missed = [m for m in TARGETS if "MISSED" in verdict(m, ours_s.get(m))]
    missed += ["ask p95"] if ours_s["latency_ms"].get("ask", {}).get("p95", 0) > 200 else []
    return 1 if missed else 0


def _fmt(value: Any) -> str:
    return "-" if value is None else str(value)


if __name__ == "__main__":
    sys.exit(main())
