"""A text's own sources section: recognise its generated entries, drop them, keep the user's edits.

Also the clean 讲稿 (no mode note, no markers, no sources).
"""

from __future__ import annotations

import re

from sizheng_bot.citations import is_source_item, is_sources_heading
from sizheng_bot.export.parse import Node, parse
from sizheng_bot.types import Result

_MODE_NOTE = re.compile(r"^\s*>\s*\**\s*(?:离线摘编模式|大模型生成|大模型模式)")
_MARKER = re.compile(r"\s?\[\d{1,3}\]")


_LIST_LINE = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.、．])\s*(.*)$")
_FILE_NAME = re.compile(r"\S+\.(?:txt|md|markdown|docx|pdf|html?|wps|doc)\b", re.I)


def is_citation_line(line: str, sources: frozenset[str] = frozenset()) -> bool:
    """A line of a generated sources list: ``- [n] 文件 · 章节`` (or ``[n] …``, ``1. [n] …``), or a
    list item that starts with a cited file's name (``1. 某文件.txt``)."""
    if is_source_item(line):
        return True
    m = _LIST_LINE.match(line)
    if not m:
        return False
    body = m.group(1).strip()
    return any(body.startswith(s) for s in sources if s) or bool(_FILE_NAME.match(body))


def drop_sources(nodes: list[Node], sources: frozenset[str] = frozenset()) -> list[Node]:
    """Remove the generated entries of every ``##`` sources section (参考资料/参考来源/参考依据/来源).

    Only the ``[n] …`` entries (and a ``>`` excerpt under one) go: anything else written in such a
    section — an edit typed after the list — is kept, under the section's heading.
    """
    kept: list[Node] = []
    section: list[Node] | None = None
    after_entry = False
    for node in nodes:
        if node.kind in ("title", "h1"):
            if section is not None and len(section) > 1:
                kept.extend(section)
            section = [node] if node.kind == "h1" and is_sources_heading(node.text) else None
            if section is not None:
                continue
        if section is None:
            kept.append(node)
            continue
        prefix = "- " if node.kind == "bullet" else f"{node.marker} " if node.kind == "number" else ""
        entry = node.kind != "quote" and is_citation_line(prefix + node.text, sources)
        if entry or (node.kind == "quote" and after_entry):
            after_entry = True
            continue
        after_entry = False
        section.append(node)
    if section is not None and len(section) > 1:
        kept.extend(section)
    return kept


_H2 = re.compile(r"^##\s+(.*?)\s*#*\s*$")


def drop_sources_lines(text: str, sources: frozenset[str] = frozenset()) -> str:
    """Remove the generated entries of ``## 参考资料``-like sections line by line (the rest stays
    byte-identical); other lines written in such a section are kept under its heading."""
    kept: list[str] = []
    section: list[str] | None = None
    after_entry = False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("#") and not stripped.startswith("###"):
            if section is not None and any(x.strip() for x in section[1:]):
                kept.extend(section)
            m = _H2.match(stripped)
            section = [line] if m and is_sources_heading(m.group(1)) else None
            if section is not None:
                continue
        if section is None:
            kept.append(line)
            continue
        if is_citation_line(stripped, sources) or (stripped.startswith(">") and after_entry):
            after_entry = True
            continue
        if stripped:
            after_entry = False
        section.append(line)
    if section is not None and any(x.strip() for x in section[1:]):
        kept.extend(section)
    return "\n".join(kept)


def lecture_text(text: str, sources: frozenset[str] = frozenset()) -> str:
    """A clean 讲稿: no mode note, no ``[n]`` markers, no generated sources entries (edits kept)."""
    text = drop_sources_lines(text.replace("\r\n", "\n"), sources)
    lines = [ln for ln in text.split("\n") if not _MODE_NOTE.match(ln)]
    return _MARKER.sub("", "\n".join(lines))


def body_nodes(result: Result) -> list[Node]:
    """The blocks to render: the text's own sources section is dropped when citations will be rendered."""
    nodes = parse(result.text)
    return drop_sources(nodes, cited_names(result)) if result.citations else nodes


def cited_names(result: Result) -> frozenset[str]:
    return frozenset(n for c in result.citations for n in (c.source, c.title) if n)
