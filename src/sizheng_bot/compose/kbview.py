"""Per-generation views of the indexed chunks: document frequency, existence of a phrase, verifier texts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sizheng_bot.compose.select import squash
from sizheng_bot.ingest.split import sentences as split_sentences
from sizheng_bot.types import Chunk


class KBView:
    """Squashed chunk texts (and section headings) for term statistics and "is this in the KB?" checks."""

    def __init__(self, chunks: Sequence[Chunk], generation: int = 0) -> None:
        self.generation = generation
        self._texts = [squash(c.text) for c in chunks]
        headings = {h for c in chunks for h in c.section.split(" > ") if h}
        self._all = "\x00".join(self._texts + [squash(h) for h in sorted(headings)])
        self._df: dict[str, float] = {}
        self.chunk_texts = {c.id: c.text for c in chunks}

    def __len__(self) -> int:
        return len(self._texts)

    def df(self, term: str) -> float:
        """Share of passages containing ``term`` (0 when it occurs nowhere)."""
        key = squash(term)
        got = self._df.get(key)
        if got is None:
            n = sum(1 for t in self._texts if key in t) if key else 0
            got = n / max(len(self._texts), 1)
            if len(self._df) < 20000:
                self._df[key] = got
        return got

    def contains(self, phrase: str) -> bool:
        key = squash(phrase)
        return bool(key) and key in self._all


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
