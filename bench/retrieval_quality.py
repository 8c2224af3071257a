"""Retrieval quality on both dev sets: ours beside the BM25+jieba peer, in the same run.

usage: python bench/retrieval_quality.py [--crud] [--data DIR]
(realdocs_dev: the 25 real files of shared/realdocs-dev; the peer indexes the text our loaders extract)
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from common import (
    CRUD_Q,
    REALDOCS_Q,
    ROOT,
    SEED,
    Bm25JiebaPeer,
    knowledge_files,
    loader_text,
    materialise_crud,
    realdocs_files,
    settings,
)
from sizheng_bot.assistant import Assistant
from sizheng_bot.evaluation.retrieval import evaluate_retrieval, load_items

CHECK = ROOT / "bench" / "check_set.jsonl"  # over knowledge/, as seed_dev
REALCHECK = ROOT / "bench" / "check_realdocs.jsonl"  # held out: over the real files, never tuned on
# second held-out batch, written by someone who saw only the documents (first measured at 3757681)
REALCHECK2 = ROOT / "bench" / "check_realdocs2.jsonl"
REPORTS2 = ROOT / "bench" / "check_reports2.jsonl"
# third held-out batch, another writer who saw only the documents (first measured at 100d230)
REALCHECK3 = ROOT / "bench" / "check_realdocs3.jsonl"
REPORTS3 = ROOT / "bench" / "check_reports3.jsonl"


def row(name: str, rep) -> dict:  # type: ignore[no-untyped-def]
    return {"system": name} | rep.summary()


def combine(items: list[dict], n: int) -> list[dict]:
    """Consecutive dev items glued into one n-part question whose gold is all their documents."""
    groups = zip(*(items[i::n] for i in range(n)), strict=False)
    return [
        {"id": "+".join(x["id"] for x in g), "question": "".join(x["question"] for x in g),
         "gold_doc_ids": [d for x in g for d in x["gold_doc_ids"]]}
        for g in groups
    ]  # fmt: skip


def run(data: Path, crud: bool) -> list[dict]:
    out = []
    asst = Assistant.from_settings(settings(data / "seed"))
    asst.ingest()
    peer = Bm25JiebaPeer(knowledge_files())
    for name, path in (("seed_dev", SEED), ("check_set", CHECK), ("reports2*", REPORTS2), ("reports3*", REPORTS3)):
        items = load_items(path)
        out.append({"set": name} | row("sizheng-bot", evaluate_retrieval(items, asst.search, 5)))
        out.append({"set": name} | row("peer BM25+jieba 300", evaluate_retrieval(items, peer.search, 5)))
    if REALDOCS_Q.exists():  # real office files: our own index vs the peer over the same loaders' text
        files = realdocs_files()
        asst = Assistant.from_settings(settings(data / "realdocs"))
        asst.ingest(files)
        peer = Bm25JiebaPeer(files, read=loader_text)
        for name, path in (("realdocs", REALDOCS_Q), ("realcheck*", REALCHECK), ("realcheck2*", REALCHECK2), ("realcheck3*", REALCHECK3)):
            items = load_items(path)
            out.append({"set": name} | row("sizheng-bot", evaluate_retrieval(items, asst.search, 5)))
            out.append({"set": name} | row("peer BM25+jieba 300", evaluate_retrieval(items, peer.search, 5)))
    if crud:
        corpus = materialise_crud(data / "crud_corpus")
        asst = Assistant.from_settings(settings(data / "crud"))
        asst.ingest([corpus])
        items = load_items(CRUD_Q)
        out.append({"set": "crud_dev"} | row("sizheng-bot", evaluate_retrieval(items, asst.search, 5)))
        peer = Bm25JiebaPeer(sorted(corpus.glob("*.txt")))
        out.append(
            {"set": "crud_dev"} | row("peer BM25+jieba 300", evaluate_retrieval(items, peer.search, 5))
        )
        # proxy for multi-document questions: dev questions about different documents asked in one go
        for n in (2, 3):
            multi = combine(items, n)
            for name, search in (("sizheng-bot", asst.search), ("peer BM25+jieba 300", peer.search)):
                out.append({"set": f"crud_{n}doc*"} | row(name, evaluate_retrieval(multi, search, 5)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--crud", action="store_true", help="also the CRUD-RAG dev split (3,000 documents)")
    ap.add_argument("--data", type=Path, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = run(args.data or Path(tmp), args.crud)
    print("* realcheck, realcheck2/3, reports2/3: held-out questions (bench/check_realdocs*.jsonl, check_reports*.jsonl)")
    print(
        "* multi-document proxy: CRUD dev questions about different documents concatenated (2 or 3 per item)"
    )
    print(f"{'set':<11} {'system':<22} {'items':>5} {'hit@5':>6} {'rec@5':>6} {'all@5':>6} {'MRR':>6}")
    for r in rows:
        print(f"{r['set']:<11} {r['system']:<22} {r['items']:>5} {r['hit@5']:>6.3f} {r['recall@5']:>6.3f} "
              f"{r['all_gold@5']:>6.3f} {r['mrr']:>6.3f}")  # fmt: skip
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
