"""Drafts on requests written for this check (bench/draft_check.jsonl) and the dev drafting items.

    PYTHONPATH=src python bench/draft_check.py [--show] [--sets check,heldout,seed,realdocs]

For every drafting request: the explicit requirements it names are in the draft, no heading or teaching
goal repeats, no template placeholder or masked name is quoted, the timed parts sum to the minutes asked,
every quoted unit is a whole sentence on its own line; for items with ``must_cover`` also the must-cover
share (>= 0.8); for items with ``thin`` whether the draft says at the top that the knowledge base has
little on the topic. Offline mode: bench/draft_check.jsonl, bench/draft_heldout.jsonl (requests written
after the composers, kept out of tuning) and seed_dev over the shipped reports, realdocs_dev's drafting
items over the real dev files (the knowledge base bench/answers.py builds). Exits 1 on a miss.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
CHECK = ROOT / "bench" / "draft_check.jsonl"
HELDOUT = ROOT / "bench" / "draft_heldout.jsonl"
SEED = ROOT.parent / "shared" / "eval" / "seed_dev.jsonl"
REALDOCS_Q = ROOT.parent / "shared" / "eval" / "realdocs_dev.jsonl"
REALDOCS = ROOT.parent / "shared" / "realdocs-dev"


def drafting_items(path: Path) -> list[dict[str, Any]]:
    """The outline and plan items of a dev set (none when the file is absent)."""
    if not path.exists():
        return []
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r for r in rows if r.get("kind") in ("outline", "plan") and r.get("request")]


def main() -> int:
    from answers import build  # bench/answers.py: the knowledge bases every answer bench asks over

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true", help="print every draft")
    ap.add_argument(
        "--sets", default="check,heldout,seed,realdocs",
        help="check (bench/draft_check.jsonl), heldout (bench/draft_heldout.jsonl), seed, realdocs",
    )
    args = ap.parse_args()
    sets = args.sets.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="sizheng_drafts_"))
    misses = total = 0
    check = [
        json.loads(x)
        for name, path in (("check", CHECK), ("heldout", HELDOUT))
        if name in sets
        for x in path.read_text(encoding="utf-8").splitlines()
        if x.strip()
    ]
    knowledge = [i for i in check if i.get("kb", "knowledge") == "knowledge"]
    knowledge += drafting_items(SEED) if "seed" in sets else []
    if knowledge:
        m, n = run_set("knowledge", build("knowledge", tmp / "knowledge")[0], knowledge, args.show)
        misses, total = misses + m, total + n
    real = [i for i in check if i.get("kb") == "realdocs"] if REALDOCS.exists() else []
    real += drafting_items(REALDOCS_Q) if "realdocs" in sets and REALDOCS.exists() else []
    if real:
        m, n = run_set("realdocs", build("realdocs", tmp / "realdocs")[0], real, args.show)
        misses, total = misses + m, total + n
    print(f"{total - misses}/{total} drafts pass")
    return 1 if misses else 0


def run_set(name: str, asst: Any, items: list[dict[str, Any]], show: bool) -> tuple[int, int]:
    """Check every item over ``asst``'s knowledge base; print one line each; return (misses, items)."""
    from sizheng_bot.answer.intent import DEFAULT_MINUTES, DEFAULT_PLAN_MINUTES, parse_minutes
    from sizheng_bot.evaluation.answers import draft_check, score_item

    print(f"== {name}: {len(items)} drafting requests")
    chunks = [c.text for c in asst.kb.lexical().chunks]
    misses = 0
    covers = []
    for item in items:
        result = getattr(asst, item["kind"])(item["request"])
        default = DEFAULT_MINUTES if item["kind"] == "outline" else DEFAULT_PLAN_MINUTES
        asked = item.get("minutes") or parse_minutes(item["request"])
        item["minutes"] = asked or default
        d = draft_check(item, result)
        if not asked and d["timed_total"] is None:  # no length asked, none given (a weeks-long 工作方案)
            d["time_ok"] = True
        s = score_item(item, result, chunks) if item.get("must_cover") else None
        cover = s["coverage"] if s else None
        covers += [cover] if cover is not None else []
        thin_ok = "thin" not in item or item["thin"] == d["thin_notice"]
        bad = (d["requirements_missing"] or d["repeated_headings"] or d["repeated_objectives"] or d["placeholders"]
               or not d["time_ok"] or (cover is not None and cover < 0.8) or d["cut_quotes"] or not thin_ok)  # fmt: skip
        misses += bool(bad)
        print(f"{item['id']:<6}{'MISS' if bad else 'ok':<6}must_cover={cover}  time={d['timed_total']}/{item['minutes']}"
              f"  missing={d['requirements_missing'] + (s['missing'] if s else [])}"
              f"  repeats={d['repeated_headings'] + d['repeated_objectives']}  placeholders={d['placeholders']}"
              f"  cut={d['cut_quotes']}  thin={d['thin_notice']}{'' if thin_ok else ' (expected ' + str(item['thin']) + ')'}")  # fmt: skip
        if show:
            print(result.text)
    if covers:
        print(f"   must_cover mean {sum(covers) / len(covers):.3f} over {len(covers)} items")
    return misses, len(items)


if __name__ == "__main__":
    sys.exit(main())
