"""Can the retrieved passages answer this question? One decision from evidence, for both modes.

The question is cut into its parts (sub-questions; "…呢？" inherits the previous part's ask). For each
part:

1. its *key terms* (content words, not question scaffolding) are weighted by rarity in the knowledge
   base; the part is *addressed* when one passage (with its title and headings) covers at least
   ``COVER_MIN`` of that weight, and a key name (quoted term, 《title》, number, office or place) that
   occurs nowhere in the knowledge base leaves it unaddressed;
2. the typed detectors (``detectors``) say what specific it asks for (a frequency, a duration, a count,
   a date rule, a person or office, a place…); an addressed part is *answered* when a sentence near
   the key terms states such a specific, else *partial*: the passages address the subject but do not
   state the specific — or a rare key term of the question occurs nowhere in the knowledge base.

All parts answered → ``answered``; none addressed → ``not_found``; otherwise ``partial``. Each part
keeps the sentence that states its answer and the span to highlight.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sizheng_bot.answer import detectors
from sizheng_bot.answer.detectors import Kind
from sizheng_bot.answer.parts import split_parts
from sizheng_bot.answer.terms import clean, forms, key_terms, missing_names, unknown_kind
from sizheng_bot.compose.answer import doc_name, wants_example
from sizheng_bot.compose.filters import ASKS_WHAT_TO_DO, is_filler, stance
from sizheng_bot.compose.items import answering_run
from sizheng_bot.compose.kbview import KBView
from sizheng_bot.compose.select import Unit
from sizheng_bot.retrieval.analyzer import Analyzer
from sizheng_bot.text import matchable, strip_marker
from sizheng_bot.text.headings import named_section

Outcome = Literal["answered", "partial", "missing"]
COVER_MIN = 0.5  # share of a part's key-term weight one passage must cover to state a specific it asks
ADDRESS_MIN = 0.34  # share below which a passage addresses the part only in part (partial)
ADDRESS_LOW = 0.12  # share below which no passage addresses the part at all (missing)
UNIT_MIN = 0.25  # share a sentence (with its neighbours and heading) must cover to state the answer
ABSENT_SHARE = 0.25  # key-term weight absent from the whole KB above which an addressed part is partial
GENERIC_WEIGHT = 1.0  # the weight of an everyday word the KB never uses
ABSENT_MISSING = 0.6  # share of key-term weight absent from the KB at which the part is not addressed
CONTEXT_TERMS = 2  # a part with this few known key terms also takes the previous part's terms
SPEC_MIN = 0.4  # share the sentence stating a specific must itself (with its heading) cover
LIST_ITEMS = 3  # items from which a sentence counts as the enumeration a "哪些" question asks for
WINDOW = 2  # sentences after a covering sentence where its specific may stand (the list after "如下：")
STANCE_LEAD = 0.25  # a "how"/"what is required" part leads with what to do, not with the problem or a case
SUBJECT_LEAD = 0.3  # a sentence that opens with the part's terms is about them (党支部要落实好…)
SUBJECT_SPAN = 8  # characters at a sentence's start where its subject stands
_WITHIN = re.compile(r"(?:里面|里头|当中|之中|里|中)的")


@dataclass
class Part:
    """One sub-question and what the passages say about it."""

    text: str
    kinds: list[Kind]
    terms: dict[str, float]
    outcome: Outcome = "missing"
    coverage: float = 0.0
    answer: Unit | None = None  # the sentence that states (or comes nearest to stating) the answer
    span: tuple[int, int] | None = None  # where in answer.text the asked-for specific stands
    absent: list[str] = field(default_factory=list)  # key terms that occur nowhere in the KB
    missing_names: list[str] = field(default_factory=list)
    heads: list[Unit] = field(default_factory=list)  # an enumeration's item heads that answer the part

    @property
    def label(self) -> str:
        spec = detectors.specific(self.kinds)
        return spec[0].label if spec else "内容"

    def gap(self) -> str:
        """What the knowledge base does not state for this part (Chinese, for the user)."""
        subject = clean(self.text).rstrip("？?。！!；;，, ")
        if not self.terms:
            return "问题所指的具体内容（请说明想了解哪方面的工作，例如：谈心谈话具体怎么做）"
        if self.missing_names:
            return f"{subject}（知识库中没有{'、'.join(self.missing_names)}的相关内容）"
        if self.outcome == "missing":
            return f"{subject}（知识库中没有直接相关的原文）"
        if detectors.specific(self.kinds) or detectors.items_asked(self.text) or not self.absent:
            return f"{subject}（原文未写明具体的{self.label}）"
        return f"{subject}（原文未提及{'、'.join(self.absent)}）"


@dataclass
class Decision:
    status: Literal["answered", "partial", "not_found"]
    parts: list[Part]

    @property
    def gaps(self) -> list[str]:
        return [p.gap() for p in self.parts if p.outcome != "answered"]


def decide(question: str, units: Sequence[Unit], analyzer: Analyzer, kb: KBView) -> Decision:
    parts: list[Part] = []
    for text in split_parts(question):
        kinds = detectors.asked(text)
        terms = key_terms(text, analyzer, kb)
        if parts and not kinds and re.search(r"呢[？?]?$", text):
            kinds = parts[-1].kinds  # "党群办公会呢？": the previous part's ask about a new subject
        if not terms and parts:
            continue
        present = [t for t in terms if kb.df(t) > 0]
        if parts and len(present) <= CONTEXT_TERMS:  # "有没有具体例子？" is about the previous part's subject
            terms |= {t: w * 0.5 for t, w in parts[-1].terms.items() if t not in terms and kb.df(t) > 0}
        parts.append(_judge(Part(text, kinds, terms), units, analyzer, kb))
    outcomes = {p.outcome for p in parts}
    if outcomes == {"answered"}:
        status: Literal["answered", "partial", "not_found"] = "answered"
    elif outcomes == {"missing"}:
        status = "not_found"
    else:
        status = "partial"
    return Decision(status, parts)


def _judge(part: Part, units: Sequence[Unit], analyzer: Analyzer, kb: KBView) -> Part:
    part.missing_names = missing_names(part.text, analyzer, kb)
    spelled = {t: forms(t, analyzer) for t in part.terms}
    unknown = [t for t in part.terms if not any(kb.contains(f) for f in spelled[t])]
    unknown += [t for t in part.terms if t in part.missing_names and t not in unknown]
    weights = dict(part.terms)
    for t in unknown:
        kind = unknown_kind(t, analyzer)
        if kind == "specific":
            part.absent.append(t)
        weights[t] = {"specific": weights[t], "generic": GENERIC_WEIGHT, "artifact": 0.0}[kind]
    total = sum(weights.values())
    known = sum(w for t, w in weights.items() if t not in unknown)
    absent_share = sum(weights[t] for t in part.absent) / total if total else 1.0
    if not known or absent_share >= ABSENT_MISSING:  # 量子计算机的工作原理: the subject is not in the KB
        part.outcome = "missing"
        return part
    by_passage: dict[str, list[Unit]] = {}
    for u in units:
        by_passage.setdefault(u.hit.chunk_id, []).append(u)

    def cover(text: str, among: Iterable[str] | None = None) -> float:
        terms = weights if among is None else among
        return sum(weights[t] for t in terms if any(f in text for f in spelled[t])) / total

    # "“三坚持、四有、三各”里面的“三坚持”是…": the terms after 里面的 are what the part is about
    tail = _WITHIN.split(part.text)[-1]
    focus = [t for t in weights if t in tail] or list(weights)

    best: tuple[float, float, Unit | None, tuple[int, int] | None] = (0.0, 0.0, None, None)
    run_of: list[Unit] = []  # the heads of the enumeration that answers, when one does
    spec = detectors.specific(part.kinds)
    items = detectors.items_asked(part.text)
    example = wants_example(part.text)
    to_do = not spec and bool(ASKS_WHAT_TO_DO.search(part.text)) and not example
    asks_items = detectors.asks_list(part.text) or items > 0  # 哪些, 哪几类, 哪四有
    several = asks_items or "各自" in part.text
    for us in by_passage.values():
        us.sort(key=lambda u: u.order)
        head = matchable(f"{doc_name(us[0].hit)}{us[0].hit.title}{named_section(us[0].hit.section)}")  # as users name it
        whole = head + "".join(matchable(u.text) for u in us)
        passage = cover(whole)
        part.coverage = max(part.coverage, passage)
        if passage < ADDRESS_LOW:
            continue
        for j, u in enumerate(us):
            prev = matchable(us[j - 1].text) if j else ""
            near = cover(head + prev + matchable(u.text))
            if near < min(UNIT_MIN, 0.6 * passage):
                continue
            own = cover(head + matchable(u.text))
            power = 0.0
            window = us[j : j + WINDOW + 1] if u.text.rstrip().endswith(("：", ":")) else [u]
            if spec:
                found, span, power = (
                    _stated(spec, window, part.terms, part.text) if own >= SPEC_MIN else (None, None, 0.0)
                )
            elif items:
                found, span = (
                    (
                        u
                        if detectors.count_items("".join(x.text for x in us[j:]), "步" in part.text) >= items
                        else None
                    ),
                    None,
                )
            else:
                found, span = u, None
                if own >= SPEC_MIN and several:  # 哪几个环节 / 各自是什么: a list wins (not for a bare 是什么)
                    listed = "".join(x.text for x in us[j : j + WINDOW + 1])
                    power = 1.0 + (detectors.count_items(listed) >= LIST_ITEMS)
            # saying what to do counts in proportion to how much of the part the sentence is about
            lean = STANCE_LEAD * stance(u.text, u.is_example) * min(1.0, own / SPEC_MIN) if to_do else 0.0
            if not (to_do or example) and u.is_example and stance(u.text, True) < 0:
                lean = -STANCE_LEAD  # a case (例如,某机关…) answers "what" only when no rule says it
            rank = (
                power if spec or power else float(found is not None),
                own
                + 0.3 * near
                + 0.1 * u.score
                + lean
                + SUBJECT_LEAD * cover(matchable(strip_marker(u.text)[:SUBJECT_SPAN])),
            )
            if rank > best[:2]:
                best = (*rank, found or u, span)
                run_of = []
            # the enumeration u opens (一是有事可做。…二是有声可发。…), scored on what its heads show
            if (
                asks_items
                and not spec
                and (run := answering_run(u, units, prev, lambda x: cover(x, focus), cover, items))
            ):
                shown = (
                    2.0,
                    cover(head + prev + "".join(matchable(x.text) for x in run)) + 0.3 * near + 0.1 * u.score,
                )
                if shown > best[:2]:
                    best, run_of = (*shown, u, None), run
    if part.coverage < ADDRESS_LOW or best[2] is None:
        part.outcome = "missing"
        return part
    if part.coverage < ADDRESS_MIN:  # the best passage shares only part of the subject
        part.answer, part.outcome = best[2], "partial"
        part.absent = part.absent or [t for t in part.terms if t not in _covered(best[2], spelled)][:3]
        return part
    if spec and part.coverage < COVER_MIN:  # the subject is touched, the specific's context is not
        part.answer, part.outcome = best[2], "partial"
        return part
    if part.missing_names:  # 2035 / a named office the KB never mentions: what is there is only related
        part.answer, part.outcome = best[2], "partial"
        return part
    part.answer, part.span, part.heads = best[2], best[3], run_of
    if not (spec or items):
        part.absent = []  # a "how" or "what" is met by the relevant passages whatever words it uses
    part.outcome = (
        "answered" if best[0] > 0 and (not part.absent or absent_share < ABSENT_SHARE) else "partial"
    )
    return part


def _covered(u: Unit, spelled: dict[str, list[str]]) -> set[str]:
    text = matchable(f"{u.hit.title}{named_section(u.hit.section)}{u.text}")
    return {t for t, fs in spelled.items() if any(f in text for f in fs)}


def _stated(
    kinds: list[Kind], window: Sequence[Unit], terms: dict[str, float], question: str = ""
) -> tuple[Unit | None, tuple[int, int] | None, float]:
    """The sentence of ``window`` stating a specific of one of ``kinds`` most clearly (numbers inside
    the question's own terms, such as 十五五 or 2035年, do not count; a count must count the noun asked
    about, a person must be a person), its span and strength."""
    best: tuple[Unit | None, tuple[int, int] | None, float] = (None, None, 0.0)
    for u in window:
        if is_filler(u.text, u.passage):
            continue  # 差额比例为XX% states nothing
        masked = _mask(u.text, terms)
        for k in kinds:
            m = detectors.stated(k, masked, question, u.text)
            if m and detectors.strength(m) > best[2]:
                best = (u, (m.start(), m.end()), detectors.strength(m))
    return best


def _mask(text: str, terms: dict[str, float]) -> str:
    for t in sorted(terms, key=len, reverse=True):
        if len(t) >= 2:
            text = text.replace(t, "\x00" * len(t))
    return text
