"""Draft preparation for the two drafting tasks (微党课提纲, 活动方案): what the request asks, the passages
retrieved for it and for each section's purpose, and the offline draft built from them lazily.

The pipeline keeps the flow (guard, backends, quote check); this module only prepares a draft's inputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from sizheng_bot.answer.intent import DEFAULT_MINUTES, outline_params, parse_minutes, plan_params
from sizheng_bot.answer.scope import Scope, read_under, scope_hits, topic_scopes
from sizheng_bot.compose import Draft
from sizheng_bot.compose.cleanliness import TERMINAL, fit_for_draft
from sizheng_bot.compose.kbview import KBView
from sizheng_bot.compose.outline import compose_outline
from sizheng_bot.compose.plan import compose_plan
from sizheng_bot.compose.requirements import Requirement, materials, parse_requirements
from sizheng_bot.compose.select import QueryTerms, Unit, query_terms, scored_units
from sizheng_bot.retrieval.retriever import Retriever
from sizheng_bot.text import unwrap
from sizheng_bot.types import Hit, TaskRequest

DRAFT_K = 6
DRAFT_MAX_HITS = 10
TOPIC_GATE = 0.2  # least match to the topic for a section's unit to count in full
OFF_TOPIC = 0.3
MATERIAL_BONUS = 0.5  # a unit from the work the request names (借《拿来主义》讲…)


class Sources(Protocol):
    """What drafting reads: the retriever and the knowledge-base view (the pipeline's Stages has both)."""

    @property
    def retriever(self) -> Retriever: ...

    @property
    def kb_view(self) -> Callable[[], KBView]: ...


@dataclass(frozen=True)
class DraftInputs:
    """The passages, the offline draft (built on demand) and the values of the model's prompt."""

    hits: list[Hit]
    offline: Callable[[], Draft]
    prompt: str
    values: dict[str, str]


def prepare(ctx: Sources, req: TaskRequest) -> DraftInputs:
    """The inputs of an outline (``req.task == "outline"``) or a plan."""
    return _prepare_outline(ctx, req) if req.task == "outline" else _prepare_plan(ctx, req)


def _terms(ctx: Sources, query: str) -> QueryTerms:
    return query_terms(ctx.retriever.analyzer, query, ctx.kb_view().df)


def _units(ctx: Sources, hits: Sequence[Hit], query: str, scopes: Sequence[Scope] = ()) -> list[Unit]:
    """Units of ``hits`` scored against ``query``; a unit inside the topic's own document or section
    (``scopes``) is read under its title or heading (see ``answer.scope``)."""
    q = _terms(ctx, query)
    return read_under(scored_units(hits, q), scopes, q, max((h.score for h in hits), default=0.0))


def _draft_hits(ctx: Sources, queries: Sequence[str], limit: int = DRAFT_MAX_HITS) -> list[Hit]:
    """Several retrieval queries merged: each passage once, with its best score, best first."""
    best: dict[str, Hit] = {}
    for q in queries:
        for h in ctx.retriever.search(q, DRAFT_K):
            if h.chunk_id not in best or h.score > best[h.chunk_id].score:
                best[h.chunk_id] = h
    return sorted(best.values(), key=lambda h: -h.score)[:limit]


def _facets(topic: str) -> list[str]:
    """The topic's own parts (用好红色资源、传承红色基因 -> both halves) as extra queries."""
    parts = [p for p in re.split(r"[、，,；;和与及]|——", topic) if len(p) >= 2]
    return parts if len(parts) > 1 else []


def _draft_units(
    ctx: Sources, hits: Sequence[Hit], query: str, named: Sequence[str], scopes: Sequence[Scope] = ()
) -> list[Unit]:
    """Units fit for a draft (no placeholder, masked name or cut-off sentence; name slots as 【待定】),
    scored against ``query``; units from a document the request names (《拿来主义》) rank higher."""
    last: dict[str, int] = {}
    units = _units(ctx, hits, query, scopes)
    for u in units:
        last[u.hit.chunk_id] = max(last.get(u.hit.chunk_id, 0), u.order)
    out = []
    for u in units:
        text = fit_for_draft(_prose(u.text), u.order == last[u.hit.chunk_id])
        if text is None or _BLANK_SLOT.search(text):
            continue
        bonus = MATERIAL_BONUS if any(n in u.hit.source or n in u.hit.title for n in named) else 0.0
        hit = _clean_section(u.hit)
        out.append(replace(u, text=text, hit=hit, score=u.score + bonus, match=u.match + bonus))
    return out


def _clean_section(hit: Hit) -> Hit:
    """The hit with its section path as a draft may show it (a template's "3、由XX同志…" heading is
    labelled 【待定】 in the sources list, an unusable heading left out)."""
    if not hit.section:
        return hit
    heads = [h for h in (fit_for_draft(x) for x in hit.section.split(" > ")) if h]
    section = " > ".join(heads)
    return hit if section == hit.section else replace(hit, section=section)


def _prose(text: str) -> str:
    """A unit as one line of prose: page-wrap breaks joined, a title line in front of the first sentence
    dropped ("中共中央办公厅印发《…》\n近日，…"). A table (rows with |) keeps its lines for the plan's
    procedure; anything else still on several lines is not a talking point (``drafting.pick`` skips it)."""
    t = unwrap(text)
    if "\n" not in t or "|" in t:
        return t
    lines = [ln for ln in t.split("\n") if ln.strip()]
    while len(lines) > 1 and lines[0].rstrip()[-1:] not in TERMINAL:
        lines.pop(0)
    return lines[0].strip() if len(lines) == 1 else t


def _section_scorer(
    ctx: Sources, base: Sequence[Hit], named: Sequence[str], topic: str, scopes: Sequence[Scope] = ()
) -> Callable[[str], list[Unit]]:
    """``units_for(query)``: the base passages plus those retrieved for this section's query, scored for
    the query; a unit that shares nothing with the topic counts little (a sentence about 问题 in general
    does not belong in the 问题 part of a talk on another subject). The topic's own document or section
    (``scopes``) is in every section's pool, read under its name, so an article that never repeats the
    topic words (第十三条坚持严管和厚爱结合…) can still answer a section."""

    on_topic: dict[tuple[str, int], float] = {}  # topic match of each unit, computed once per passage
    scored: set[str] = set()
    known = {h.chunk_id for h in base}
    lowest = min((h.score for h in base), default=0.0)
    base = [*base, *(h for h in scope_hits(ctx.retriever.kb.lexical().chunks, scopes, lowest)
                     if h.chunk_id not in known)]  # fmt: skip

    def units_for(query: str) -> list[Unit]:
        seen = {h.chunk_id for h in base}
        hits = [*base, *(h for h in ctx.retriever.search(query, DRAFT_K) if h.chunk_id not in seen)]
        new = [h for h in hits if h.chunk_id not in scored]
        on_topic.update(
            {(u.hit.chunk_id, u.order): u.match for u in _draft_units(ctx, new, topic, named, scopes)}
        )
        scored.update(h.chunk_id for h in new)
        out = []
        for u in _draft_units(ctx, hits, query, named, scopes):
            keep = 1.0 if on_topic.get((u.hit.chunk_id, u.order), 0.0) >= TOPIC_GATE else OFF_TOPIC
            out.append(replace(u, match=u.match * keep, score=u.score * keep))
        return out

    return units_for


def _document_scorer(ctx: Sources, query: str, named: Sequence[str]) -> Callable[[Hit, int], list[Unit]]:
    """``doc_units(hit, span)``: the units of ``hit``'s chunk and the ``span`` chunks before and after it
    in its document (a table or a record continues past one chunk), scored against ``query``."""

    def doc_units(hit: Hit, span: int) -> list[Unit]:
        lex = ctx.retriever.kb.lexical()
        i = lex.pos.get(hit.chunk_id)
        if i is None:
            return _draft_units(ctx, [hit], query, named)
        chunks = [c for c in lex.chunks[max(0, i - span) : i + span + 1] if c.source == hit.source]
        hits = [
            Hit(c.id, c.text, hit.score, c.source, c.title, c.section, c.page, c.position) for c in chunks
        ]
        return _draft_units(ctx, hits, query, named)

    return doc_units


def _absent_terms(ctx: Sources, topic: str) -> list[str]:
    """The topic's words that no passage holds, when they are most of it (the KB has nothing on it)."""
    words = [
        t for t in dict.fromkeys(ctx.retriever.analyzer.query_terms(topic, expand=False)[0]) if len(t) >= 2
    ]
    kb = ctx.kb_view()  # a word only a document's title or heading holds (党员教育培训班) is in the KB too
    absent = [t for t in words if not kb.contains(t)]
    missing = len(absent)
    absent = [t for t in absent if not any(t != o and t in o for o in absent)]  # 节水 inside 节水型
    return absent if words and missing * 2 >= len(words) else []


# a form's blank or a one-letter slot ("( )任支部组织委员", "得赞成票X票", "发出选票X张"): a form to fill in
_BLANK_SLOT = re.compile(r"[（(]\s*[）)]|[\[［]\s*[\]］]|□|(?<![A-Za-z0-9])[XＸ](?=[\u4e00-\u9fff])")
_ACTIVITY_WORDS = re.compile(
    r"主题党日|党日|活动|知识|宣传|竞答|竞赛|比赛|分享会|座谈会|交流会|学习|交流|讲座|宣讲|志愿服务|参观|集中|专题"
)
_TALK = re.compile(r"讨论|交流|互动|研讨|发言|分享|提问|答疑")
_TALK_FORM = re.compile(r"讲授[加+＋和与]?(?:讨论|研讨|交流|互动)|(?:讨论|研讨|互动)(?:式|的形式|的方式)")
TALK_FORM_SHARE = 0.2  # of a 讲授+讨论 talk's time, for the discussion


def _discussion(request: str, reqs: Sequence[Requirement], minutes: int) -> tuple[bool | None, int | None]:
    """Whether the talk has a discussion and, when the request says, how long: "留5分钟提问" gives 5;
    a 讲授加讨论 form gives the discussion about a fifth of the time."""
    talks = [r for r in reqs if r.is_step and _TALK.search(r.text)]
    asked = next((n for r in talks if (n := parse_minutes(r.text))), None)
    if asked is None and _TALK_FORM.search(request):
        asked = max(2, round(minutes * TALK_FORM_SHARE))
    return (True if talks or asked else None), asked


def _prepare_outline(ctx: Sources, req: TaskRequest) -> DraftInputs:
    reqs_probe = parse_requirements(req.text)
    minutes = req.minutes or parse_minutes(req.text) or DEFAULT_MINUTES
    talk, talk_minutes = _discussion(req.text, reqs_probe, minutes)
    p = outline_params(req.text, req.topic, req.audience, req.minutes, req.history, talk, talk_minutes)
    reqs = parse_requirements(req.text, p.topic)
    named = materials(req.text)
    queries = [p.topic, req.text, *named, *(f"{p.topic} {r.query}" for r in reqs), *_facets(p.topic)]
    hits = _draft_hits(ctx, queries)
    scopes = topic_scopes(hits, _terms(ctx, p.topic))
    units = _draft_units(ctx, hits, p.topic, named, scopes)
    units_for = _section_scorer(ctx, hits, named, p.topic, scopes)
    values = {"request": req.text, "topic": p.topic, "audience": p.audience, "minutes": str(p.minutes),
              "time_split": p.split_text, "requirements": _req_text(reqs)}  # fmt: skip
    doc_units = _document_scorer(ctx, p.topic, named)
    absent = _absent_terms(ctx, p.topic)
    return DraftInputs(
        hits, lambda: compose_outline(p, units, reqs, units_for, named, doc_units, absent), "outline", values
    )


def _req_text(reqs: Sequence[Requirement]) -> str:
    return "；".join(f"{r.text}（{'安排为一个环节' if r.is_step else '写进正文'}）" for r in reqs) or "（无）"


def _prepare_plan(ctx: Sources, req: TaskRequest) -> DraftInputs:
    p = plan_params(req.text, req.topic, req.audience, req.form, req.history)
    reqs = parse_requirements(req.text, p.theme)
    named = materials(req.text)
    queries = [p.theme, req.text, f"{p.theme} 做法 活动", *named, *(f"{p.theme} {r.query}" for r in reqs),
               *_facets(p.theme)]  # fmt: skip
    hits = _draft_hits(ctx, queries)
    scopes = topic_scopes(hits, _terms(ctx, p.theme))
    units = _draft_units(ctx, hits, p.theme, named, scopes)
    units_for = _section_scorer(ctx, hits, named, p.theme, scopes)
    values = {"request": req.text, "theme": p.theme, "audience": p.audience, "format": p.form,
              "minutes": str(p.minutes), "requirements": _req_text(reqs)}  # fmt: skip
    doc_units = _document_scorer(ctx, p.theme, named)
    absent = _absent_terms(ctx, _ACTIVITY_WORDS.sub("", p.theme))  # the subject, not the kind of activity
    return DraftInputs(
        hits, lambda: compose_plan(p, req.text, units, units_for, reqs, doc_units, absent), "plan", values
    )
