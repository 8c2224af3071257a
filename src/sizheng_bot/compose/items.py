"""The heads of an enumeration whose items run over several sentences.

Reports number their points "一是有事可做。<body>二是有声可发。<body>…" or "（一）…。<body>（二）…": the
answer to "哪四有" / "存在哪些问题" is the run of item heads, not the one sentence of item 1 that matched
best. ``item_heads`` finds the enumeration a chosen sentence stands in (the sentence itself, or the item
it belongs to) and returns its heads in order, across the chunk boundary into the next chunks of the
same document; ``answering_run`` says whether such a run is what a question asks for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from sizheng_bot.compose.filters import is_filler
from sizheng_bot.compose.select import Unit
from sizheng_bot.text import sentences
from sizheng_bot.text.numerals import cn_number

_CN = "一二三四五六七八九十"
_ORDINAL = re.compile(  # at the start, or after the clause that announces the list ("…问题和挑战：一是…")
    rf"^(?:[^。；;！？]*[:：])?\s*(?:(?P<shi>[{_CN}]{{1,2}})是|第(?P<di>[{_CN}]{{1,2}})[,，、是]|[（(](?P<paren>[{_CN}]{{1,2}})[）)]"
    r"|(?P<num>\d{1,2})\s*[.、．](?!\d))"
)
_NAME = re.compile(r"[“\"「『][^”\"」』]{1,12}[”\"」』]")  # a quoted name: 第三,“三各”。
ONE_ITEM = 0.25  # share of the part one item's head must cover to be the item the question names
RUN_LABEL = 20  # characters of the sentence before an enumeration that labels it ("第二,“四有”。")
HEAD_MAX = 120  # characters of an item head with the sentence it introduces (a longer one is a body)
RUN_MAX = 480  # characters of the heads in all: a longer enumeration is quoted by its points instead
MIN_HEAD = 5  # characters from which an item's first sentence is its head ("二是。" is not)
MIN_ITEMS = 3  # heads from which a run is an enumeration worth listing
MAX_ITEMS = 10
SPAN = 2  # chunks after the chosen one where the run may go on


def ordinal(text: str) -> tuple[str, int] | None:
    """("shi", 2) for "二是…", ("paren", 3) for "（三）…", ("num", 1) for "1．…"; None for no marker."""
    m = _ORDINAL.match(text)
    if not m:
        return None
    family = next(k for k, v in m.groupdict().items() if v)
    n = cn_number(m.group(family))
    return (family, n) if n else None


def opens_list(u: Unit) -> bool:
    """``u`` is item 1 of an enumeration ("一是…", "（一）…", "…如下：1．…")."""
    got = ordinal(_full(u))
    return got is not None and got[1] == 1


def item_heads(chosen: Unit, pool: Sequence[Unit]) -> list[Unit]:
    """The heads (1, 2, 3, …) of the enumeration ``chosen`` stands in, or [] when it stands in none
    (or the run is short, or its heads are whole paragraphs)."""
    doc = sorted(
        (u for u in pool if u.hit.source == chosen.hit.source),
        key=lambda u: (u.hit.position, u.order),
    )
    key = (chosen.hit.chunk_id, chosen.order)
    at = next((i for i, u in enumerate(doc) if (u.hit.chunk_id, u.order) == key), None)
    if at is None:
        return []
    # the item the chosen sentence belongs to: the nearest head at or before it in its own chunk
    anchor = next(
        (
            i
            for i in range(at, -1, -1)
            if doc[i].hit.chunk_id == chosen.hit.chunk_id and ordinal(_full(doc[i])) is not None
        ),
        None,
    )
    if anchor is None:
        return []
    family, number = ordinal(_full(doc[anchor]))  # type: ignore[misc]
    first = anchor  # back to item 1, within the chosen chunk or the one before it
    while number > 1:
        prev = next(
            (
                i
                for i in range(first - 1, -1, -1)
                if chosen.hit.position - doc[i].hit.position <= 1
                and ordinal(_full(doc[i])) == (family, number - 1)
            ),
            None,
        )
        if prev is None:
            return []
        first, number = prev, number - 1
    heads, want = [doc[first]], 2
    for u in doc[first + 1 :]:
        if u.hit.position - chosen.hit.position > SPAN or len(heads) >= MAX_ITEMS:
            break
        got = ordinal(_full(u))
        if got == (family, want):
            heads.append(u)
            want += 1
        elif got is not None and got[0] == family and got[1] == 1:
            break  # a new list of the same kind begins
    heads = [_head_sentence(h) for h in heads]
    if any(is_filler(h.text, h.text) for h in heads):
        return []  # a head that cannot be quoted (一是做好XX工作): the list cannot be shown whole
    if (
        len(heads) < MIN_ITEMS
        or any(len(h.text) > HEAD_MAX for h in heads)
        or sum(len(h.text) for h in heads) > RUN_MAX
    ):
        return []
    return heads


def _full(u: Unit) -> str:
    return u.whole or u.text


def _head_sentence(u: Unit) -> Unit:
    """The item's own head, a whole sentence ("一是明确“为何要干”,做到因势而新。"), without its body
    (also when a placeholder in the body left the unit only its last clauses)."""
    first = next(iter(sentences(_full(u))), _full(u)).strip()
    return replace(u, text=first) if len(first) >= MIN_HEAD and first != u.text else u


def answering_run(
    u: Unit,
    units: Sequence[Unit],
    before: str,
    cover: Callable[[str], float],
    cover_any: Callable[[str], float],
    items: int,
) -> list[Unit]:
    """The heads of the enumeration ``u`` opens (u is its item 1) when it is what the part asks for:
    as many items as asked (哪四有: four), and the part's words not all in one item's head, unless the
    enumeration's label holds them too ("第二,“四有”。一是…" answers 四有; "第一,“三坚持”。第二,“四有”。…"
    does not answer what 三坚持 means). ``cover`` weighs the words the part is about, ``cover_any`` all
    of its key terms; ``before`` is the sentence before item 1."""
    if not opens_list(u):
        return []
    run = item_heads(u, units)
    if not run or len(run) < items:
        return []
    label = before if len(before) <= RUN_LABEL or ordinal(before) or before.endswith(("：", ":")) else ""
    first = run[0].text
    colon = max(first.rfind("："), first.rfind(":"))
    label += first[: colon + 1]  # "…存在一些问题和挑战:一是…"
    texts = [first[colon + 1 :], *(h.text for h in run[1:])]
    together = cover("".join(texts))
    one = max(cover(t) for t in texts)
    if one >= max(together, ONE_ITEM) and cover(label) < together:
        return []  # the question names one item of this list: that item's own text answers it
    if label and (cover_any(label) > 0 or _NAME.search(label)) and cover(label) == 0:
        return []  # the list is named, and by another name than the one asked about
    return run
