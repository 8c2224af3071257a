"""Markdown export: the result text as written, plus a ``## 参考来源`` list built from the citations."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from sizheng_bot.export.parse import citation_line, is_sources_heading, short_quote, write_bytes
from sizheng_bot.types import Result

log = logging.getLogger(__name__)

_H2 = re.compile(r"^##\s+(.*?)\s*#*\s*$")


def to_markdown(result: Result) -> str:
    """The text with its own sources section replaced by one built from ``result.citations``."""
    text = result.text.replace("\r\n", "\n").replace("\r", "\n")
    if not result.citations:
        return text.rstrip() + "\n"
    body = _drop_sources_sections(text).rstrip()
    entries = []
    for c in result.citations:
        entry = citation_line(c)
        quote = short_quote(c.quote)
        if quote:
            entry += f"\n> {quote}"
        entries.append(entry)
    return body + "\n\n## 参考来源\n\n" + "\n\n".join(entries) + "\n"


def _drop_sources_sections(text: str) -> str:
    """Remove ``## 参考资料``-like sections line by line, so the rest of the text stays byte-identical."""
    kept: list[str] = []
    skipping = False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("#") and not stripped.startswith("###"):
            m = _H2.match(stripped)
            skipping = bool(m and is_sources_heading(m.group(1)))
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


def write_markdown(result: Result, path: str | Path) -> Path:
    target = write_bytes(to_markdown(result).encode("utf-8"), path)
    log.info("markdown written: %s", target)
    return target
