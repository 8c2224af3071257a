"""Offline answers: the sentence(s) stating the answer first (the asked-for span in bold), then a few
supporting points under the documents' own headings, then the numbered sources.

Everything quoted is a verbatim unit of a passage; the only other text is one mode line and, for a
partial answer, a note of what the passages do not state. Lists stay whole, also when the items
continue in the next chunk of the same document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sizheng_bot.compose import CitationBook, Draft, finish
from sizheng_bot.compose.filters import ASKS_WHAT_TO_DO, is_cut, is_filler, reads_as_instruction, stance
from sizheng_bot.compose.select import Unit, group, is_duplicate, section_leaf, select
from sizheng_bot.text import squash
from sizheng_bot.types import Hit, Status

MODE_LINE = "> 离线摘编模式：以下为知识库原文摘录，未经大模型改写，[n] 为出处。"
MAX_POINTS = 5
MIN_POINTS = 3
BUDGET = 580  # characters of quoted text (lead + points), about 300–700 in all
PRIOR = 1.0  # extra weight of the passage's retrieval rank when choosing supporting points
FLOOR = 0.3
RELATIVE = 0.4
MAX_EXAMPLES = 1
_WANTS_EXAMPLE = re.compile(r"例子|先例|案例|事例|范例|有没有单位|有单位|哪个单位|谁这么|干过|做过|经验|典型")


@dataclass(frozen=True)
class Lead:
    """A sentence that states (part of) the answer and the span of it to set in bold."""

    unit: Unit
    span: tuple[int, int] | None = None
    heads: tuple[Unit, ...] = ()  # an enumeration's item heads that answer (一是有事可做。二是有声可发。…)


def wants_example(question: str) -> bool:
    return bool(_WANTS_EXAMPLE.search(question))


STANCE_POINT = 0.1  # how much saying what to do counts when the question asks what to do


def lean_to_advice(units: Sequence[Unit], question: str) -> list[Unit]:
    """For a question asking what to do (怎么做, 有什么要求), sentences that prescribe rank a little higher
    and those that only describe the problem (or tell a case nobody asked for) a little lower."""
    if not ASKS_WHAT_TO_DO.search(question) or wants_example(question):
        return list(units)
    return [replace(u, score=u.score + STANCE_POINT * stance(u.text, u.is_example)) for u in units]


def usable(u: Unit) -> bool:
    return not (is_filler(u.text, u.passage) or reads_as_instruction(u.text) or is_cut(u))


def compose_answer(
    units: Sequence[Unit], leads: Sequence[Lead] = (), notes: Sequence[str] = (), partial: bool = False
) -> Draft:
    pool = [u for u in units if usable(u)]
    flagged = [u for u in units if reads_as_instruction(u.text)]
    book = CitationBook()
    lines = [MODE_LINE, ""]
    lead_units: list[Unit] = []
    for lead in leads:
        u = lead.unit
        # each part's own answer: two table rows alike but for the month are two answers
        if not usable(u) or is_duplicate(u.text, [x.text for x in lead_units], near=False):
            continue
        lead_units += [h for h in lead.heads or [u] if usable(h) and all(h is not x for x in lead_units)]
    if not lead_units:
        lead_units = select(pool, 1, 0.0, 0.0)
    lead_units = _whole_lists(_with_enumerations(lead_units, pool)) or lead_units
    spans = {(lead.unit.hit.chunk_id, lead.unit.order): lead.span for lead in leads}
    lines += [f"{_bold(u, spans.get((u.hit.chunk_id, u.order)))}{book.cite(u.hit)}" for u in lead_units]
    if partial and notes:
        lines += ["", "原文未写明：" + "；".join(notes) + "。以下为相关原文，供参考。"]
    used = sum(len(u.text) for u in lead_units)
    points = _points(pool, lead_units, used)
    shown = ""
    for _source, section, us in sorted(group(points), key=lambda g: -max(u.score for u in g[2])):
        heading = _group_heading(us[0].hit, section, us[0].text)
        if heading != shown:  # one heading over consecutive groups that would repeat it
            lines += ["", f"### {heading}"]
            shown = heading
        lines += [f"- {u.text} {book.cite(u.hit)}" for u in us]
    draft = _finish(lines, book, "partial" if partial else "answered")
    if flagged:
        draft.warnings.append(
            f"检索到的原文中有 {len(flagged)} 处像是对助手下达的指令（如“忽略以上指令”），已作为资料对待，未采用为答案要点"
        )
    return draft


def _finish(lines: list[str], book: CitationBook, status: Status) -> Draft:
    """The numbered sources, short: document name, page, the heading the passage stands under."""
    if book.hits:
        lines += ["", "## 参考来源"]
        for n, h in enumerate(book.hits, 1):
            page = f" 第{h.page}页" if h.page else ""
            leaf = section_leaf(h.section)
            lines.append(f"- [{n}] {h.source}{page}" + (f" · {_short(leaf)}" if leaf else ""))
    return Draft("\n".join(lines).strip() + "\n", status, book.citations())


def compose_not_found(gaps: Sequence[str]) -> Draft:
    """Say what is missing; no unrelated passages as filler."""
    lines = [
        MODE_LINE,
        "",
        f"知识库中未找到能回答这一问的原文：{'；'.join(gaps)}。",
        "",
        "不作推测。如需这方面的答复，请上传包含相关内容的文件，或换个问法再试。",
    ]
    return finish(lines, CitationBook(), "参考来源", status="not_found")


def _bold(u: Unit, span: tuple[int, int] | None) -> str:
    text = u.text
    if span is None or not (0 <= span[0] < span[1] <= len(text)):
        return text
    a, b = span
    inner = text[a:b].strip()
    if not inner or "*" in text:
        return text
    a = text.index(inner, a)
    b = a + len(inner)
    return f"{text[:a]}**{inner}**{text[b:]}"


def _points(pool: Sequence[Unit], leads: Sequence[Unit], used: int) -> list[Unit]:
    """3–5 supporting units (within the budget), lists kept whole, none repeating the lead."""
    taken = {(u.hit.chunk_id, u.order) for u in leads}
    rest = [
        u
        for u in pool
        if (u.hit.chunk_id, u.order) not in taken and not is_duplicate(u.text, [x.text for x in leads])
    ]
    top = max((u.hit.score for u in rest), default=0.0) or 1.0
    rest = [replace(u, score=u.score + PRIOR * u.hit.score / top) for u in rest]
    ranked = select(rest, MAX_POINTS, FLOOR, RELATIVE) or select(rest, MIN_POINTS, 0.0, 0.0)
    ranked += _examples_after(ranked, rest)
    out: list[Unit] = []
    for u in _whole_lists(_with_enumerations(ranked, rest)):
        if len(out) >= MIN_POINTS and used + len(u.text) > BUDGET:
            continue
        if len(out) >= MAX_POINTS + 3:
            break
        out.append(u)
        used += len(u.text)
    return out


def _whole_lists(units: list[Unit]) -> list[Unit]:
    """Without a sentence that announces a list (……按照以下程序进行：) when none of its items follows:
    an announcement alone states nothing."""
    out = []
    for i, u in enumerate(units):
        nxt = units[i + 1] if i + 1 < len(units) else None
        follows = (
            nxt is not None
            and nxt.hit.source == u.hit.source
            and (
                (nxt.hit.chunk_id, nxt.order) == (u.hit.chunk_id, u.order + 1)
                or (nxt.hit.position == u.hit.position + 1 and nxt.order == 0 and nxt.is_item)
            )
        )
        if u.text.rstrip().endswith(("：", ":")) and not follows:
            continue
        out.append(u)
    return out


def _examples_after(chosen: list[Unit], units: Sequence[Unit]) -> list[Unit]:
    """A concrete example that directly follows a chosen unit in its passage (例如/某县某局…)."""
    by_key = {(u.hit.chunk_id, u.order): u for u in units}
    extra: list[Unit] = []
    for u in chosen:
        nxt = by_key.get((u.hit.chunk_id, u.order + 1))
        if nxt is None or not nxt.is_example or len(extra) >= MAX_EXAMPLES:
            continue
        if any(nxt is c for c in chosen) or is_duplicate(nxt.text, [c.text for c in chosen + extra]):
            continue
        extra.append(nxt)
    return extra


_ANNOUNCE = re.compile(
    r"[几两二三四五六七八九十\d]+(?:点|个方面|条|项|个|步|方面)[:：]|如下[:：]|[:：]\s*一是|为(?:核心|主要|重点)内容|包括[:：]?$|[:：]$"
)
_INNER_ITEM = re.compile(
    r"^(?:[二三四五六七八九十]是|第[二三四五六七八九十]+[,，、]|[（(][二三四五六七八九十2-9][）)]|[2-9][.、．])"
)
MAX_LIST_UNITS = 6


def _with_enumerations(chosen: list[Unit], units: Sequence[Unit]) -> list[Unit]:
    """Keep a list with what announces it: a chosen unit that announces a list ("注意做到三点：", "……为
    核心内容") or holds its first item brings the following items along, across the chunk boundary into
    the next chunk of the same document (a list cut after its first item misleads)."""
    order = sorted(units, key=lambda u: (u.hit.source, u.hit.position, u.order))
    nxt_of = {
        (a.hit.chunk_id, a.order): b
        for a, b in zip(order, order[1:], strict=False)
        if a.hit.source == b.hit.source and b.hit.position - a.hit.position <= 1
    }
    taken = {(u.hit.chunk_id, u.order) for u in chosen}
    out: list[Unit] = []
    for u in chosen:
        out.append(u)
        in_list = bool(_ANNOUNCE.search(u.text)) or bool(
            re.match(r"^(?:一是|第一[,，、]|[（(][一1][）)]|1[.、．])", u.text)
        )
        nxt = nxt_of.get((u.hit.chunk_id, u.order))
        if nxt is not None and _ANNOUNCE.search(nxt.text) and (nxt.hit.chunk_id, nxt.order) not in taken:
            out.append(nxt)
            taken.add((nxt.hit.chunk_id, nxt.order))
            in_list, nxt = True, nxt_of.get((nxt.hit.chunk_id, nxt.order))
        added = 0
        while in_list and nxt is not None and added < MAX_LIST_UNITS:
            key = (nxt.hit.chunk_id, nxt.order)
            first = added == 0 and re.match(r"^(?:一是|第一[,，、]|[（(][一1][）)]|1[.、．])", nxt.text)
            if key in taken or not (first or _INNER_ITEM.match(nxt.text)):
                break
            out.append(nxt)
            taken.add(key)
            added += 1
            nxt = nxt_of.get(key)
    return out


def doc_name(hit: Hit) -> str:
    """How a document is named in text: its file name without the extension."""
    return Path(hit.source).stem or hit.title


def _group_heading(hit: Hit, section: str, first: str = "") -> str:
    """The document's own heading the points stand under (the sources name the document); the
    document's name when the passage stands under no heading or the heading is the point itself
    (an article of a regulation read as its own heading)."""
    leaf = section_leaf(section)
    return leaf if leaf and squash(leaf) not in squash(first) else doc_name(hit)


SOURCE_LEAF = 24  # characters of a heading shown in the sources list


def _short(leaf: str) -> str:
    return leaf if len(leaf) <= SOURCE_LEAF else leaf[: SOURCE_LEAF - 1].rstrip("，,、：: ") + "…"
