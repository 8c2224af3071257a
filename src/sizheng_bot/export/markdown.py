"""Markdown export: the result text as written, plus a ``## 参考来源`` list built from the citations."""

from __future__ import annotations

import logging
from pathlib import Path

from sizheng_bot.export.parse import citation_line, short_quote, write_bytes
from sizheng_bot.export.sources import cited_names, drop_sources_lines
from sizheng_bot.types import Result

log = logging.getLogger(__name__)


def to_markdown(result: Result) -> str:
    """The text with its own sources section replaced by one built from ``result.citations``."""
    text = result.text.replace("\r\n", "\n").replace("\r", "\n")
    if not result.citations:
        return text.rstrip() + "\n"
    body = drop_sources_lines(text, cited_names(result)).rstrip()
    entries = []
    for c in result.citations:
        entry = citation_line(c)
        quote = short_quote(c.quote)
        if quote:
            entry += f"\n> {quote}"
        entries.append(entry)
    return body + "\n\n## 参考来源\n\n" + "\n\n".join(entries) + "\n"


def write_markdown(result: Result, path: str | Path) -> Path:
    target = write_bytes(to_markdown(result).encode("utf-8"), path)
    log.info("markdown written: %s", target)
    return target
