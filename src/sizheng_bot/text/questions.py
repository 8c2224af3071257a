"""How users word questions, for matching: A-not-A asks and one ask of several subjects."""

from __future__ import annotations

import re

_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
_RESPECTIVE = re.compile(r"分别|各自")
_JOIN = r"(?:、|和|与|跟|及|以及)"
# the subjects before 分别/各自: 2-10 characters each, the last one ending where the shared predicate
# starts (在…上, a comma, 分别/各自 itself)
_SUBJECTS = re.compile(
    rf"([\u4e00-\u9fff]{{2,10}}?)((?:{_JOIN}[\u4e00-\u9fff]{{2,10}}?){{1,4}})(?=[，,]?(?:在|对|从|分别|各自|都))"
)
MAX_SUBJECTS = 5
# 10月和11月 / 第三条和第五条 / 一季度、三季度: numbered subjects are several, 分别 or not
_NUMBERED = r"第?(?:\d{1,3}|[一二三四五六七八九十]{1,3})(?:月份|月|季度|条|项|章|步)"
_NUMBERED_RUN = re.compile(rf"{_NUMBERED}(?:{_JOIN}{_NUMBERED}){{1,4}}")


def affirmed(text: str) -> str:
    """An A-not-A question in its affirmative form: 这张票还算不算数 -> 这张票还算数, 要不要挂钩 -> 要挂钩,
    有没有效 -> 有效, 合不合格 -> 合格 (the word the question asks about, whole)."""
    return _A_NOT_A.sub(r"\1", text)


def respective(part: str) -> list[str]:
    """One ask of several subjects as one question per subject, the shared predicate kept:
    开场和闭会分别奏什么歌 -> 开场分别奏什么歌, 闭会分别奏什么歌; 10月和11月排的什么 -> 10月…, 11月…;
    the part itself when it has no such ask."""
    said = _RESPECTIVE.search(part)
    found = [m for m in _SUBJECTS.finditer(part) if m.end() <= said.start()] if said else []
    if not found:
        run = _NUMBERED_RUN.search(part)
        if not run:
            return [part]
        names = re.split(_JOIN, run.group(0))
        return [f"{part[: run.start()]}{name}{part[run.end() :]}" for name in names]
    m = found[-1]
    first = re.split(r"的|里|中|上|那|这", m.group(1))[-1]  # 那篇里的校委 -> 校委
    names = [first, *(n for n in re.split(_JOIN, m.group(2)) if n)]
    if not 2 <= len(names) <= MAX_SUBJECTS or any(len(n) < 2 for n in names):
        return [part]
    start = m.end(1) - len(first)
    return [f"{part[:start]}{name}{part[m.end() :]}" for name in names]
