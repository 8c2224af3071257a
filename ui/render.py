"""Display values for the UI: every piece of document or model text goes out escaped.

Two output kinds:
- HTML fragments (``gr.HTML`` and the HTML blocks inside chat messages): built with ``html.escape`` on
  every piece of text that came from a document, a model or a user.
- Markdown (chat answers): ``md_safe`` turns ``<`` and ``&`` into entities so no tag can be formed,
  keeping the markdown syntax our composers write (``>`` quotes, ``-`` lists, ``**bold**``).

HTML fragments meant for a chat message are kept on one line: a markdown HTML block ends at the first
blank line, so a passage with blank lines would otherwise fall back into markdown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from sizheng_bot.citations import is_source_item, label_of, numbered, split_sources
from sizheng_bot.types import Citation, DocInfo, FileReport, Result

MODE_LABELS = {"offline": "离线摘编", "llm": "大模型生成"}
STATUS_LABELS = {"answered": "", "partial": "部分作答", "not_found": "未找到依据", "refused": "未作答"}
FILE_STATUS = {
    "added": "新增",
    "updated": "已更新",
    "unchanged": "未变化（已在库中）",
    "failed": "失败",
    "removed": "已删除",
}
_IMAGE_LINK = re.compile(r"!\[")


# gr.HTML renders its value through a template engine (``${value}`` / handlebars): the characters those
# engines look at are written as entities too, so document text can never become template code.
_TEMPLATE_CHARS = str.maketrans({"$": "&#36;", "{": "&#123;", "}": "&#125;", "`": "&#96;", "\\": "&#92;"})


def esc(text: object) -> str:
    """HTML-escape any value (None becomes an empty string), template characters included."""
    return html.escape("" if text is None else str(text), quote=True).translate(_TEMPLATE_CHARS)


def esc_block(text: str) -> str:
    """Escaped text with line breaks as <br>, on one physical line."""
    lines = [esc(line) for line in text.strip().splitlines()]
    return "<br>".join(line for line in lines)


def md_safe(text: str) -> str:
    """Markdown whose raw HTML cannot form a tag; images are shown as text (no remote fetch)."""
    out = text.replace("&", "&amp;").replace("<", "&lt;")
    return _IMAGE_LINK.sub(r"!\\[", out)


def badge(mode: str) -> str:
    label = MODE_LABELS.get(mode, mode)
    return f'<span class="sz-badge sz-{esc(mode)}">{esc(label)}</span>'


def status_html(result: Result) -> str:
    """Badge, status and quote-check line, then the warnings (one line of HTML)."""
    parts = [badge(result.mode)]
    label = STATUS_LABELS.get(result.status, "")
    if label:
        parts.append(f'<span class="sz-badge sz-status">{esc(label)}</span>')
    if result.quotes_checked:
        parts.append(
            f'<span class="sz-quote-stat" title="回答中的引号内文字是否在知识库原文中逐字找到；不代表相关程度">'
            f"引文核对：{result.quotes_verified}/{result.quotes_checked} 条引文与原文一致</span>"
        )
    return '<div class="sz-status-line">' + " ".join(parts) + "</div>" + warnings_html(result)


def warnings_html(result: Result) -> str:
    items = [esc(w) for w in result.warnings]
    unverified = [q.text for q in result.quotes if not q.found]
    if unverified:
        quoted = "；".join(f"“{esc(t)}”" for t in unverified)
        items.append(f"以下引文未在知识库原文中找到，请核实后再使用：{quoted}")
    if not items:
        return ""
    lis = "".join(f"<li>{i}</li>" for i in items)
    return f'<div class="sz-warnings"><strong>⚠ 请注意</strong><ul>{lis}</ul></div>'


def citation_summary(c: Citation) -> str:
    """``[n] 文件名 · 章节 · 第N页`` (the one citation format), escaped; the document title as a tooltip."""
    if c.title and c.title != c.source:
        return f'[{c.n}] <span title="{esc(c.title)}">{esc(label_of(c))}</span>'
    return esc(numbered(c.n, label_of(c)))


def source_meta(c: Citation, original: dict[str, str] | None = None) -> str:
    """文件/章节/页码 of a source (and a download link for the kept original file), escaped."""
    meta = [f"文件：{esc(c.source)}"]
    if c.section.strip():
        meta.append(f"章节：{esc(c.section.strip())}")
    if c.page is not None:
        meta.append(f"页码：{c.page_label}")
    if original is not None and c.source in original:
        meta.append(f'<a class="sz-original" href="{esc(original[c.source])}" download>下载原文件</a>')
    return "　".join(meta)


def without_sources_section(text: str) -> str:
    """The text without its own sources list (the page shows expandable sources instead); anything
    written after the list stays (:func:`sizheng_bot.citations.split_sources`)."""
    cut = split_sources(text)
    if not any(is_source_item(line) for line in cut.sources.splitlines()):
        return text
    return cut.without_sources


def streaming_markdown(text: str) -> str:
    """A chat answer while it is being written."""
    return md_safe(text) + " ▌"


def doc_rows(docs: Iterable[DocInfo]) -> list[list[object]]:
    return [[d.source, d.title, d.format, d.chunks, d.chars] for d in docs]


DOC_HEADERS = ["文件名", "标题", "格式", "切块数", "字数"]


def report_html(files: Sequence[FileReport], seconds: float | None = None) -> str:
    """Per-file ingest result with the reason for any failure (escaped)."""
    if not files:
        return '<div class="sz-report">没有收到文件。</div>'
    rows = []
    for f in files:
        detail = f.error or (f"{f.chunks} 个切块，{f.chars} 字" if f.status in ("added", "updated") else "")
        detail += f"（{f.note}）" if f.note else ""
        rows.append(
            f'<tr class="sz-{esc(f.status)}"><td>{esc(f.source)}</td>'
            f"<td>{esc(FILE_STATUS.get(f.status, f.status))}</td><td>{esc(detail)}</td></tr>"
        )
    ok = sum(1 for f in files if f.status != "failed")
    took = f"，用时 {seconds:.1f} 秒" if seconds is not None else ""
    head = f"<p>共 {len(files)} 个文件：成功 {ok} 个，失败 {len(files) - ok} 个{took}。</p>"
    table = "<table><thead><tr><th>文件</th><th>结果</th><th>说明</th></tr></thead><tbody>"
    return f'<div class="sz-report">{head}{table}{"".join(rows)}</tbody></table></div>'


def kv_table(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<table class="sz-kv">{body}</table>'


def notice(text: str, kind: str = "info") -> str:
    return f'<div class="sz-notice sz-{esc(kind)}">{esc(text)}</div>'
