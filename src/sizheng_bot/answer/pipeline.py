"""Task pipeline: guard -> (rewrite) -> retrieve -> answerability -> compose (offline | LLM) -> quote check -> Result.

One path for the three tasks and both backends. The offline composer is the default and the fallback:
any LLM failure (connection refused, 401, 429, 5xx, timeout, a broken stream, a bad prompt file) ends in
the offline result with a warning carrying the error's Chinese message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from sizheng_bot.answer import detectors, drafts
from sizheng_bot.answer.decide import Decision, decide
from sizheng_bot.answer.followup import followup_query, is_followup, ordinal_point, previous_points
from sizheng_bot.answer.guard import (
    OUT_OF_SCOPE_MESSAGE,
    classify,
    leans_off_topic,
    off_topic_terms,
    too_long,
)
from sizheng_bot.answer.intent import drafting_task
from sizheng_bot.answer.quotes import QuoteVerifier
from sizheng_bot.compose import Draft
from sizheng_bot.compose.answer import Lead, compose_answer, compose_not_found, lean_to_advice, wants_example
from sizheng_bot.compose.filters import form_tables, join_cut, placeholder_free
from sizheng_bot.compose.kbview import KBView
from sizheng_bot.compose.select import Unit, query_terms, scored_units
from sizheng_bot.errors import ConfigError, LLMError
from sizheng_bot.llm import postprocess as generate
from sizheng_bot.llm.client import ChatLLM
from sizheng_bot.llm.prompts import PromptSet
from sizheng_bot.retrieval.retriever import Retriever
from sizheng_bot.text import squash
from sizheng_bot.types import Hit, Result, Status, TaskRequest

log = logging.getLogger(__name__)

ASK_K = 11
FOLLOWING = 3  # top hits whose next chunk is also offered to the composer
OFF_TOPIC_HITS = 3  # passages that must speak of an off-topic-looking question's own subject
OFF_TOPIC_COVER = 0.85  # or cover this share of its key terms
EXAMPLE_BONUS = 0.3
SPECIFIC_BONUS = 0.3
LIST_BONUS = 0.3  # an enumeration (three items or more) when the question asks for several things
LIST_ITEMS = 3
EARLIER_BONUS = 0.5  # a point of the previous answer, when the follow-up refers back to "these"
FALLBACK = "已改用离线摘编模式"
REPLY_TIMEOUTS = 3  # a whole streamed reply may take this many request timeouts
SOURCES = {"ask": "参考来源", "outline": "参考资料", "plan": "参考依据"}


@dataclass(frozen=True)
class Stages:
    """What the pipeline uses, passed in by the composition root (never the whole application).

    The views and the model are callables because they follow the knowledge base's generation and are
    built lazily (the LLM client imports its HTTP stack only when a model is configured).
    """

    retriever: Retriever
    kb_view: Callable[[], KBView]
    verifier: Callable[[], QuoteVerifier]
    llm: Callable[[], ChatLLM | None]
    prompts: Callable[[], PromptSet]
    documents: Callable[[], int] = lambda: -1  # how many documents the KB holds (-1: unknown)
    max_question_chars: int = 2000


@dataclass
class Prepared:
    """Everything both backends need: the passages, the offline draft, the prompt for the model."""

    hits: list[Hit]
    offline: Callable[[], Draft]
    prompt: str = ""
    values: dict[str, str] = field(default_factory=dict)
    gaps: list[str] = field(default_factory=list)
    decision: Decision | None = None


def run(ctx: Stages, req: TaskRequest) -> Result:
    result: Result | None = None
    for event in stream(ctx, req):
        if isinstance(event, Result):
            result = event
    assert result is not None
    return result


def stream(ctx: Stages, req: TaskRequest) -> Iterator[str | Result]:
    """Yields text deltas (LLM mode) and finally the Result."""
    req = replace(req, history=tuple((str(u or ""), str(a or "")) for u, a in req.history))
    drafting = drafting_task(req.text) if req.task == "ask" else None
    if drafting:  # "帮我列个微党课提纲" typed into the chat gets the outline, not excerpts
        req = replace(req, task=drafting)
    if message := too_long(req.text, ctx.max_question_chars):
        yield Result(text=message, mode="offline", status="refused", task=req.task)
        return
    guard = classify(req.text, [u for u, _ in req.history])
    if not guard.ok and guard.kind != "out_of_scope":
        yield Result(text=guard.message, mode="offline", status="refused", task=req.task)
        return
    warnings: list[str] = []
    llm_on = ctx.llm() is not None
    query = req.text
    if req.task == "ask" and req.history:
        query, llm_on = _followup(ctx, req, llm_on, warnings)
    prep = _prepare(ctx, req, query)
    status = prep.decision.status if prep.decision else ("answered" if prep.hits else "not_found")
    if req.task == "ask" and (
        (not guard.ok and (status != "answered" or not _speaks_of(prep, req.text)))
        or (status == "not_found" and leans_off_topic(req.text))
    ):  # off-topic, and the knowledge base does not answer it either: one polite note
        yield Result(text=OUT_OF_SCOPE_MESSAGE, mode="offline", status="refused", task=req.task)
        return
    if not guard.ok and req.task != "ask":
        yield Result(text=guard.message, mode="offline", status="refused", task=req.task)
        return
    if not prep.hits:
        yield _empty(ctx, req, warnings)
        return
    if prep.gaps:
        yield _finish(ctx, req, prep.offline(), "offline", warnings)
        return
    if llm_on:
        try:
            yield from _llm(ctx, req, prep, warnings)
            return
        except (LLMError, ConfigError) as exc:
            log.warning("LLM mode failed, falling back to the offline composer: %s", exc)
            warnings.append(f"{exc}；{FALLBACK}")
    yield _finish(ctx, req, prep.offline(), "offline", warnings)


def _speaks_of(prep: Prepared, request: str) -> bool:
    """Whether the KB answers an off-topic-looking ``request`` (it may hold a reading list, a canteen
    notice, a news report): a passage states a specific it asks for (a place, a duration, a count), its
    best passages cover nearly all its key terms, or they speak of what makes it look off-topic.
    Sharing only 推荐 or 今天 with it is no answer."""
    parts = prep.decision.parts if prep.decision else []
    if parts and (any(p.span for p in parts) or min(p.coverage for p in parts) >= OFF_TOPIC_COVER):
        return True
    terms = off_topic_terms(request)
    hits = prep.hits[:OFF_TOPIC_HITS]
    return not terms or any(t in squash(f"{h.title}{h.section}{h.text}") for h in hits for t in terms)


# --- query -------------------------------------------------------------------------------------------
def _followup(ctx: Stages, req: TaskRequest, llm_on: bool, warnings: list[str]) -> tuple[str, bool]:
    """A standalone query for a follow-up; the model rewrites it in LLM mode, a rule does offline."""
    offline = followup_query(req.text, req.history)
    llm = ctx.llm()
    if not llm_on or llm is None or not is_followup(req.text):
        return offline, llm_on
    last = next((a for u, a in reversed(req.history) if u.strip()), "")
    if ordinal_point(req.text, last):  # "第二条展开说说": the point itself, in both modes
        return offline, llm_on
    try:
        rewritten = generate.rewrite_query(llm, ctx.prompts(), req.text, req.history)
    except (LLMError, ConfigError) as exc:
        log.warning("query rewrite failed: %s", exc)
        warnings.append(f"{exc}；{FALLBACK}")
        return offline, False
    return (rewritten if rewritten != req.text else offline), True


# --- retrieval and the offline answer ---------------------------------------------------------------
def _prepare(ctx: Stages, req: TaskRequest, query: str) -> Prepared:
    if req.task in ("outline", "plan"):
        d = drafts.prepare(ctx, req)
        return Prepared(d.hits, d.offline, d.prompt, d.values)
    hits = ctx.retriever.search(query, ASK_K)
    hits += ctx.retriever.following(hits, FOLLOWING)
    earlier = previous_points(req.text, req.history)  # "这几件事里…": within the last answer's points
    for point in earlier:
        hits += [h for h in ctx.retriever.search(point, 1) if all(h.chunk_id != o.chunk_id for o in hits)]
    q = query_terms(ctx.retriever.analyzer, query, ctx.kb_view().df)
    units = join_cut(scored_units(hits, q, EXAMPLE_BONUS if wants_example(req.text) else 0.0))
    units = [x for x in map(placeholder_free, form_tables(units)) if x is not None]
    if earlier:
        units = [replace(u, score=u.score + EARLIER_BONUS) if any(u.text in p or p in u.text for p in earlier) else u
                 for u in units]  # fmt: skip
    kinds = detectors.specific(detectors.asked(query))
    if kinds:  # a sentence holding the kind of fact asked for (多久 -> 每季度) outranks its neighbours
        units = [replace(u, score=u.score + SPECIFIC_BONUS) if u.match > 0 and _carries(kinds, u.text) else u
                 for u in units]  # fmt: skip
    if detectors.asks_list(query):  # 哪几类人: "工作不顺的、家庭变故的、身有疾病的…" outranks its neighbours
        units = [replace(u, score=u.score + LIST_BONUS) if _enumerates(u) else u for u in units]
    units = lean_to_advice(units, query)
    if not hits:
        return Prepared(hits, lambda: compose_not_found([]))
    decision = decide(query, units, ctx.retriever.analyzer, ctx.kb_view())
    if decision.status == "not_found":
        gaps = decision.gaps
        return Prepared(hits, lambda: compose_not_found(gaps), gaps=gaps, decision=decision)
    leads = [Lead(p.answer, p.span, tuple(p.heads)) for p in decision.parts if p.answer is not None]
    notes = decision.gaps
    partial = decision.status == "partial"
    values = {"history": generate.history_text(req.history), "question": req.text}
    return Prepared(
        hits, lambda: compose_answer(units, leads, notes, partial), "answer", values, decision=decision
    )


def _enumerates(u: Unit) -> bool:
    """A unit of the question's subject (or of the best passage) that lists three things or more."""
    return (u.match > 0 or u.rank == 0) and detectors.enumerated(u.text) >= LIST_ITEMS


def _carries(kinds: Sequence[detectors.Kind], text: str) -> bool:
    return any(detectors.evidence(k, text) for k in kinds)


# --- LLM mode ----------------------------------------------------------------------------------------
def _llm(ctx: Stages, req: TaskRequest, prep: Prepared, warnings: list[str]) -> Iterator[str | Result]:
    """The model's reply, its citations checked and renumbered; a reply that loops or cites nothing it
    was given raises LLMError, so the caller shows the offline draft instead (with the reason)."""
    llm = ctx.llm()
    if llm is None:
        raise LLMError("未配置大模型")
    prompts = ctx.prompts()
    user = prompts.render(prep.prompt, context=generate.context_text(prep.hits), **prep.values)
    parts: list[str] = []
    deadline = time.monotonic() + REPLY_TIMEOUTS * llm.timeout
    for delta in llm.stream(prompts.render("system"), user):
        parts.append(delta)
        yield delta
        if len(parts) % 32 == 0 and generate.is_looping("".join(parts)):
            break
        if time.monotonic() > deadline:  # a slow model that never stops: the request timeout is per chunk
            raise LLMError(
                f"大模型回复超过 {REPLY_TIMEOUTS * llm.timeout:.0f} 秒仍未结束（请检查 SIZHENG_LLM_TIMEOUT）"
            )
    raw = "".join(parts)
    cleaned = generate.clean_citations(raw, prep.hits)
    if reason := generate.unusable(raw, cleaned, user):
        log.info("LLM reply not used (%s); %d citation markers removed", reason, len(cleaned.warnings))
        raise LLMError(reason)
    warnings.extend(cleaned.warnings)
    status: Status = generate.reply_status(cleaned.text, cleaned)
    if status == "answered" and prep.decision is not None and prep.decision.status == "partial":
        status = "partial"
    text = generate.with_sources(cleaned.text, cleaned, SOURCES[req.task])
    yield _finish(ctx, req, Draft(text, status, cleaned.citations), "llm", warnings)


# --- results -----------------------------------------------------------------------------------------
def _finish(ctx: Stages, req: TaskRequest, draft: Draft, mode: str, warnings: list[str]) -> Result:
    """Check every quotation against the knowledge base, flag what is not found, build the Result."""
    text, checks = ctx.verifier().verify(draft.text)
    unverified = [c for c in checks if not c.found]
    all_warnings = [*warnings, *draft.warnings]
    if unverified:
        log.warning("%d unverified quotations in a %s result", len(unverified), mode)
        all_warnings.append(
            f"有 {len(unverified)} 处引文未能在知识库中核实，已在文中标注【引文未核实】，请核对原文后再使用"
        )
    return Result(
        text=text,
        mode="llm" if mode == "llm" else "offline",
        status=draft.status,
        task=req.task,
        citations=draft.citations,
        warnings=all_warnings,
        quotes=checks,
    )


EMPTY_KB = "知识库为空：还没有导入任何文件。请先上传文件，再提问。"
NO_PASSAGE = (
    "知识库中没有与这个问题相关的原文，不作推测。如需这方面的答复，请上传包含相关内容的文件，或换个问法再试。"
)


def _empty(ctx: Stages, req: TaskRequest, warnings: list[str]) -> Result:
    """No passage at all: "知识库为空" only when it is (the document count says so)."""
    text = EMPTY_KB if ctx.documents() == 0 else NO_PASSAGE
    return Result(text=text, mode="offline", status="not_found", task=req.task, warnings=list(warnings))
