"""A conversation as one exportable Result, and feedback as eval items (SEED_DEV format).

A conversation becomes ``# 标题`` + one ``## 问：…`` part per turn with the answer under it; each
answer's own sources list is dropped and its ``[n]`` markers renumbered into one list of sources for
the whole conversation, so the .docx/.md exporters render it like any other result.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sizheng_bot.export.parse import is_sources_heading
from sizheng_bot.history.store import ConversationInfo, Feedback, Turn
from sizheng_bot.types import Citation, Mode, Result

_MARK = re.compile(r"\[(\d{1,3})\]")
_H2 = re.compile(r"^##\s+(.*?)\s*#*\s*$")
_MODE_NOTE = re.compile(r"^>\s*(离线摘编模式|大模型生成)")
HEADING_CHARS = 60


def _strip_sources(text: str) -> str:
    kept: list[str] = []
    skipping = False
    for line in text.replace("\r\n", "\n").split("\n"):
        s = line.strip()
        if s.startswith("#") and not s.startswith("###"):
            m = _H2.match(s)
            skipping = bool(m and is_sources_heading(m.group(1)))
            if skipping:
                continue
        if skipping and (not s or s.startswith(("-", "*", "[", ">")) or _MARK.match(s)):
            continue  # a line of the answer's own sources list
        skipping = skipping and not s
        kept.append(line)
    return "\n".join(kept).strip()


def _demote(text: str) -> str:
    """Headings inside an answer sit below the turn's ``##`` heading."""
    out = []
    for line in text.split("\n"):
        m = re.match(r"^(#{1,5})\s", line)
        out.append("#" * min(len(m.group(1)) + 2, 6) + line[len(m.group(1)) :] if m else line)
    return "\n".join(out)


def _renumber(text: str, mapping: dict[int, int]) -> str:
    return _MARK.sub(lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", text)


def conversation_result(info: ConversationInfo, turns: Sequence[Turn], clean: bool = False) -> Result:
    """The whole conversation as one Result (``clean``: no mode notes and no sources)."""
    parts = [f"# {info.title}", f"导出时间：{time.strftime('%Y-%m-%d %H:%M')}　共 {len(turns)} 问"]
    citations: list[Citation] = []
    modes = set()
    for i, turn in enumerate(turns, 1):
        res = turn.result
        modes.add(res.mode)
        mapping: dict[int, int] = {}
        if not clean:
            for c in res.citations:
                mapping[c.n] = len(citations) + 1
                citations.append(replace(c, n=mapping[c.n]))
        body = _strip_sources(res.text) if res.citations else res.text.strip()
        if clean:
            body = "\n".join(ln for ln in body.split("\n") if not _MODE_NOTE.match(ln.strip()))
            body = _MARK.sub("", body)
        else:
            body = _renumber(body, mapping)
        q = " ".join(turn.question.split())
        heading = q if len(q) <= HEADING_CHARS else q[: HEADING_CHARS - 1] + "…"
        parts.append(f"## {i}. 问：{heading}")
        if heading != q:
            parts.append(f"问题全文：{q}")
        parts.append(_demote(body.strip()) or "（无回答）")
    mode: Mode = "llm" if "llm" in modes else "offline"
    return Result(
        text="\n\n".join(parts) + "\n", mode=mode, status="answered", task="ask", citations=citations
    )


# ---- feedback → eval items ------------------------------------------------------------------------
_LABEL = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.、])?\s*(?:\*\*)?(?:[^：:，。]{1,8}[：:])?(?:\*\*)?\s*")
_CLAUSE_END = re.compile(r"[，。；！？,;:：]")
POINTS = 3
POINT_CHARS = 16


def approved_points(text: str) -> list[str]:
    """Up to three opening clauses of the answer's cited sentences (verbatim), for answer_points."""
    points: list[str] = []
    for line in text.splitlines():
        if not _MARK.search(line) or line.lstrip().startswith(("#", ">")):
            continue
        body = _MARK.sub("", _LABEL.sub("", line.strip())).strip()
        clause = _CLAUSE_END.split(body)[0].strip()[:POINT_CHARS]
        if len(clause) >= 4 and clause not in points:
            points.append(clause)
        if len(points) == POINTS:
            break
    return points


def feedback_item(fb: Feedback) -> dict[str, Any]:
    """One eval item (SEED_DEV fields) plus what the user said and what the assistant answered.

    A 👍 answer's cited passages become its gold evidence and the opening clauses of its cited
    sentences its ``answer_points`` (verbatim from the approved answer). A 👎 becomes kind
    ``needs_review`` (``suggested_kind`` says what it should become) with no gold and no points: nothing
    is invented, and the eval skips it until a reviewer fills them in. Refused/not-found answers the
    user agreed with become out_of_scope/unanswerable items.
    """
    res = fb.result
    if fb.rating < 0:
        kind = "needs_review"
    elif fb.task in ("outline", "plan"):
        kind = fb.task
    elif res.status == "refused" and fb.rating > 0:
        kind = "out_of_scope"
    elif res.status == "not_found" and fb.rating > 0:
        kind = "unanswerable"
    else:
        kind = "howto"  # an answerable question (the unit's own wording)
    gold = [{"doc": c.source, "evidence": c.quote} for c in res.citations if fb.rating > 0 and c.quote]
    item: dict[str, Any] = {"id": f"fb{fb.id:05d}", "kind": kind}
    item["request" if fb.task in ("outline", "plan") else "question"] = fb.question
    item["gold"] = gold
    if kind == "needs_review":
        item["suggested_kind"] = fb.task if fb.task in ("outline", "plan") else "howto"
    elif kind == "howto":
        item["answer_points"] = approved_points(res.text)
    elif kind in ("outline", "plan"):
        item["must_cover"] = approved_points(res.text)
    item |= {
        "feedback": "up" if fb.rating > 0 else "down",
        "comment": fb.comment,
        "needs_review": fb.rating < 0,
        "answer": res.text,
        "answer_status": res.status,
        "answer_mode": res.mode,
        "citations": [c.to_dict() for c in res.citations],
        "settings": fb.settings,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(fb.created)),
    }
    return item
