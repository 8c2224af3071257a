"""Does the model-free hashed character n-gram vector (stored with every chunk) help ranking?

Adds ``w`` x its cosine similarity (over the top candidates Chroma returns) to the lexical fusion and reports
hit@5 / MRR per weight on seed_dev, the independent check set, realdocs_dev and CRUD-RAG dev, in one run.

usage: python bench/hashed_vector.py [--crud] [--data DIR]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from common import CRUD_Q, ROOT, SEED, materialise_crud, settings
from sizheng_bot.assistant import Assistant
from sizheng_bot.evaluation.retrieval import evaluate_retrieval, load_items
from sizheng_bot.retrieval.dense import hashed_vectors
from sizheng_bot.retrieval.lexical import LexicalIndex
from sizheng_bot.retrieval.retriever import Retriever, _norm

WEIGHTS = (0.0, 0.1, 0.3, 0.5, 1.0)


class HashedFusion(Retriever):
    """The lexical fusion plus ``weight`` x the hashed vector's cosine (computed here, exactly, in numpy;
    the store no longer keeps these vectors)."""

    weight = 0.0
    _matrix: np.ndarray | None = None

    def fused_scores(self, lex: LexicalIndex, query: str) -> np.ndarray:
        fused = super().fused_scores(lex, query)
        if self.weight <= 0:
            return fused
        if self._matrix is None or len(self._matrix) != len(lex.chunks):
            self._matrix = hashed_vectors([f"{c.section} {c.text}" for c in lex.chunks])
        sims = np.clip(self._matrix @ hashed_vectors([query])[0], 0.0, None)
        top = np.argsort(-sims)[50:]  # as a vector index would: only the 50 nearest count
        sims[top] = 0.0
        return fused + self.weight * _norm(sims)


def measure(name: str, asst: Assistant, items: list[dict]) -> None:
    r = HashedFusion(asst.kb, asst.analyzer, asst.retriever.params)
    for w in WEIGHTS:
        r.weight = w
        s = evaluate_retrieval(items, r.search, 5).summary()
        print(f"| {name} | {w} | {s['hit@5']:.3f} | {s['mrr']:.3f} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--crud", action="store_true")
    ap.add_argument("--data", type=Path)
    args = ap.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="hashvec-"))
    print("| set | hashed-vector weight | hit@5 | MRR |\n|---|---|---|---|")
    seed = Assistant.from_settings(settings(data / "seed"))
    seed.ingest()
    measure("seed_dev", seed, load_items(SEED))
    measure("check_set", seed, load_items(ROOT / "bench" / "check_set.jsonl"))
    real = ROOT.parent / "shared" / "realdocs-dev"
    if real.exists():
        docs = Assistant.from_settings(settings(data / "realdocs"))
        docs.ingest([p for p in sorted(real.rglob("*")) if p.is_file() and p.suffix != ".md"])
        measure("realdocs_dev", docs, load_items(ROOT.parent / "shared" / "eval" / "realdocs_dev.jsonl"))
    if args.crud:
        crud = Assistant.from_settings(settings(data / "crud"))
        crud.ingest([materialise_crud(data / "crud_docs")])
        measure("CRUD dev", crud, load_items(CRUD_Q))


if __name__ == "__main__":
    main()
