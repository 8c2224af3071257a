"""Chinese and Arabic numerals."""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUM = r"[零〇一二两三四五六七八九十百千]+"


def cn_number(word: str) -> int | None:
    """Arabic or Chinese numerals up to 9,999 (十五, 二十, 一百二十, 两千) as an int; None if not a number."""
    word = word.strip()
    if re.fullmatch(r"\d+", word):
        return int(word)
    if not word or not re.fullmatch(CN_NUM, word):
        return None
    total, current = 0, 0
    for ch in word:
        unit = {"十": 10, "百": 100, "千": 1000}.get(ch)
        if unit:
            total += (current or 1) * unit
            current = 0
        else:
            current = _DIGITS[ch]
    return total + current
