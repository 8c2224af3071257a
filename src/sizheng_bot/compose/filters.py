"""What is never shown as content, and units repaired so that it need not be.

Template placeholders, masked names, contact lines, web-page boilerplate and sentences addressed to the
assistant are recognised here; a sentence cut by a chunk boundary is joined with the next chunk, and a
form sentence that still states something keeps only its placeholder-free clauses (verbatim).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from sizheng_bot.compose.select import Unit

# --- what is never shown as content ---------------------------------------------------------------
# a form to fill in: XXXX年X月X日, [ ]年, 【请填写…】, ____, （ ）, □
_FORM = re.compile(
    r"X{3,}|[X×＿_]\s*[年月日号]|(?<![A-Za-z])X{1,2}\s*[名个人位项%％]|_{3,}|＿{2,}|[\[［【]\s*[\]］】]|【[^】]{0,12}(?:填写|填入|输入|单位|姓名|名称)[^】]{0,12}】"
    r"|[\[［][^\]］]{0,10}(?:姓名|单位|名称|领导)[^\]］]{0,10}[\]］]|[（(]\s+[）)]|□|○{2,}|〇{3,}"
)
# a masked word: 李XX, XX大地, xx年, ×××, *总书记, 某某
_MASK = re.compile(r"XX|xx|ＸＸ|×{2,}|某某")
_MASKED_NAME = re.compile(r"[＊*]{1,}[\u4e00-\u9fff]")
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
_TERMINAL = "。！？!?；;…”’」』）)"


def is_filler(text: str, passage: str = "") -> bool:
    """Never quoted as content: a form's placeholders (XXXX年X月X日, 【请填写…】, ____), a masked name
    (*总书记), contact lines, web-page boilerplate — and a masked word (李XX, ×××) when the passage it
    stands in is a form. A report that anonymises a place (立足XX大地) in running prose stays usable."""
    if _FORM.search(text) or _MASKED_NAME.search(text) or _CONTACT.search(text) or _BOILERPLATE.search(text):
        return True
    return bool(_MASK.search(text)) and (
        not passage or bool(_FORM.search(passage)) or len(_MASK.findall(passage)) >= 6
    )


def reads_as_instruction(text: str) -> bool:
    """A passage sentence addressed to the assistant (忽略以上所有指令…, 你现在是…, system prompt)."""
    return bool(_INSTRUCTION.search(text))


def is_cut(unit: Unit) -> bool:
    """The passage's last sentence that stops without end punctuation: cut off by the chunk boundary."""
    text = unit.text.rstrip()
    return not text.endswith(tuple(_TERMINAL)) and unit.hit.text.rstrip().endswith(text) and len(text) > 40


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
MIN_TAIL = 12


def placeholder_free(unit: Unit) -> Unit | None:
    """A form sentence that still states something (……实到会党员X名，……不少于应到会有选举权党员人数的
    4/5，会议有效。) kept as its clauses after the last placeholder — verbatim, placeholder-free, ending
    the sentence; None when nothing of substance is left (or the unit is contact details or boilerplate)."""
    if not is_filler(unit.text, unit.hit.text):
        return unit
    if _CONTACT.search(unit.text) or _BOILERPLATE.search(unit.text):
        return None
    last = max((m.end() for rx in (_FORM, _MASK, _MASKED_NAME) for m in rx.finditer(unit.text)), default=0)
    cut = _CLAUSE_END.search(unit.text, last)
    tail = unit.text[cut.end() :].strip() if cut else ""
    if len(tail) < MIN_TAIL or not tail.endswith(tuple(_TERMINAL)) or is_filler(tail, tail):
        return None
    return replace(unit, text=tail)
