"""The parts of a question: the sub-questions the decision answers one by one.

A message is cut at ？。！； and at a comma when both sides ask their own specific ("谁跟谁必须谈，多久
谈一次？"). A part that asks the same thing of several subjects at once ("开场和闭会分别奏什么歌",
"校委、机关党委、党支部各自担什么责任") becomes one part per subject, so each subject gets the sentence that
answers it rather than one sentence for all.
"""

from __future__ import annotations

import re

from sizheng_bot.answer import detectors
from sizheng_bot.text import respective

_PART_END = re.compile(r"(?<=[？?！!；;。\n])")
_TAG_QUESTION = re.compile(r"[是对行好能会要可以不没有吗吧呢嘛么啊呀哦]{0,3}")


def split_parts(question: str) -> list[str]:
    """Sub-questions: cut at ？。！；, and at a comma when both sides ask their own specific; one part per
    subject of a 分别/各自 question."""
    parts: list[str] = []
    for p in (p.strip() for p in _PART_END.split(question) if p.strip()):
        pieces = [x for x in re.split(r"(?<=[，,])", p) if x.strip()]
        if len(pieces) > 1 and all(len(x) >= 4 and detectors.specific(detectors.asked(x)) for x in pieces):
            parts += pieces
        else:
            parts.append(p)
    out: list[str] = []
    for p in parts:
        if out and _TAG_QUESTION.fullmatch(re.sub(r"[？?！!；;。，,\s]", "", p)):
            out[-1] += p  # "是吗？" / "对吧？" belong to the part before; "注意啥？" asks on its own
        else:
            out.append(p)
    return [s for p in out for s in respective(p)] or [question.strip()]
