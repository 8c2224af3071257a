"""A tiny parser for the markdown subset our composers write, plus helpers shared by the exporters.

The subset: ``#`` title, ``##``/``###``/``####`` headings, paragraphs, ``-`` bullets (indent = nesting),
``1.`` numbered items, ``>`` quote lines and ``**bold**`` inline. Every non-empty line is its own block:
Chinese text has no meaningful soft wraps, and lines such as ``授课对象：…`` / ``时长：…`` must stay apart.
Anything else (tables, links, stray ``#``) is kept verbatim as paragraph text.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sizheng_bot.citations import SOURCES_HEADINGS as SOURCES_HEADINGS
from sizheng_bot.citations import is_sources_heading as is_sources_heading
from sizheng_bot.citations import label_of, numbered
from sizheng_bot.errors import SizhengError
from sizheng_bot.text import clauses, sentence_spans
from sizheng_bot.text import display_width as display_width
from sizheng_bot.types import Citation, Result

Kind = Literal["title", "h1", "h2", "h3", "para", "bullet", "number", "quote"]

DEFAULT_TITLES = {"outline": "微党课提纲", "plan": "活动方案", "ask": "思政助手答复"}

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+•]\s+(.*)$")
_NUMBER = re.compile(r"^\s*(\d{1,2}(?:\.\s+|[、．]\s*))(.*)$")
_QUOTE = re.compile(r"^\s*>\s?(.*)$")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
# Bold is a pair of exactly two asterisks around 1-40 characters with no asterisk or space at the edges:
# the sources also contain redaction marks ("***总书记", "党章**党规") that must stay verbatim.
_BOLD = re.compile(r"(?<!\*)\*\*([^\s*]|[^\s*][^*\n]{0,38}[^\s*])\*\*(?!\*)")
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_FINAL_PUNCT = "。，；：、,.;:"


@dataclass(frozen=True)
class Node:
    """One block of the text. ``text`` keeps its inline ``**`` markup; ``marker`` is ``"1."`` for items."""

    kind: Kind
    text: str
    level: int = 0
    marker: str = ""

    @property
    def plain(self) -> str:
        return plain(self.text)


@dataclass(frozen=True)
class Outline:
    """The text grouped by ``##`` parts: what comes before the first part is the preface."""

    title: str | None
    preface: list[Node]
    parts: list[tuple[str, list[Node]]]


def parse(text: str) -> list[Node]:
    """Split markdown text into blocks; the first ``#`` heading is the title, later ones count as ``##``."""
    nodes: list[Node] = []
    seen_title = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip() or _RULE.match(line):
            continue
        node = _parse_line(line, seen_title)
        seen_title = seen_title or node.kind == "title"
        nodes.append(node)
    return nodes


def _parse_line(line: str, seen_title: bool) -> Node:
    if m := _HEADING.match(line.strip()):
        depth, body = len(m.group(1)), m.group(2)
        if depth == 1:
            return Node("h1" if seen_title else "title", body)
        return Node("h1" if depth == 2 else "h2" if depth == 3 else "h3", body)
    if m := _QUOTE.match(line):
        return Node("quote", m.group(1).strip())
    if m := _BULLET.match(line):
        indent = len(m.group(1).expandtabs(4))
        return Node("bullet", m.group(2).strip(), level=min(indent // 2, 2))
    if m := _NUMBER.match(line):
        return Node("number", m.group(2).strip(), marker=m.group(1).strip())
    return Node("para", line.strip())


def outline(nodes: list[Node]) -> Outline:
    title: str | None = None
    preface: list[Node] = []
    parts: list[tuple[str, list[Node]]] = []
    for node in nodes:
        if node.kind == "title":
            title = node.plain
        elif node.kind == "h1":
            parts.append((node.plain, []))
        elif parts:
            parts[-1][1].append(node)
        else:
            preface.append(node)
    return Outline(title, preface, parts)


def resolve_title(result: Result, nodes: list[Node], title: str | None) -> str:
    """Explicit title, else the text's ``#`` title, else a default by task."""
    if title and title.strip():
        return clean(title.strip())
    found = next((n.plain for n in nodes if n.kind == "title"), "")
    return found or DEFAULT_TITLES.get(result.task, "思政助手")


# --- inline text -------------------------------------------------------------------------------


def inline_runs(text: str) -> list[tuple[str, bool]]:
    """``"a **b** c"`` → ``[("a ", False), ("b", True), (" c", False)]``; other asterisks stay literal."""
    runs: list[tuple[str, bool]] = []
    pos = 0
    for m in _BOLD.finditer(text):
        if m.start() > pos:
            runs.append((text[pos : m.start()], False))
        runs.append((m.group(1), True))
        pos = m.end()
    if pos < len(text):
        runs.append((text[pos:], False))
    return runs


def plain(text: str) -> str:
    return "".join(t for t, _ in inline_runs(text))


def heading_text(text: str) -> str:
    """Headings carry no final punctuation (GB/T 9704); question and exclamation marks carry meaning."""
    return plain(text).strip().rstrip(_FINAL_PUNCT).strip()


def clean(text: str) -> str:
    """Remove characters that cannot be stored in Office XML (control characters, lone surrogates)."""
    return _XML_BAD.sub("", text)


# --- citations ---------------------------------------------------------------------------------


def citation_line(c: Citation) -> str:
    """``[n] 文件名 · 章节路径 · 第N页`` (the one format: :func:`sizheng_bot.citations.label_of`)."""
    return numbered(c.n, label_of(c))


def short_quote(quote: str, limit: int = 80) -> str:
    """The quote on one line, cut at ``limit`` characters with …… marking the cut (no words added)."""
    one_line = " ".join(quote.split())
    if len(one_line) <= limit:
        return one_line
    return one_line[: limit - 2].rstrip() + "……"


# --- measuring and splitting (for slides) --------------------------------------------------------


def split_text(text: str, max_width: float) -> list[str]:
    """Split ``text`` into pieces no wider than ``max_width`` em, at sentence, then clause boundaries.

    Nothing is dropped or added: ``"".join(pieces) == text``. Citation markers stay with their sentence.
    """
    if display_width(text) <= max_width:
        return [text]
    pieces: list[str] = []
    for sentence in sentence_spans(text):
        if display_width(sentence) <= max_width:
            pieces.append(sentence)
            continue
        for clause in clauses(sentence):
            pieces.extend(_hard_split(clause, max_width))
    return _merge(pieces, max_width)


def _hard_split(text: str, max_width: float) -> list[str]:
    out, cur = [], ""
    for ch in text:
        if cur and display_width(cur + ch) > max_width:
            out.append(cur)
            cur = ""
        cur += ch
    return [*out, cur] if cur else out


def _merge(pieces: list[str], max_width: float) -> list[str]:
    merged: list[str] = []
    for piece in pieces:
        if merged and display_width(merged[-1] + piece) <= max_width:
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged


# --- files -------------------------------------------------------------------------------------

_OS_REASONS = {
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.ENOENT: "目录不存在",
    errno.EISDIR: "该路径是一个目录",
    errno.ENOTDIR: "路径中的某一级不是目录",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统只读",
}


def write_bytes(data: bytes, path: str | Path) -> Path:
    """Write ``data`` to ``path`` (creating parent folders); any OS failure becomes a Chinese SizhengError."""
    target = Path(path).expanduser()
    try:
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(target))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:
        reason = _OS_REASONS.get(exc.errno or 0, f"系统错误：{exc.strerror or exc}")
        raise SizhengError(
            f"无法写入文件“{target}”：{reason}。请检查目录与写入权限，或确认该文件没有在 Word/WPS 中打开。"
        ) from exc
    return target.resolve()
