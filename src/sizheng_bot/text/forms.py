"""The forms text is compared in. Stored and cited text is never changed; these are for matching only.

Three levels, each a refinement of the one before:

``strip_space``
    all whitespace removed. The dev sets' scoring rule ("evidence is a substring after all whitespace is
    removed from both") and nothing more.
``squash``
    ``fold`` (NFKC: full-width letters/digits/punctuation to their ASCII forms; lower case) plus
    ``strip_space``. The form query terms and passages are matched in.
``same_form``
    ``squash`` without lower-casing, plus one form for quotation marks, dashes, middle dots, 。、【】〔〕 and
    invisible characters, runs of dots as one ellipsis. This is what "the same text" means everywhere:
    the quote verifier, citation checks, passage de-duplication and the evaluation's answer matching.
"""

from __future__ import annotations

import re
import unicodedata

# a masked word in a template or a redacted copy: XX / ×× / ＸＸ runs, 某某 (李XX, XX大地, ×××同志)
MASK = r"[XxＸｘ×]{2,}|某某"
QUOTE_CHARS = "“”„‟〝〞＂\"‘’‚‛'「」『』﹁﹂﹃﹄"
_SAME = str.maketrans(
    {
        **{c: '"' for c in QUOTE_CHARS},
        **{c: "-" for c in "—–―‒‐‑−─━﹣"},
        **{c: "·" for c in "・･‧•∙"},
        "。": ".",
        "、": ",",
        "【": "[",
        "】": "]",
        "〔": "(",
        "〕": ")",
        "〜": "~",
        "⋯": "…",
    }
)
_WS = re.compile(r"\s+")
_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff\u00ad\x00-\x1f\x7f]+")
_DASH_RUN = re.compile(r"-{2,}")
_ELLIPSIS = re.compile(r"…+|\.{3,}")
_ASIDE = re.compile(r"[（(][^（）()]{1,4}[）)]")


def strip_space(text: str) -> str:
    """All whitespace removed (the scoring rule of the dev sets)."""
    return _WS.sub("", text)


def fold(text: str) -> str:
    """Width-fold and lower-case (full-width letters/digits -> ASCII); whitespace kept."""
    return unicodedata.normalize("NFKC", text).lower()


def squash(text: str) -> str:
    """Width-folded, lower-cased, no whitespace: the form term containment is tested in."""
    return _WS.sub("", fold(text))


def spaced(text: str) -> str:
    """Width-folded, lower-cased, single spaces: the form English-language patterns are matched in."""
    return _WS.sub(" ", fold(text)).strip()


def same_form(text: str) -> str:
    """The one notion of "the same text": widths, whitespace, invisible characters and punctuation variants."""
    text = unicodedata.normalize("NFKC", text).translate(_SAME)
    text = _INVISIBLE.sub("", text)
    text = _ELLIPSIS.sub("…", text)
    return _DASH_RUN.sub("-", text)


def same_form_with_offsets(text: str) -> tuple[str, list[int]]:
    """Character-wise :func:`same_form` plus, for each output character, the index of its source character.

    Lets callers find a match in normalised space and cut the verbatim span out of ``text``. Runs (of
    dashes, dots) are not collapsed here, so the result can be longer than ``same_form(text)``.
    """
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        for out in _INVISIBLE.sub("", unicodedata.normalize("NFKC", ch).translate(_SAME)):
            chars.append(out)
            offsets.append(i)
    return "".join(chars), offsets


def matchable(text: str) -> str:
    """``squash`` for term matching, plus the text without its short asides when it has any:
    校（院）委 also reads 校委, 组织（人事）部门 also 组织部门 (joined by a character no term holds)."""
    plain = squash(text)
    return f"{plain}|{squash(_ASIDE.sub('', text))}" if _ASIDE.search(text) else plain


def display_width(text: str) -> float:
    """Width in em units: CJK/full-width characters count 1, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55 for ch in text)
