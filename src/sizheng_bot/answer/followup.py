"""Follow-up questions made whole against the conversation (offline; the same rewrite feeds LLM mode).

History is a list of (question, answer-text) pairs; an earlier answer's text holds its points and [n]
markers, which ``answer_points`` parses back: "第二条展开说说" is the second point, "那青年干部呢？" asks
the last question about a new subject, "这几件事里…" asks within the last question's answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sizheng_bot.text import cn_number

# --- follow-up questions ----------------------------------------------------------------------------
_FOLLOWUP_START = re.compile(
    r"^(?:那么?|那这个|这个|这样|这些|那些|这几|那几|这两|这三|上面|上述|刚才|前面|它|他们|其中|具体|还有|另外|再|如果|那如果)"
)
_PRONOUN = re.compile(r"这个|那个|这些|那些|这几|那几|这样|上面|上述|刚才|前面说的|它们?|其(?![他它实次余])")
_DROP = re.compile(
    r"^(?:那么?|那这个|还有|另外|再|那如果)|这个|那个|这些|那些|(?:这|那)(?:几|两|三)(?:件事|条|点|项|个|方面)?(?:里|中|当中)?"
    r"|上面说的|上述|刚才说的|前面说的"
)
_ORDINAL = re.compile(r"第\s*([一二两三四五六七八九十]+|\d+)\s*(?:条|点|项|个|方面|部分|步)?")
_EXPAND = re.compile(r"展开|详细|具体说|具体讲|细说|多说|再说|说说|讲讲|解释")
_POINT = re.compile(r"^(?:- |\d+[.、] )?(.+?)\s*((?:\[\d+\])+)\s*$")
_ITEM_WORD = "一二三四五六七八九十"
_STYLES = (r"^{w}是", r"^[（(]{w}[）)]", r"^第{w}[，,、]", r"^{n}[.、．]")


def is_followup(question: str) -> bool:
    q = question.strip()
    if _ORDINAL.search(q) and (len(q) <= 30 or _EXPAND.search(q)):
        return True
    return len(q) <= 24 and bool(
        _FOLLOWUP_START.search(q) or _PRONOUN.search(q) or re.search(r"呢[？?]?$", q)
    )


def answer_points(answer: str, bullets_only: bool = False) -> list[str]:
    """The points of an earlier answer: its cited lines (lead sentences and bullets), markers, bold
    and item labels kept out; the sources list is not a point."""
    points: list[str] = []
    for raw in answer.split("\n"):
        line = raw.strip()
        if re.match(r"^#{1,6}\s*(?:参考来源|参考资料|参考依据)", line):
            break
        m = _POINT.match(line)
        if not m or line.startswith((">", "#")) or (bullets_only and not line.startswith("- ")):
            continue
        points.append(m.group(1).replace("**", "").strip())
    return points


def ordinal_point(question: str, answer: str) -> str | None:
    """The point "第二条" refers to: the item labelled 二 when the answer's points are labelled in one
    style (一是/二是, （一）/（二）, 第一/第二, 1./2.), else the second bulleted point (the second point
    in reading order when the answer has no bullets)."""
    m = _ORDINAL.search(question)
    points = answer_points(answer)
    if not m or not points:
        return None
    n = cn_number(m.group(1)) or 0
    if n < 1:
        return None
    for style in _STYLES if n <= 10 else ():
        if any(re.match(style.format(w="一", n=1), p) for p in points):
            labelled = [p for p in points if re.match(style.format(w=_ITEM_WORD[n - 1], n=n), p)]
            if labelled:
                return labelled[0]
    bullets = answer_points(answer, bullets_only=True) or points
    return bullets[n - 1] if n <= len(bullets) else None


def followup_query(question: str, history: Sequence[tuple[str, str]]) -> str:
    """A self-contained retrieval query for a follow-up.

    "第二条展开说说" → the second point of the previous answer; "那青年干部呢？" → the last question with the
    new subject; "这几件事里哪些是书记必须亲自抓的？" → the last question plus what is asked now.
    """
    if not history or not is_followup(question):
        return question
    last_q, last_a = next(((u, a) for u, a in reversed(history) if u.strip()), ("", ""))
    if _ORDINAL.search(question) and (point := ordinal_point(question, last_a)):
        return point
    rest = _DROP.sub("", question.strip())
    if re.search(r"呢[？?]?$", rest):  # "那青年干部呢？": the new subject asked the last question
        subject = re.sub(r"呢[？?]?$", "", rest).strip("，, ")
        return f"{subject} {last_q.strip()}".strip()
    return f"{last_q.strip()} {rest}".strip()


_BACK = re.compile(r"这几|那几|这些|那些|上面|上述|刚才|前面说的|其中|以上")
MAX_EARLIER = 6


def previous_points(question: str, history: Sequence[tuple[str, str]]) -> list[str]:
    """The points of the last answer when the question refers back to them ("这几件事里哪些…"),
    without their item labels; [] otherwise (and for ordinals, which name one point)."""
    if not history or not _BACK.search(question) or _ORDINAL.search(question):
        return []
    last = next((a for u, a in reversed(history) if u.strip()), "")
    return answer_points(last)[:MAX_EARLIER]
