"""Scope probe: off-topic chores in a 机关's own wording are refused, in-domain lookalikes are not.

    PYTHONPATH=src python bench/scope_probe.py [--ask] [--kb knowledge|realdocs] [--list]

bench/scope_probe.jsonl holds out_of_scope requests (personal and admin chores phrased with work words:
单位/机关/领导/同事 as the setting, 菜单/机票/生日祝福 as what is asked for; and everyday ones) and
in_domain requests carrying tempting words (食堂, 体检, 生病, 孩子, 红色旅游, 观影, 天气…) that must
never be refused. Batches: 1 was written before the guard change; 2 while changing it (the lexicon
was extended on its misses: not held out); 3 and 4 afterwards (3: its misses fed a category
vocabulary pass; 4: never tuned on, the held-out figure). It prints the guard's verdict counts
(``classify``) per batch and, with ``--ask``, the whole pipeline's status counts (``Assistant.ask``
over a fresh knowledge base of ``--kb``). The guard of another branch cannot run in the same process:
BENCHMARKS.md records main's figures beside ours.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REALDOCS, ROOT, settings  # noqa: E402
from sizheng_bot.answer.guard import classify  # noqa: E402
from sizheng_bot.assistant import Assistant  # noqa: E402

PROBE = ROOT / "bench" / "scope_probe.jsonl"


def _assistant(kind: str, tmp: Path) -> Assistant:
    asst = Assistant.from_settings(settings(tmp / "data", llm_base_url="", llm_model=""))
    if kind == "knowledge":
        asst.ensure_index()
    else:
        folder = tmp / "realdocs"
        shutil.copytree(REALDOCS, folder)
        (folder / "SOURCES.md").unlink(missing_ok=True)
        asst.ingest([folder])
    return asst


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ask", action="store_true", help="also run Assistant.ask on every item")
    ap.add_argument("--kb", default="knowledge", choices=("knowledge", "realdocs"))
    ap.add_argument("--list", action="store_true", help="print every item that goes the wrong way")
    args = ap.parse_args()
    items = [json.loads(line) for line in PROBE.read_text(encoding="utf-8").splitlines() if line.strip()]
    guard: dict[tuple[str, str], Counter[str]] = {}
    wrong: list[str] = []
    for it in items:
        verdict = "refused" if classify(it["question"]).kind == "out_of_scope" else "let through"
        for batch in ("all", f"batch {it.get('batch', 1)}"):
            guard.setdefault((batch, it["kind"]), Counter())[verdict] += 1
        if (verdict == "refused") != (it["kind"] == "out_of_scope"):
            wrong.append(f"  guard {verdict:<12}{it['id']} {it['question']}")
    print(f"scope probe: {PROBE.name} ({len(items)} items)")
    for (batch, kind), c in sorted(guard.items()):
        print(f"  guard  {batch:<8}{kind:<13} refused {c['refused']:>3}  let through {c['let through']:>3}")
    if args.ask:
        with tempfile.TemporaryDirectory(prefix="sizheng_scope_") as tmp:
            asst = _assistant(args.kb, Path(tmp))
            status: dict[str, Counter[str]] = {"out_of_scope": Counter(), "in_domain": Counter()}
            for it in items:
                s = asst.ask(it["question"]).status
                status[it["kind"]][s] += 1
                if (s == "refused") != (it["kind"] == "out_of_scope"):
                    wrong.append(f"  ask   {s:<12}{it['id']} {it['question']}")
        for kind, c in status.items():
            cells = "  ".join(f"{k} {v}" for k, v in sorted(c.items()))
            print(f"  ask({args.kb}) {kind:<13} {cells}")
    if args.list:
        print("\n".join(wrong) if wrong else "  nothing goes the wrong way")
    return 0


if __name__ == "__main__":
    sys.exit(main())
