"""The one home of the text primitives every stage uses.

- :mod:`.forms`: the forms text is compared in — ``strip_space`` (the dev sets' scoring rule),
  ``fold``/``squash`` (widths and case: term matching), ``same_form`` (the one notion of "the same text":
  NFKC, widths, whitespace, quote/dash/punctuation variants — quotes, citations, passage selection).
- :mod:`.sentences`: sentence and clause boundaries of Chinese prose.
- :mod:`.headings`: the heading grammar of Chinese official documents (一、 （一） 1. （1） 第X章 第X条 …).
- :mod:`.numerals`: Chinese and Arabic numerals.
- :mod:`.questions`: how questions are worded (A-not-A asks, one ask of several subjects).
"""

from sizheng_bot.text.forms import (
    display_width,
    fold,
    matchable,
    same_form,
    same_form_with_offsets,
    spaced,
    squash,
    strip_space,
)
from sizheng_bot.text.headings import CN_DIGITS, heading_level, is_heading, strip_marker, strip_number
from sizheng_bot.text.numerals import cn_number
from sizheng_bot.text.questions import affirmed, respective
from sizheng_bot.text.sentences import clauses, next_sentence_end, sentence_spans, sentences, unwrap

__all__ = [
    "affirmed",
    "CN_DIGITS",
    "clauses",
    "cn_number",
    "display_width",
    "fold",
    "heading_level",
    "is_heading",
    "matchable",
    "next_sentence_end",
    "respective",
    "same_form",
    "same_form_with_offsets",
    "sentence_spans",
    "sentences",
    "spaced",
    "squash",
    "strip_marker",
    "strip_number",
    "strip_space",
    "unwrap",
]
