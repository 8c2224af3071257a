"""Quote verification (引文核验): every quotation in our output must exist verbatim in the knowledge base.

``find_claims`` picks out quoted spans and sentences attributed to a leader or a document;
``QuoteVerifier`` checks each claim against a normalised haystack of the source texts and flags the
ones it cannot find inline with ``【引文未核实】``.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sizheng_bot.text import next_sentence_end, same_form
from sizheng_bot.types import QuoteCheck

log = logging.getLogger(__name__)

FLAG = "【引文未核实】"

ClaimKind = Literal["quote", "term", "attributed"]

# --- normalisation: text.same_form is "the same text"; only the quote-specific forms live here ------
_EDGE_PUNCT = ",.;:!?、…-~·"


def _match_form(text: str) -> str:
    """Normalised text without quote marks: what claims and haystacks are compared in."""
    return same_form(text).replace('"', "")


def claim_key(claim: str) -> str:
    """The form a claim is looked up in: normalised, no quote marks, no edge punctuation."""
    return _match_form(strip_flags(claim)).strip(_EDGE_PUNCT)


def strip_flags(text: str) -> str:
    """Remove our ``【引文未核实】`` markers."""
    return text.replace(FLAG, "")


# --- claim extraction ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    """A quoted or attributed span: ``anchor`` is where its flag goes in the original text."""

    text: str
    kind: ClaimKind
    start: int
    anchor: int


_CITE = r"(?:\[\^?\d+(?:\s*[,，、\-–]\s*\d+)*\]|【\d+】)"
_DROP = re.compile(rf"{re.escape(FLAG)}|{_CITE}")  # masked and removed from claim text
_PLACEHOLDER = re.compile(r"【[^】\n]{1,20}】")  # a claim containing one is not a quotation
_MARKDOWN = re.compile(
    r"`[^`\n]*`|\]\([^)\n]*\)|^[ \t]{0,3}(?:#{1,6}[ \t]|>[ \t]?|[-*+][ \t]|\d+[.)][ \t])", re.M
)
# **bold** / __bold__: only paired delimiters are markup (an unpaired __ is text, e.g. window.__flag)
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)[^\n]*?(?<=\S)\1")
_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’"}
_ASCII_QUOTE = re.compile(r'"([^"\n]*)"')
_OPENERS = '“「『‘"'
_DROP_CH, _HOLD_CH = "\x00", "\x01"

_PERSON = (
    r"(?:总书记|国家主席|毛主席|总理|委员长|(?<![的些数位名个老])同志(?!们)|习近平|毛泽东|邓小平|江泽民|胡锦涛|周恩来|"
    r"马克思|恩格斯|列宁|(?:省|市|县|区|州)委(?:主要负责同志|书记)|省长|市长|县长)"
)
_SPEECH_VERB = r"(?<!的)(?:讲话中(?:指出|强调|提出|要求|说)?|批示中?(?:指出|强调|要求|[：:])|指出|强调|要求|提出|所说(?:的那样)?|说道|说)"
_DOC_VERB = r"(?:明确规定|明确要求|明确指出|明确提出|规定|明确|要求|指出|强调|提出)"
_AFTER = r"(?![的了着明法服话得])过?[：:，,\s\x00]*"
_ATTR_RES = [
    re.compile(rf"{_PERSON}[^，,。！？!?；;\n：:“”\"「」]{{0,40}}?{_SPEECH_VERB}{_AFTER}"),
    re.compile(
        rf"《[^》\n]{{1,60}}》(?:[（(][^）)\n]{{0,10}}[）)])?(?:第[^，。\n]{{1,12}}?[条款章节])?中?{_DOC_VERB}{_AFTER}"
    ),
]
# "按照《条例》要求，…" / "根据总书记要求，…" cite a requirement, they do not quote it
_NOT_QUOTING = re.compile(r"(?:按照|根据|依照|依据|遵照|对照|落实|贯彻|遵循|围绕|结合)[^，,。；;\n]{0,4}$")


def _mask(text: str) -> str:
    """Same-length copy where our markers and markdown syntax are blanked out."""
    chars = list(text)
    for rx, ch in ((_DROP, _DROP_CH), (_PLACEHOLDER, _HOLD_CH), (_MARKDOWN, _DROP_CH)):
        for m in rx.finditer(text):
            if ch == _HOLD_CH and chars[m.start()] == _DROP_CH:
                continue  # already masked as a flag or citation
            chars[m.start() : m.end()] = ch * (m.end() - m.start())
    for m in _EMPHASIS.finditer(text):
        chars[m.start() : m.start() + 2] = _DROP_CH * 2
        chars[m.end() - 2 : m.end()] = _DROP_CH * 2
    return "".join(chars)


def _paired_spans(masked: str) -> list[tuple[int, int, int, int]]:
    """Spans of “…” 「…」 『…』 ‘…’ (nesting allowed, never across a line break)."""
    stack: list[tuple[str, int]] = []
    spans = []
    for i, ch in enumerate(masked):
        if ch == "\n":
            stack.clear()
        elif ch in _PAIRS:
            stack.append((ch, i))
        else:
            for k in range(len(stack) - 1, -1, -1):
                if _PAIRS[stack[k][0]] == ch:
                    start = stack[k][1]
                    del stack[k:]
                    spans.append((start, i + 1, start + 1, i))
                    break
    return spans


def _quoted_spans(masked: str) -> list[tuple[int, int, int, int]]:
    """Top-level quoted spans as (start, end, inner_start, inner_end); nested or crossing ones dropped."""
    ascii_spans = [(m.start(), m.end(), m.start(1), m.end(1)) for m in _ASCII_QUOTE.finditer(masked)]
    found = sorted(_paired_spans(masked) + ascii_spans, key=lambda s: (s[0], -s[1]))
    spans: list[tuple[int, int, int, int]] = []
    for span in found:
        if spans and span[0] < spans[-1][1]:
            continue  # inside (or crossing) the previous top-level span
        spans.append(span)
    return spans


def _clean(fragment: str) -> str | None:
    if _HOLD_CH in fragment:
        return None
    text = fragment.replace(_DROP_CH, "").strip()
    text = text.lstrip("：:，,").strip()
    return text if claim_key(text) else None


def _anchor(masked: str, end: int) -> int:
    """Position right after the last real character before ``end``."""
    while end > 0 and (masked[end - 1] == _DROP_CH or masked[end - 1].isspace()):
        end -= 1
    return end


def _sentence_end(masked: str, start: int, spans: list[tuple[int, int, int, int]]) -> int:
    pos = start
    while True:
        end = next_sentence_end(masked, pos)
        inside = next((s for s in spans if s[0] < end < s[1]), None)
        if inside is None:
            return end
        pos = inside[1]


def _quote_claims(masked: str, spans: list[tuple[int, int, int, int]]) -> list[Claim]:
    claims = []
    for start, end, inner_start, inner_end in spans:
        text = _clean(masked[inner_start:inner_end])
        if text is None:
            continue
        is_term = len(claim_key(text)) < 4 or re.fullmatch(r"《[^》]+》", text) is not None
        claims.append(Claim(text, "term" if is_term else "quote", start, end))
    return claims


def _attributed_claims(masked: str, spans: list[tuple[int, int, int, int]]) -> list[Claim]:
    claims: dict[int, Claim] = {}
    for rx in _ATTR_RES:
        for m in rx.finditer(masked):
            start = m.end()
            if any(s[0] <= m.start() < s[1] for s in spans):
                continue  # the attribution is itself inside a quotation
            if _NOT_QUOTING.search(masked, max(0, m.start() - 8), m.start()):
                continue
            if start >= len(masked) or masked[start] in _OPENERS or start in claims:
                continue  # an explicit quotation is checked as a quoted span
            end = _sentence_end(masked, start, spans)
            text = _clean(masked[start:end])
            if text is not None:
                claims[start] = Claim(text, "attributed", start, _anchor(masked, end))
    return list(claims.values())


def extract_claims(text: str) -> list[Claim]:
    """All claims of ``text`` in order of appearance, with their kind and flag anchor."""
    masked = _mask(text)
    spans = _quoted_spans(masked)
    claims = _quote_claims(masked, spans) + _attributed_claims(masked, spans)
    return sorted(claims, key=lambda c: c.start)


def find_claims(text: str) -> list[str]:
    """Quoted spans (including short terms) and attributed sentences of ``text``."""
    return [c.text for c in extract_claims(text)]


# --- verification ----------------------------------------------------------------------------------
_SEP = "\x00"
_MAX_GAP_TRIES = 500


class QuoteVerifier:
    """Checks claims against the normalised full texts of the knowledge-base documents."""

    def __init__(self, documents: Iterable[tuple[str, str]]) -> None:
        parts: list[str] = []
        self._starts: list[int] = []
        self._sources: list[str] = []
        pos = 0
        for source, full_text in documents:
            hay = _match_form(full_text)
            parts.append(hay)
            self._starts.append(pos)
            self._sources.append(source)
            pos += len(hay) + len(_SEP)
        self._hay = _SEP.join(parts)
        log.debug("quote verifier: %d sources, %d chars", len(parts), len(self._hay))

    def _source_at(self, idx: int) -> tuple[str, int]:
        """The source holding haystack offset ``idx`` and the end offset of its text."""
        i = bisect.bisect_right(self._starts, idx) - 1
        doc_end = self._starts[i + 1] - len(_SEP) if i + 1 < len(self._starts) else len(self._hay)
        return self._sources[i], doc_end

    def _find(self, key: str) -> str | None:
        parts = [p for p in key.split("…") if p]
        if not parts:
            return None
        first, rest = parts[0], parts[1:]
        idx = self._hay.find(first)
        tries = 0
        while idx >= 0 and tries < _MAX_GAP_TRIES:
            source, doc_end = self._source_at(idx)
            pos = idx + len(first)
            for part in rest:  # a quotation with omissions (……): the parts in order, in one source
                pos = self._hay.find(part, pos, doc_end)
                if pos < 0:
                    break
                pos += len(part)
            else:
                return source
            idx = self._hay.find(first, idx + 1)
            tries += 1
        return None

    def check(self, claim: str) -> QuoteCheck:
        text = strip_flags(claim).strip()
        key = claim_key(text)
        source = self._find(key) if key else None
        return QuoteCheck(text=text, found=source is not None, source=source)

    def verify(self, text: str) -> tuple[str, list[QuoteCheck]]:
        """Flag every claim not found in the knowledge base; return the flagged text and the checks."""
        checks: dict[str, QuoteCheck] = {}
        inserts: list[int] = []
        for claim in extract_claims(text):
            result = checks.get(claim.text) or self.check(claim.text)
            checks[claim.text] = result
            if not result.found:
                pos = _flag_position(text, claim.anchor)
                if pos is not None:
                    inserts.append(pos)
        for pos in sorted(set(inserts), reverse=True):
            text = text[:pos] + FLAG + text[pos:]
        unverified = sum(1 for c in checks.values() if not c.found)
        if unverified:
            log.info("quote check: %d of %d claims not found", unverified, len(checks))
        return text, list(checks.values())


_AFTER_ANCHOR = re.compile(rf"(?:[ \t]*{_CITE})*")


def _flag_position(text: str, anchor: int) -> int | None:
    """Where the flag goes after ``anchor`` (past citation markers), or None if already flagged."""
    pos = _AFTER_ANCHOR.match(text, anchor)
    end = pos.end() if pos else anchor
    if text.startswith(FLAG, end) or text[end:].lstrip(" \t").startswith(FLAG):
        return None
    return end
