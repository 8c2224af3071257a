"""Word .docx via python-docx: paragraphs and tables in body order, heading styles as levels."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sizheng_bot.errors import LoadError
from sizheng_bot.ingest.loaders.numbering import Numbering
from sizheng_bot.ingest.loaders.options import LoadOptions
from sizheng_bot.ingest.loaders.text import first_title_line
from sizheng_bot.ingest.loaders.zipguard import open_zip
from sizheng_bot.types import Block, Document

if TYPE_CHECKING:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

log = logging.getLogger(__name__)

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLES = {"title", "标题"}
_SAVE_AS_HINT = "请用 Word/WPS 打开后另存为 .docx 再上传"


def _open(data: bytes, source: str, options: LoadOptions | None) -> Any:
    import docx  # lazily: keeps `import sizheng_bot.ingest.driver.loaders` cheap

    open_zip(data, source, options)  # limits first: python-docx inflates every part
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # PackageNotFoundError, KeyError, ValueError, BadZipFile, XML errors…
        log.info("docx open failed for %s: %r", source, exc)
        raise LoadError(source, "Word 文件已损坏或不是有效的 .docx 文件", _SAVE_AS_HINT) from exc


def _style_names(paragraph: Paragraph) -> Iterator[str]:
    style: Any = paragraph.style
    for _ in range(4):  # the style and a few of its base styles
        if style is None:
            return
        yield (style.name or "").strip()
        style = style.base_style


def _heading_level(paragraph: Paragraph) -> int | None:
    """1..9 for headings, 0 for the Title style, None for body text."""
    for name in _style_names(paragraph):
        if name.lower() in _TITLE_STYLES:
            return 0
        m = _HEADING_STYLE.match(name)
        if m:
            return int(m.group(1))
    outline = paragraph._p.xpath("./w:pPr/w:outlineLvl/@w:val")
    if outline and str(outline[0]).isdigit() and int(outline[0]) < 9:
        return int(outline[0]) + 1
    return None


def _table_lines(table: Table) -> list[str]:
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # merged cells repeat the same element
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            lines.append(" | ".join(cells))
    return lines


def _body_items(container: Any, parent: Any) -> Iterator[Paragraph | Table]:
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)
        elif child.tag == qn("w:sdt"):  # content controls wrap ordinary paragraphs/tables
            for content in child.iterchildren(qn("w:sdtContent")):
                yield from _body_items(content, parent)


def _vertical(text: str, level: int | None, blocks: list[Block], joined: set[int]) -> bool:
    """A one-character paragraph that continues a run of one-character paragraphs (vertical labels)."""
    if len(text) != 1 or level is not None or not blocks or blocks[-1].level is not None:
        return False
    prev = blocks[-1].text
    return len(prev) == 1 or (len(blocks) - 1 in joined and len(prev) <= 8)


def _blocks(document: Any) -> tuple[list[Block], str]:
    from docx.table import Table

    blocks: list[Block] = []
    styled_title = ""
    numbering = Numbering(document)
    vertical: set[int] = set()  # blocks made of one-character lines joined up
    for item in _body_items(document.element.body, document):
        if isinstance(item, Table):
            lines = _table_lines(item)
            if lines:
                blocks.append(Block("\n".join(lines)))
            continue
        text = item.text.strip()
        label = numbering.label(item)
        if not text:
            continue
        if label and not text.startswith(label):
            text = f"{label}{text}" if label[-1] in "、.．)）" else f"{label} {text}"
        level = _heading_level(item)
        if _vertical(text, level, blocks, vertical):
            blocks[-1] = Block(blocks[-1].text + text)  # 选/票 set one character per line: one word
            vertical.add(len(blocks) - 1)
            continue
        if level == 0 and not styled_title:
            styled_title = text
        blocks.append(Block(text, level=level))
    return blocks, styled_title


def load_docx(data: bytes, source: str, options: LoadOptions | None = None) -> Document:
    document = _open(data, source, options)
    try:
        blocks, styled_title = _blocks(document)
        core_title = (document.core_properties.title or "").strip()
    except Exception as exc:
        log.info("docx read failed for %s: %r", source, exc)
        raise LoadError(source, "Word 文件内容结构已损坏，无法读取", _SAVE_AS_HINT) from exc
    if not blocks:
        raise LoadError(source, "Word 文件中没有文字内容", "如果内容是图片，请先做 OCR 文字识别")
    title = core_title or styled_title
    if not title:
        headings = [b.text for b in blocks if b.level is not None]
        title = headings[0] if headings else first_title_line([b.text for b in blocks])
    return Document(source=source, title=title, blocks=blocks, format="docx")
