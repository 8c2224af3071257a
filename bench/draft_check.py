"""Drafts on requests written for this check (bench/draft_check.jsonl) and the dev drafting items.

    PYTHONPATH=src python bench/draft_check.py [--show]

For every drafting request: the explicit requirements it names are in the draft, no heading or teaching
goal repeats, no template placeholder or masked name is quoted, the timed parts sum to the minutes asked;
for the seed items also the must-cover share. Offline mode over the shipped reports. Exits 1 on a miss.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
CHECK = ROOT / "bench" / "draft_check.jsonl"
SEED = ROOT.parent / "shared" / "eval" / "seed_dev.jsonl"


def main() -> int:
    from sizheng_bot.answer.intent import DEFAULT_MINUTES, DEFAULT_PLAN_MINUTES, parse_minutes
    from sizheng_bot.assistant import Assistant
    from sizheng_bot.config import Settings
    from sizheng_bot.evaluation.answers import draft_check, score_item

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true", help="print every draft")
    args = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="sizheng_drafts_")) / "data"
    asst = Assistant.from_settings(Settings(data_dir=data, knowledge_dir=ROOT / "knowledge",
                                            llm_base_url="", llm_model="", _env_file=None))  # fmt: skip
    asst.ensure_index()
    chunks = [c.text for c in asst.kb.lexical().chunks]
    items = [json.loads(x) for x in CHECK.read_text(encoding="utf-8").splitlines() if x.strip()]
    if SEED.exists():
        items += [json.loads(x) for x in SEED.read_text(encoding="utf-8").splitlines()
                  if x.strip() and json.loads(x)["kind"] in ("outline", "plan")]  # fmt: skip
    misses = 0
    for item in items:
        result = getattr(asst, item["kind"])(item["request"])
        default = DEFAULT_MINUTES if item["kind"] == "outline" else DEFAULT_PLAN_MINUTES
        item.setdefault("minutes", parse_minutes(item["request"]) or default)
        d = draft_check(item, result)
        cover = score_item(item, result, chunks)["coverage"] if item.get("must_cover") else None
        bad = (d["requirements_missing"] or d["repeated_headings"] or d["repeated_objectives"] or d["placeholders"]
               or not d["time_ok"] or (cover is not None and cover < 0.8))  # fmt: skip
        misses += bool(bad)
        print(f"{item['id']:<6}{'MISS' if bad else 'ok':<6}must_cover={cover}  time={d['timed_total']}/{item['minutes']}"
              f"  missing={d['requirements_missing']}  repeats={d['repeated_headings'] + d['repeated_objectives']}"
              f"  placeholders={d['placeholders']}")  # fmt: skip
        if args.show:
            print(result.text)
    print(f"{len(items) - misses}/{len(items)} drafts pass")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
