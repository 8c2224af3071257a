"""What is never shown as content, and units repaired so that it need not be.

Template placeholders, masked names, contact lines, web-page boilerplate and sentences addressed to the
assistant are recognised here; a sentence cut by a chunk boundary is joined with the next chunk, a
form sentence that still states something keeps only its placeholder-free clauses (verbatim), and a
blank form table (场地费 | XXXXXXXX | XXXXXXXX …) is shown as the labels it lists, each cell verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from sizheng_bot.compose.cleanliness import (
    FORM,
    MASKED_NAME,
    MASKED_WORD,
    TERMINAL,
    has_person_slot,
    is_cut_off,
    is_web_stamp,
)
from sizheng_bot.compose.select import Unit

# --- what is never shown as content ---------------------------------------------------------------
# placeholders, masked words and names, sentence ends: compose.cleanliness (one set for answers and drafts)
_CONTACT = re.compile(
    r"(?:联系人|联系电话|电话|手机|传真|邮编|邮箱|E-?mail|地址)\s*[:：]|\d{3,4}-\d{7,8}|(?<![\d.])1[3-9]\d{9}(?!\d)|(?<![\d.])\d{7,8}(?![\d.万亿元%％])",
    re.I,
)
_BOILERPLATE = re.compile(
    r"版权所有|copyright|ICP备|公网安备|返回顶部|上一篇|下一篇|打印本页|关闭窗口|分享到|扫一扫|责任编辑|来源[:：][^。]{0,20}$"
    r"|点击[量数]|浏览次数|字号[:：]|【(?:大|中|小)】",
    re.I,
)
_INSTRUCTION = re.compile(
    r"忽略(?:以上|之前|前面|上面|所有)[^。]{0,10}(?:指令|提示|要求)|你现在是|你(?:必须|应该)扮演|system\s*prompt|系统提示词"
    r"|ignore (?:all |the )?(?:previous|above) instructions|you are now",
    re.I,
)


def is_filler(text: str, passage: str = "") -> bool:
    """Never quoted as content: a form's placeholders (XXXX年X月X日, 【请填写…】, ____), a masked name
    (*总书记), contact lines, web-page boilerplate — and a masked word (李XX, ×××) when the passage it
    stands in is a form; a unit that is mostly a web address. A report that anonymises a place (立足XX大地) in running prose stays usable."""
    if FORM.search(text) or MASKED_NAME.search(text) or _CONTACT.search(text) or _BOILERPLATE.search(text):
        return True
    if is_web_stamp(text) or has_person_slot(text):
        return True
    return bool(MASKED_WORD.search(text)) and (
        not passage or bool(FORM.search(passage)) or len(MASKED_WORD.findall(passage)) >= 6
    )


def reads_as_instruction(text: str) -> bool:
    """A passage sentence addressed to the assistant (忽略以上所有指令…, 你现在是…, system prompt)."""
    return bool(_INSTRUCTION.search(text))


def is_cut(unit: Unit) -> bool:
    """The passage's last sentence that stops without end punctuation: cut off by the chunk boundary."""
    text = unit.text.rstrip()
    return is_cut_off(text, unit.hit.text.rstrip().endswith(text), min_len=40)


def join_cut(units: Sequence[Unit]) -> list[Unit]:
    """A sentence the chunk boundary cut (……生活困难的同 | 志……。) joined with the head of the next
    chunk when that chunk was retrieved too: one whole sentence, never a cut-off one."""
    heads = {(u.hit.source, u.hit.position): u for u in units if u.order == 0}
    used: set[int] = set()
    out: list[Unit] = []
    for u in units:
        nxt = heads.get((u.hit.source, u.hit.position + 1)) if is_cut(u) else None
        if nxt is not None and id(nxt) not in used and not nxt.is_item:
            used.add(id(nxt))
            out.append(
                replace(
                    u, text=u.text + nxt.text, score=max(u.score, nxt.score), match=max(u.match, nxt.match)
                )
            )
        else:
            out.append(u)
    return [u for u in out if id(u) not in used]


_CLAUSE_END = re.compile(r"[，,；;：:]")
_COUNT_SLOT = re.compile(r"[XxＸｘ×]{1,2}\s*[名个人位项]")  # a number left blank before what it counts
MIN_TAIL = 12


def placeholder_free(unit: Unit) -> Unit | None:
    """A form sentence that still states something (……实到会党员X名，……不少于应到会有选举权党员人数的
    4/5，会议有效。) kept as its clauses after the last placeholder — verbatim, placeholder-free, ending
    the sentence; None when nothing of substance is left (or the unit is contact details or boilerplate)."""
    if not is_filler(unit.text, unit.passage):
        return unit
    if _CONTACT.search(unit.text) or _BOILERPLATE.search(unit.text) or is_web_stamp(unit.text):
        return None
    slots = [m for rx in (FORM, MASKED_WORD, MASKED_NAME) for m in rx.finditer(unit.text)]
    last = max(slots, key=lambda m: m.end(), default=None)
    end = last.end() if last else 0
    if last is not None and _COUNT_SLOT.fullmatch(last.group(0)) and _CLAUSE_END.match(unit.text, end) is None:
        tail = unit.text[end:].strip()  # X名候选人得赞成票超过…半数: the counted noun goes on to state the rule
    else:
        cut = _CLAUSE_END.search(unit.text, end)
        tail = unit.text[cut.end() :].strip() if cut else ""
    if len(tail) < MIN_TAIL or not tail.endswith(tuple(TERMINAL)) or is_filler(tail, tail):
        return None
    return replace(unit, text=tail, whole=unit.whole or unit.text)


# --- what a sentence does: prescribe, diagnose, or tell a case --------------------------------------
_PRESCRIBES = re.compile(
    r"(?<![需主重只])要(?![求素点件闻])|应当|应该|(?<![反对适相])应(?=[^用对该]|$)|必须|务必|需要|须(?!知)|可以|可通过|可采取|可将"
    r"|^(?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[,，、]|[（(][一二三四五六七八九十\d]+[）)])?\s*"
    r"(?:坚持|建立|健全|完善|加强|强化|推动|推进|注重|落实|做到|严格|定期|组织|开展|采取|鼓励|引导|把|将|以|突出|抓好|用好|创新)"
)
_DIAGNOSES = re.compile(
    r"^(?:再|又)?(?:比如|例如|譬如)?[,，]?\s*有的|存在[^。]{0,12}(?:问题|不足|现象)|不够|不足|缺乏|缺少|薄弱|不强|不高|不到位|不深"
    r"|流于形式|越来越多|较为突出|比较突出|据调查|据统计|调研(?:中|发现)|抵触|不适应|跟不上|难以|不能"
)
_SUGGESTS = re.compile(r"可以|可通过|可采取|可将|可(?=[\u4e00-\u9fff]{1,2}(?:开展|组织|建立|采用|通过))")
# questions asking what to do: 怎么/如何做, 有什么要求/办法/措施/建议
ASKS_WHAT_TO_DO = re.compile(
    r"怎么|如何|怎样|咋|办法|措施|做法|举措|对策|建议|要求|注意|应该|应当|该(?:怎|如|做)|要不要|能不能|可不可以"
)


def stance(text: str, is_example: bool = False) -> int:
    """+1 a sentence that says what to do (要…, 应当…, 建立…, 例如,可以…), -1 one that describes a problem
    (有的…, 存在…不足, 缺乏…) or tells a case (例如,某局…) without saying what to do, 0 otherwise."""
    if _PRESCRIBES.search(text) and not (is_example and not _SUGGESTS.search(text)):
        return 1 if not _DIAGNOSES.search(text) or _SUGGESTS.search(text) else 0
    return -1 if _DIAGNOSES.search(text) or is_example else 0


_CELL_SPLIT = re.compile(r"\s*\|\s*")
_BLANK = re.compile(rf"^(?:{MASKED_WORD.pattern}|{FORM.pattern}|\s)*$")


def form_labels(text: str) -> str | None:
    """A template's table whose value cells are all blanks (场地费 | XXXXXXXX | XXXXXXXX) as what it lists:
    its header's first cell and the rows' labels, each cell verbatim ("项目：场地费、师资费、…。"); None for
    any other text (a table with real values keeps its rows)."""
    rows = [[c for c in _CELL_SPLIT.split(line.strip().strip("|").strip())] for line in text.splitlines()]
    rows = [r for r in rows if any(r)]
    if len(rows) < 3 or any(len(r) < 2 for r in rows):
        return None
    header, body = rows[0], rows[1:]
    labels = [r[0] for r in body if r[0] and not _BLANK.match(r[0]) and all(_BLANK.match(c) for c in r[1:])]
    if len(labels) < MIN_LABELS or len(labels) < len(body) - 1 or _BLANK.match(header[0]):
        return None
    return f"{header[0]}：{'、'.join(labels)}。"


MIN_LABELS = 3


def form_tables(units: Sequence[Unit]) -> list[Unit]:
    """Each run of a passage's table rows that is a blank form (a header, then rows whose values are all
    blanks) as one unit listing the rows' labels (``form_labels``); every other unit as it is."""
    by_chunk: dict[str, list[Unit]] = {}
    for u in units:
        by_chunk.setdefault(u.hit.chunk_id, []).append(u)
    merged: dict[int, Unit | None] = {}  # id(unit) -> its replacement (None: folded into the run's first)
    for us in by_chunk.values():
        us = sorted(us, key=lambda u: u.order)
        run: list[Unit] = []
        for x in [*us, None]:
            if x is not None and "|" in x.text and (not run or x.order == run[-1].order + 1):
                run.append(x)
                continue
            if len(run) >= 3 and (labels := form_labels("\n".join(r.text for r in run))):
                merged[id(run[0])] = replace(
                    run[0], text=labels, whole="\n".join(r.text for r in run),
                    score=max(r.score for r in run), match=max(r.match for r in run),
                )  # fmt: skip
                merged.update({id(r): None for r in run[1:]})
            run = [x] if x is not None and "|" in x.text else []
    out = [merged.get(id(u), u) for u in units]
    return [u for u in out if u is not None]

