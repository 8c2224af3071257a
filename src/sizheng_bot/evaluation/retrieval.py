"""Retrieval metrics over the dev-set formats (seed_dev with evidence spans, CRUD-RAG with gold doc ids)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sizheng_bot.text import strip_space
from sizheng_bot.types import Hit


def _lcs(a: str, b: str) -> int:
    best, prev = 0, [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        ai = a[i - 1]
        for j in range(1, len(b) + 1):
            if ai == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def seed_hit(source: str, text: str, gold: dict[str, str]) -> bool:
    """The hit rule of SEED_DEV.md: same document, and the evidence contained or sharing a 60% run."""
    if Path(source).name != Path(gold["doc"]).name:  # gold may name a path inside the corpus folder
        return False
    c, e = strip_space(text), strip_space(gold["evidence"])
    return e in c or _lcs(e, c) >= 0.6 * len(e)


def load_items(path: Path) -> list[dict[str, Any]]:
    items = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            items.append(json.loads(line))
    return items


def item_query(item: dict[str, Any]) -> str:
    return str(item.get("question") or item.get("request") or "")


def gold_matchers(item: dict[str, Any]) -> list[Callable[[Hit], bool]]:
    """One predicate per gold element of an item, in either dev-set format."""
    if item.get("gold"):
        return [partial(_seed_match, g) for g in item["gold"]]
    ids = item.get("gold_doc_ids") or ([item["gold_doc_id"]] if item.get("gold_doc_id") else [])
    return [partial(_doc_match, d) for d in ids]


def _seed_match(gold: dict[str, str], h: Hit) -> bool:
    return seed_hit(h.source, h.text, gold)


def _doc_match(doc_id: str, h: Hit) -> bool:
    return Path(h.source).stem == doc_id


@dataclass
class RetrievalReport:
    k: int
    items: int = 0
    hit: float = 0.0
    recall: float = 0.0
    all_gold: float = 0.0
    mrr: float = 0.0
    multi_items: int = 0
    details: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "items": self.items, "k": self.k, f"hit@{self.k}": round(self.hit, 3),
            f"recall@{self.k}": round(self.recall, 3), f"all_gold@{self.k}": round(self.all_gold, 3),
            "mrr": round(self.mrr, 3),
        }  # fmt: skip


def evaluate_retrieval(
    items: Iterable[dict[str, Any]], search: Callable[[str, int], list[Hit]], k: int = 5
) -> RetrievalReport:
    rep = RetrievalReport(k=k)
    hit_sum = rec_sum = all_sum = rr_sum = 0.0
    for item in items:
        matchers = gold_matchers(item)
        if not matchers:
            continue
        hits = search(item_query(item), k)
        found = [any(m(h) for h in hits) for m in matchers]
        first = next((r for r, h in enumerate(hits, 1) if any(m(h) for m in matchers)), None)
        rep.items += 1
        hit_sum += any(found)
        rec_sum += sum(found) / len(found)
        all_sum += all(found)
        rr_sum += 1.0 / first if first else 0.0
        rep.details.append({"id": item.get("id"), "found": found, "rank": first})
    if rep.items:
        rep.hit, rep.recall = hit_sum / rep.items, rec_sum / rep.items
        rep.all_gold, rep.mrr = all_sum / rep.items, rr_sum / rep.items
    return rep
