"""Answer metrics over the seed format (SEED_DEV.md): coverage, citations, quotes, refusals, drafts, latency.

- answerable items (fact/howto/multi): share of ``answer_points`` in the answer (whitespace removed),
  and whether a citation hits a gold evidence (``evaluate.seed_hit`` on the cited passage);
- every citation: its ``quote`` must be a verbatim substring of an indexed chunk;
- every result: quotations the verifier could not find;
- unanswerable items: status ``not_found`` (``declined_rate`` also counts ``partial``); out-of-scope
  items: status ``refused``; the confusion matrix of group x status over all of them;
- CRUD-RAG items (question + sub_answers) count as answerable, their sub-answers as answer points;
- drafting items: required sections present, ``must_cover`` share, and no date that no cited passage holds.
"""

from __future__ import annotations

import math
import re
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sizheng_bot.evaluation.retrieval import item_query, seed_hit
from sizheng_bot.text import is_heading, strip_number, strip_space
from sizheng_bot.types import Citation, Hit, Result

ANSWERABLE = ("fact", "howto", "multi")
STATUSES = ("answered", "partial", "not_found", "refused")
GROUPS = ("answerable", "unanswerable", "out_of_scope")
_DATE = re.compile(
    r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]"
    r"|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}[日号]"
)
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_MAIN_PART = re.compile(r"^#{2,3}\s*[一二三四五六七八九十]+、", re.M)
OUTLINE_SECTIONS: tuple[tuple[str, ...], ...] = (
    ("题目", "# "), ("授课对象",), ("时长",), ("教学目标",), ("导入",), ("互动讨论", "讨论"), ("结语",),
    ("参考资料", "参考来源", "参考依据"),
)  # fmt: skip
PLAN_SECTIONS: tuple[tuple[str, ...], ...] = (
    ("活动名称", "工作名称", "# "), ("活动目的", "工作目的", "目的意义"), ("参加对象", "参加人员"), ("时间地点", "时间"),
    ("活动流程", "工作步骤", "实施步骤", "工作流程"),
    ("职责分工", "组织分工"), ("工作要求", "保障措施", "注意事项"), ("效果评估", "总结反馈"),
    ("参考依据", "参考资料", "参考来源"),
)  # fmt: skip


def sections_present(task: str, text: str) -> tuple[float, list[str]]:
    """(share of required sections found, names of the missing ones) for an outline or plan."""
    required = OUTLINE_SECTIONS if task == "outline" else PLAN_SECTIONS
    missing = [names[0] for names in required if not any(_has_section(text, n) for n in names)]
    if task == "outline" and len(_MAIN_PART.findall(text)) < 4:
        missing.append("三个主体部分")
    return 1.0 - len(missing) / (len(required) + (task == "outline")), missing


def _has_section(text: str, name: str) -> bool:
    if name == "# ":
        return bool(re.search(r"^# \S", text, re.M))
    return bool(
        re.search(
            rf"^(?:#{{1,4}}\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)?)?\s*{name}",
            text,
            re.M,
        )
    )


def invented_dates(result: Result) -> list[str]:
    """Dates in the text that no cited passage contains."""
    quotes = strip_space("".join(c.quote for c in result.citations))
    return [
        d for d in dict.fromkeys(m.group(0) for m in _DATE.finditer(result.text)) if strip_space(d) not in quotes
    ]


@dataclass
class AnswerReport:
    details: list[dict[str, Any]] = field(default_factory=list)
    latency_ms: dict[str, list[float]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for d in self.details:
            by_kind.setdefault(d["group"], []).append(d)
        ans, una = by_kind.get("answerable", []), by_kind.get("unanswerable", [])
        oos, drafts = by_kind.get("out_of_scope", []), by_kind.get("drafting", [])
        cites = sum(d["citations"] for d in self.details)
        valid = sum(d["valid_citations"] for d in self.details)
        asks = [d for d in self.details if d["group"] in GROUPS]
        return {
            "items": len(self.details),
            "confusion": {
                g: {s: sum(1 for d in by_kind.get(g, []) if d["status"] == s) for s in STATUSES}
                for g in GROUPS
                if by_kind.get(g)
            },  # fmt: skip
            "answerable_not_found": sum(1 for d in ans if d["status"] == "not_found"),
            "not_found_with_answer_in_top5": sum(
                1 for d in ans if d["status"] == "not_found" and d.get("in_top5")
            ),
            "answer_point_coverage": _mean(d["coverage"] for d in ans),
            "median_chars": statistics.median(d["chars"] for d in asks) if asks else None,
            "answered_rate": _mean(d["status"] == "answered" for d in ans),
            "answered_or_partial_rate": _mean(d["status"] in ("answered", "partial") for d in ans),
            "gold_cited_rate": _mean(d["gold_cited"] for d in ans),
            "citations": cites,
            "citation_validity": round(valid / cites, 3) if cites else 1.0,
            "unverified_quotes": sum(d["unverified"] for d in self.details),
            "not_found_rate": _mean(d["status"] == "not_found" for d in una),
            "declined_rate": _mean(d["status"] in ("not_found", "partial") for d in una),
            "refusal_rate": _mean(d["status"] == "refused" for d in oos),
            "draft_sections": _mean(d["sections"] for d in drafts),
            "must_cover_coverage": _mean(d["coverage"] for d in drafts),
            "draft_gold_cited_rate": _mean(d["gold_cited"] for d in drafts),
            "invented_dates": sum(len(d["invented_dates"]) for d in drafts),
            "latency_ms": {task: percentiles(v) for task, v in sorted(self.latency_ms.items())},
        }


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    xs = sorted(values)
    p95 = xs[min(len(xs) - 1, max(0, math.ceil(0.95 * len(xs)) - 1))]  # nearest rank
    return {
        "n": len(xs),
        "p50": round(statistics.median(xs), 1),
        "p95": round(p95, 1),
        "max": round(xs[-1], 1),
    }


def _mean(values: Iterable[float | bool]) -> float | None:
    xs = [float(v) for v in values]
    return round(sum(xs) / len(xs), 3) if xs else None


def task_of(item: dict[str, Any]) -> str:
    return item["kind"] if item.get("kind") in ("outline", "plan") else "ask"


def normalise_item(item: dict[str, Any]) -> dict[str, Any]:
    """A CRUD-RAG item (question, sub_answers, no kind) in the seed format: a fact with its sub-answers."""
    if item.get("kind") or not (item.get("sub_answers") or item.get("answer")):
        return item
    points = item.get("sub_answers") or [p for p in str(item["answer"]).split("；") if p]
    return item | {"kind": "multi" if len(points) > 1 else "fact", "answer_points": list(points)}


def evaluate_answers(
    items: Iterable[dict[str, Any]],
    run: Callable[[dict[str, Any]], Result],
    chunk_texts: Iterable[str],
    passages: Callable[[str], Sequence[str]] | None = None,
) -> AnswerReport:
    """Run every item through ``run`` (item -> Result) and score the results; with ``passages`` (query ->
    top-5 passage texts) an answerable item also records whether those passages hold all its points."""
    corpus = list(chunk_texts)
    report = AnswerReport()
    for item in map(normalise_item, items):
        started = time.perf_counter()
        result = run(item)
        elapsed = (time.perf_counter() - started) * 1000
        report.latency_ms.setdefault(task_of(item), []).append(elapsed)
        detail = score_item(item, result, corpus) | {"ms": round(elapsed, 1)}
        if passages is not None and detail["group"] == "answerable":
            top = strip_space("".join(passages(item_query(item))))
            detail["in_top5"] = all(strip_space(p) in top for p in item.get("answer_points") or [])
        report.details.append(detail)
    return report


def paste_floor(
    search: Callable[[str, int], Sequence[Hit]], refuse: Callable[[str], str | None], k: int = 3
) -> Callable[[dict[str, Any]], Result]:
    """The floor an answer must beat: the guard, then the top-``k`` retrieved chunks pasted whole."""

    def run(item: dict[str, Any]) -> Result:
        text = item_query(item)
        message = refuse(text)
        if message is not None:
            return Result(message, "offline", "refused")
        hits = list(search(text, k))
        cites = [
            Citation(i, h.source, h.title, h.section, h.page, h.text, h.chunk_id)
            for i, h in enumerate(hits, 1)
        ]
        body = "\n\n".join(f"{h.text} [{i}]" for i, h in enumerate(hits, 1))
        return Result(body, "offline", "answered" if hits else "not_found", citations=cites)

    return run


def score_item(item: dict[str, Any], result: Result, corpus: list[str]) -> dict[str, Any]:
    kind = item.get("kind", "")
    group = "answerable" if kind in ANSWERABLE else "drafting" if kind in ("outline", "plan") else kind
    text = strip_space(_BOLD.sub(r"\1", result.text))  # **bold** is rendering, not content
    phrases = item.get("answer_points") or item.get("must_cover") or []
    gold = item.get("gold") or []
    detail: dict[str, Any] = {
        "id": item.get("id"), "kind": kind, "group": group, "query": item_query(item), "status": result.status,
        "mode": result.mode, "citations": len(result.citations),
        "valid_citations": sum(1 for c in result.citations if any(c.quote in t for t in corpus)),
        "unverified": result.quotes_unverified,
        "gold_cited": any(seed_hit(c.source, c.quote, g) for c in result.citations for g in gold),
        "chars": len(result.text),
        "coverage": sum(1 for p in phrases if strip_space(p) in text) / len(phrases) if phrases else None,
        "missing": [p for p in phrases if strip_space(p) not in text],
    }  # fmt: skip
    if group == "drafting":
        share, missing_sections = sections_present(kind, result.text)
        detail |= {"sections": share, "missing_sections": missing_sections,
                   "invented_dates": invented_dates(result)}  # fmt: skip
    return detail


# --- draft checks (issue 10): explicit requirements, repeats, placeholders, time split -------------
_HEAD = re.compile(r"^#{2,3}\s*(.+?)\s*$", re.M)
_HEAD_TIME = re.compile(r"（约\d+分钟）$|（[^）]*）$")
_TIMED_HEAD = re.compile(r"^#{2,3}\s*.*（约(\d+)分钟）\s*$", re.M)


def repeated_headings(text: str) -> list[str]:
    """Headings (numbering and time marks removed) that occur more than once."""
    seen: dict[str, int] = {}
    for m in _HEAD.finditer(text):
        h = _HEAD_TIME.sub("", strip_number(m.group(1))).strip()
        seen[h] = seen.get(h, 0) + 1
    return [h for h, n in seen.items() if n > 1]


def repeated_objectives(text: str) -> list[str]:
    """Teaching goals (the bullets under 教学目标) that occur more than once."""
    block = text.split("## 教学目标", 1)[1].split("\n## ", 1)[0] if "## 教学目标" in text else ""
    goals = [ln.strip("- ").strip() for ln in block.splitlines() if ln.strip().startswith("- ")]
    return sorted({g for g in goals if goals.count(g) > 1})


def requirements_missing(text: str, required: Iterable[str]) -> list[str]:
    """Explicit requirements of the request (phrases) that the draft does not contain."""
    body = strip_space(text)
    return [r for r in required if strip_space(r) not in body]


def placeholder_text(text: str) -> list[str]:
    """Template placeholders (XX, ×××, ____, 【请填写…】) and masked names (*总书记) in a draft."""
    from sizheng_bot.compose.cleanliness import has_masked_name, placeholders

    found = placeholders(text)
    return found + (["masked name"] if has_masked_name(text) else [])


def timed_total(text: str) -> int | None:
    """The sum of the ``（约N分钟）`` marks on the draft's headings (None when none is timed)."""
    marks = [int(m) for m in _TIMED_HEAD.findall(text)]
    return sum(marks) if marks else None


_CITED = re.compile(r"^\s*(?:[-*]|\d+[.、])\s+(?:[^：:\n]{1,12}[：:])?(.+?)\s*\[\d+\]\s*$")
_LINE_START = re.compile(r"^\s*(?:#|>|[-*]\s|\d+[.、]|[^：:\s]{1,8}[：:]|$)")


def cut_quotes(text: str) -> list[str]:
    """Quoted units that are not whole sentences: a cited line whose quotation (longer than an item or a
    table row) does not end a sentence, and a line that continues the line above (a PDF line break
    carried into the draft)."""
    from sizheng_bot.compose.cleanliness import TERMINAL

    out = []
    for line in text.splitlines():
        m = _CITED.match(line)
        quoted = m.group(1).split("；")[-1].rstrip() if m else ""
        whole = len(quoted) <= 30 or is_heading(quoted) or " | " in quoted  # an item or a table row
        if m and quoted and quoted[-1] not in TERMINAL and not whole:
            out.append(quoted[-20:])
        elif not _LINE_START.match(line):
            out.append(line.strip()[:20])
    return out


def thin_notice(text: str) -> bool:
    """The draft says at the top that the knowledge base has little on its topic."""
    head = text.split("\n## ", 1)[0]
    return "提示：知识库中" in head


def draft_check(item: dict[str, Any], result: Result) -> dict[str, Any]:
    """The issue-10 checks for one drafting item (``required`` phrases, ``minutes`` asked)."""
    total = timed_total(result.text)
    minutes = item.get("minutes")
    return {
        "id": item.get("id"),
        "requirements_missing": requirements_missing(result.text, item.get("required") or []),
        "repeated_headings": repeated_headings(result.text),
        "repeated_objectives": repeated_objectives(result.text),
        "placeholders": placeholder_text(result.text),
        "timed_total": total,
        "time_ok": minutes is None or total == minutes,
        "cut_quotes": cut_quotes(result.text),
        "thin_notice": thin_notice(result.text),
    }
