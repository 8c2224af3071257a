"""Per-generation views of the indexed chunks: document frequency, existence of a phrase, verifier texts."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Sequence

from sizheng_bot.text import sentences as split_sentences
from sizheng_bot.text import squash
from sizheng_bot.types import Chunk


class KBView:
    """Squashed chunk texts (and section headings and document titles: a word only a title holds, such as
    机关食堂下周菜单, is in the KB) for term statistics and "is this in the KB?" checks."""

    def __init__(self, chunks: Sequence[Chunk], generation: int = 0) -> None:
        self.generation = generation
        self._texts = [squash(c.text) for c in chunks]
        headings = {h for c in chunks for h in c.section.split(" > ") if h} | {c.title for c in chunks if c.title}
        self._all = "\x00".join(self._texts + [squash(h) for h in sorted(headings)])
        self._starts = list(itertools.accumulate((len(t) + 1 for t in self._texts[:-1]), initial=0))
        self._texts_end = sum(len(t) + 1 for t in self._texts) - 1 if self._texts else 0
        self._df: dict[str, float] = {}
        self._contains: dict[str, bool] = {}
        self.chunk_texts = {c.id: c.text for c in chunks}

    def __len__(self) -> int:
        return len(self._texts)

    def df(self, term: str) -> float:
        """Share of passages containing ``term`` (0 when it occurs nowhere)."""
        key = squash(term)
        got = self._df.get(key)
        if got is None:
            got = self._count(key) / max(len(self._texts), 1)
            if len(self._df) < 20000:
                self._df[key] = got
        return got

    def _count(self, key: str) -> int:
        """Passages holding ``key``: found in the joined text and mapped back to passages (C-speed
        search; a Python loop only over the occurrences, or over the passages for a very common key)."""
        if not key:
            return 0
        occurrences = self._all.count(key, 0, self._texts_end)
        if occurrences == 0:
            return 0
        if occurrences > 2000:
            return sum(1 for t in self._texts if key in t)
        seen: set[int] = set()
        at = self._all.find(key, 0, self._texts_end)
        while at >= 0:
            seen.add(bisect.bisect_right(self._starts, at) - 1)
            at = self._all.find(key, at + 1, self._texts_end)
        return len(seen)

    def contains(self, phrase: str) -> bool:
        key = squash(phrase)
        got = self._contains.get(key)
        if got is None:
            got = bool(key) and key in self._all
            if len(self._contains) < 20000:
                self._contains[key] = got
        return got


def document_texts(chunks: Sequence[Chunk]) -> Iterator[tuple[str, str]]:
    """(source, text) per document: chunks in order, the one-sentence overlap dropped, headings inserted."""
    by_source: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_source.setdefault(c.source, []).append(c)
    for source, cs in by_source.items():
        cs.sort(key=lambda c: c.position)
        parts: list[str] = []
        emitted: set[str] = set()
        previous_last = ""
        for c in cs:
            for heading in c.section.split(" > ") if c.section else ():
                if heading not in emitted:
                    emitted.add(heading)
                    parts.append(heading)
                    previous_last = ""
            text = c.text
            if previous_last and text.startswith(previous_last):
                text = text[len(previous_last) :]
            parts.append(text)
            sents = split_sentences(c.text)
            previous_last = sents[-1] if sents else ""
        yield source, "\n".join(parts)
