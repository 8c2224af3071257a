"""Offline answers: a short lead, the relevant passage units grouped by source and section, the sources."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from sizheng_bot.compose import BANNER, CitationBook, Draft, finish
from sizheng_bot.compose.select import Unit, group, is_duplicate, section_leaf, select
from sizheng_bot.types import Hit

MAX_POINTS = 8
MAX_EXAMPLES = 2
FLOOR = 0.3
RELATIVE = 0.4
NEAREST = 3
_WANTS_EXAMPLE = re.compile(r"例子|先例|案例|事例|范例|有没有单位|有单位|哪个单位|谁这么|干过|做过|经验|典型")


def wants_example(question: str) -> bool:
    return bool(_WANTS_EXAMPLE.search(question))


def compose_answer(units: Sequence[Unit]) -> Draft:
    chosen = select(units, MAX_POINTS, FLOOR, RELATIVE)
    if not chosen:
        chosen = select(units, 3, 0.0, 0.0)
    chosen += _examples_after(chosen, units)
    chosen = _with_enumerations(chosen, units)
    book = CitationBook()
    groups = sorted(group(chosen), key=lambda g: -max(u.score for u in g[2]))
    titles = list(dict.fromkeys(doc_name(g[2][0].hit) for g in groups))
    lines = [BANNER, "", f"根据知识库原文，与这个问题相关的要点摘编如下（出自：{'；'.join(titles)}）。"]
    for _source, section, us in groups:
        lines += ["", f"### {_group_heading(us[0].hit, section)}"]
        lines += [f"- {u.text} {book.cite(u.hit)}" for u in us]
    return finish(lines, book, "参考来源")


def compose_not_found(gaps: Sequence[str], units: Sequence[Unit]) -> Draft:
    """Say what is missing, then show the nearest passage units (one per passage) with their sources."""
    missing = "；".join(gaps)
    lines = [
        BANNER,
        "",
        f"知识库中未找到：{missing}。",
        "",
        "现有文件中没有能直接回答这一问的原文，不作推测。",
    ]
    nearest = _nearest(units)
    book = CitationBook()
    if nearest:
        lines += ["", "### 知识库中最接近的原文（仅供参考）"]
        lines += [f"- {u.text} {book.cite(u.hit)}" for u in nearest]
    lines += ["", "如需这方面的答复，请先上传包含相关内容的文件，或换个问法再试。"]
    return finish(lines, book, "参考来源", status="not_found")


def _nearest(units: Sequence[Unit]) -> list[Unit]:
    out: list[Unit] = []
    seen: set[str] = set()
    for u in sorted(units, key=lambda u: (-u.score, u.rank, u.order)):
        if u.hit.chunk_id in seen or is_duplicate(u.text, (o.text for o in out)):
            continue
        seen.add(u.hit.chunk_id)
        out.append(u)
        if len(out) >= NEAREST:
            break
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
    r"[几两二三四五六七八九十\d]+(?:点|个方面|条|项|个|步|方面)[:：]|如下[:：]|[:：]\s*一是"
)
_INNER_ITEM = re.compile(r"^[二三四五六七八九十]是")
MAX_LIST_UNITS = 4


def _with_enumerations(chosen: list[Unit], units: Sequence[Unit]) -> list[Unit]:
    """Keep a list with what announces it: a chosen unit followed by "注意做到三点：一是…" or by 二是/三是
    items in the same passage brings those units along (a list cut after its first item misleads)."""
    by_key = {(u.hit.chunk_id, u.order): u for u in units}
    taken = {(u.hit.chunk_id, u.order) for u in chosen}
    out: list[Unit] = []
    for u in chosen:
        out.append(u)
        key = (u.hit.chunk_id, u.order + 1)
        nxt = by_key.get(key)
        in_list = "一是" in u.text or bool(_ANNOUNCE.search(u.text))
        if nxt is not None and key not in taken and _ANNOUNCE.search(nxt.text) and len(out) < MAX_POINTS + 4:
            out.append(nxt)
            taken.add(key)
            in_list, key = True, (key[0], key[1] + 1)
            nxt = by_key.get(key)
        added = 0
        while (
            in_list
            and nxt is not None
            and key not in taken
            and _INNER_ITEM.match(nxt.text)
            and added < MAX_LIST_UNITS
        ):
            out.append(nxt)
            taken.add(key)
            added += 1
            key = (key[0], key[1] + 1)
            nxt = by_key.get(key)
    return out


def doc_name(hit: Hit) -> str:
    """How a document is named in text: its file name without the extension."""
    return Path(hit.source).stem or hit.title


def _group_heading(hit: Hit, section: str) -> str:
    leaf = section_leaf(section)
    return f"{doc_name(hit)} · {leaf}" if leaf else doc_name(hit)
