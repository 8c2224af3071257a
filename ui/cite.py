"""Checkable sources: clickable ``[n]`` markers and the passage with its supporting sentence marked.

The supporting sentence of citation n is found from the answer itself: the sentences that carry the
``[n]`` marker are the claims; the passage sentence that contains a claim verbatim (else the one that
shares most character pairs with it) is highlighted. All text goes out escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sizheng_bot.text import sentence_spans, strip_space
from sizheng_bot.types import Citation
from ui.render import citation_summary, esc_block, source_meta

_MARK = re.compile(r"\[(\d{1,3})\]")
_LABEL = re.compile(r"^\s*(?:[-*•]\s*)?(?:\*\*)?[^：:，。]{1,8}[：:](?:\*\*)?\s*")
MIN_OVERLAP = 0.35


def claims_for(text: str, n: int) -> list[str]:
    """The answer's sentences (markers and list labels removed) that cite ``[n]``."""
    out = []
    for line in text.splitlines():
        if f"[{n}]" not in line:
            continue
        body = _LABEL.sub("", line.strip().lstrip(">").strip())
        pieces = re.split(rf"\[{n}\]", body)
        for piece in pieces[:-1] or pieces:
            sentence = _MARK.sub("", piece).strip().strip("*").strip()
            if sentence:
                out.append(sentence)
    return out


def _pairs(s: str) -> set[str]:
    s = strip_space(s)
    return {s[i : i + 2] for i in range(len(s) - 1)}


def _spans(passage: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of the passage (text.sentence_spans, line breaks end one too),
    surrounding whitespace left outside the span."""
    out, pos = [], 0
    for piece in sentence_spans(passage, newlines=True):
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            out.append((pos + lead, pos + len(piece.rstrip())))
        pos += len(piece)
    return out


def support_span(passage: str, claims: Sequence[str]) -> tuple[int, int] | None:
    """Character span of the passage sentence that supports the claims best, or None."""
    sentences = _spans(passage)
    if not sentences:
        return None
    best, best_score = None, 0.0
    for start, end in sentences:
        sent = passage[start:end]
        s_pairs = _pairs(sent)
        for claim in claims:
            tail = re.split(r"[。！？；!?;]", claim.strip())
            piece = next((t for t in tail if len(t.strip()) >= 4), claim).strip()
            if piece and piece in sent:
                return start, end
            c_pairs = _pairs(claim)
            if c_pairs and s_pairs:
                score = len(c_pairs & s_pairs) / min(len(c_pairs), len(s_pairs))
                if score > best_score:
                    best, best_score = (start, end), score
    return best if best_score >= MIN_OVERLAP else None


def passage_html(passage: str, span: tuple[int, int] | None) -> str:
    if span is None:
        return esc_block(passage)
    a, b = span
    return f'{esc_block(passage[:a])}<mark class="sz-support">{esc_block(passage[a:b])}</mark>{esc_block(passage[b:])}'


def link_markers(md: str, numbers: set[int]) -> str:
    """``[n]`` → a clickable marker (only for numbers that are sources of this answer)."""

    def sub(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return (
            f'<sup class="sz-cite sz-cite-{n}" title="查看出处 {n}">[{n}]</sup>'
            if n in numbers
            else m.group()
        )

    return _MARK.sub(sub, md)


def sources_html(
    citations: Sequence[Citation], answer_text: str = "", original: dict[str, str] | None = None
) -> str:
    """Numbered sources, each a <details> with file, section, page, the passage (supporting sentence
    marked) and a download link for the original file when it is kept (one line of HTML)."""
    if not citations:
        return ""
    items = []
    for c in citations:
        span = support_span(c.quote, claims_for(answer_text, c.n)) if answer_text else None
        hint = '<div class="sz-support-hint">黄色标出的是回答所依据的句子</div>' if span else ""
        items.append(
            f'<details class="sz-source sz-src-{c.n}">'
            f"<summary>{citation_summary(c)}</summary>"
            f'<div class="sz-source-meta">{source_meta(c, original)}</div>'
            f'<div class="sz-passage">{passage_html(c.quote, span)}</div>{hint}'
            "</details>"
        )
    head = f'<div class="sz-sources-title">参考来源（{len(citations)}）· 点击 [n] 或下方条目查看原文</div>'
    return '<div class="sz-sources">' + head + "".join(items) + "</div>"
