"""Word export in the layout of Chinese official documents (GB/T 9704-2012, 党政机关公文格式).

A4, margins 37/28/26/35 mm; title 2号 方正小标宋简体 centred; body 3号 仿宋_GB2312, first-line indent of two
characters, fixed 28 pt line spacing; ``##`` headings 3号黑体, ``###`` 3号楷体_GB2312, ``####`` 3号仿宋 bold;
Latin letters and digits in Times New Roman; page numbers "— 1 —" in 4号宋体, odd pages right, even left.
Fonts are only named: machines without them still show the right text.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from sizheng_bot.export.parse import (
    Node,
    citation_line,
    clean,
    heading_text,
    inline_runs,
    resolve_title,
    short_quote,
    write_bytes,
)
from sizheng_bot.export.sources import body_nodes
from sizheng_bot.types import Result

log = logging.getLogger(__name__)

LATIN = "Times New Roman"
TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT, PAGE_FONT = (
    "方正小标宋简体",
    "仿宋_GB2312",
    "黑体",
    "楷体_GB2312",
    "宋体",
)
TITLE_PT, BODY_PT, PAGE_PT = 22, 16, 14
LINE_PT = 28
INDENT = Pt(2 * BODY_PT)  # two characters
SOURCES_HEADING = "参考来源"

# paragraph style -> (east-asian font, bold)
_STYLES = {"Normal": (BODY_FONT, False), "Heading 1": (H1_FONT, False), "Heading 2": (H2_FONT, False)}
_STYLES |= {"Heading 3": (BODY_FONT, True), "Title": (TITLE_FONT, False), "Subtitle": (H2_FONT, False)}
_STYLES |= {"Footer": (PAGE_FONT, False)}
_KIND_STYLE = {"h1": "Heading 1", "h2": "Heading 2", "h3": "Heading 3"}
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def build_docx(result: Result, title: str | None = None) -> DocxDocument:
    """The Word document for ``result`` (not yet saved)."""
    nodes = body_nodes(result)
    doc_title = resolve_title(result, nodes, title)
    doc = Document()
    _setup_page(doc)
    _setup_styles(doc)
    _add_page_numbers(doc)
    _set_properties(doc, doc_title)
    _add_title(doc, clean(doc_title))
    for node in nodes:
        if node.kind != "title":
            _add_node(doc, node)
    if result.citations:
        _add_paragraph(doc, SOURCES_HEADING, "Heading 1", font=H1_FONT)
        for c in result.citations:
            _add_paragraph(doc, clean(citation_line(c)), "Normal", font=BODY_FONT)
            quote = short_quote(clean(c.quote))
            if quote:
                _add_paragraph(doc, f"摘录：“{quote}”", "Normal", font=H2_FONT)
    return doc


def docx_bytes(result: Result, title: str | None = None) -> bytes:
    buf = io.BytesIO()
    build_docx(result, title).save(buf)
    return buf.getvalue()


def write_docx(result: Result, path: str | Path, title: str | None = None) -> Path:
    """Write ``result`` as a .docx file; errors writing the file raise SizhengError (Chinese message)."""
    target = write_bytes(docx_bytes(result, title), path)
    log.info("docx written: %s", target)
    return target


# --- content -----------------------------------------------------------------------------------


def _add_title(doc: DocxDocument, title: str) -> None:
    """Title in 2号小标宋; a "——…" subtitle goes on its own line in 3号楷体; then one blank line."""
    main, dash, sub = title.partition("——")
    last = _add_paragraph(
        doc, main.strip() if dash and main.strip() and sub.strip() else title, "Title", font=TITLE_FONT
    )
    if dash and main.strip() and sub.strip():
        last = _add_paragraph(doc, f"——{sub.strip()}", "Subtitle", font=H2_FONT)
    last.paragraph_format.space_after = Pt(LINE_PT)


def _add_node(doc: DocxDocument, node: Node) -> None:
    if node.kind in _KIND_STYLE:
        style = _KIND_STYLE[node.kind]
        _add_paragraph(
            doc, clean(heading_text(node.text)), style, font=_STYLES[style][0], bold=_STYLES[style][1]
        )
        return
    text = clean(node.text)
    if node.kind == "number":
        text = f"{node.marker}{'' if node.marker.endswith(('、', '．')) else ' '}{text}"
    font = H2_FONT if node.kind == "quote" else BODY_FONT
    para = _add_paragraph(doc, text, "Normal", font=font)
    if node.kind == "bullet" and node.level:
        para.paragraph_format.left_indent = Pt(node.level * 2 * BODY_PT)


def _add_paragraph(doc: DocxDocument, text: str, style: str, *, font: str, bold: bool = False) -> Paragraph:
    para = doc.add_paragraph(style=style)
    for chunk, strong in inline_runs(text):
        run = para.add_run(chunk)
        run.bold = bold or strong
        _set_run_font(run._element, font)
    return para


def _set_run_font(r_element: BaseOxmlElement, east_asia: str, latin: str = LATIN) -> None:
    rfonts = r_element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia)):
        rfonts.set(qn(attr), value)


# --- page, styles, footer ----------------------------------------------------------------------


def _setup_page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(24)


def _setup_styles(doc: DocxDocument) -> None:
    _setup_defaults(doc)
    for name, (east_asia, bold) in _STYLES.items():
        style = doc.styles[name]
        font = style.font  # type: ignore[attr-defined]
        font.size = Pt(PAGE_PT if name == "Footer" else TITLE_PT if name == "Title" else BODY_PT)
        font.bold, font.italic = bold, False
        font.color.rgb = RGBColor(0, 0, 0)
        rpr = style.element.get_or_add_rPr()
        _strip_theme_fonts(rpr)
        latin = PAGE_FONT if name == "Footer" else LATIN
        _set_run_font(style.element, east_asia, latin)
        for tag in ("w:spacing", "w:kern"):  # Title's letter spacing and kerning
            for el in rpr.findall(qn(tag)):
                rpr.remove(el)
        if name != "Footer":
            _format_paragraph_style(doc, name)


def _format_paragraph_style(doc: DocxDocument, name: str) -> None:
    pf = doc.styles[name].paragraph_format  # type: ignore[attr-defined]
    pf.space_before, pf.space_after = Pt(0), Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    if name in ("Title", "Subtitle"):
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pf.line_spacing = Pt(TITLE_PT + 13 if name == "Title" else LINE_PT)
        pf.first_line_indent = Pt(0)
        ppr = doc.styles[name].element.get_or_add_pPr()
        for tag in ("w:pBdr", "w:contextualSpacing", "w:numPr"):
            for el in ppr.findall(qn(tag)):
                ppr.remove(el)
        return
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.line_spacing = Pt(LINE_PT)
    pf.first_line_indent = INDENT


def _setup_defaults(doc: DocxDocument) -> None:
    """Replace theme fonts in docDefaults with ours and mark the East-Asian language as Chinese."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _strip_theme_fonts(rpr)
    rfonts = rpr.find(qn("w:rFonts"))
    for attr, value in (("w:ascii", LATIN), ("w:hAnsi", LATIN), ("w:eastAsia", BODY_FONT), ("w:cs", LATIN)):
        rfonts.set(qn(attr), value)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def _strip_theme_fonts(rpr: BaseOxmlElement) -> None:
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is not None:
        for attr in _THEME_ATTRS:
            rfonts.attrib.pop(qn(attr), None)


def _add_page_numbers(doc: DocxDocument) -> None:
    """ "— 1 —" page numbers: odd pages at the right, even pages at the left, one character in."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        para = footer.paragraphs[0]
        para.style = doc.styles["Footer"]
        para.alignment = align
        para.paragraph_format.first_line_indent = Pt(0)
        para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        para.paragraph_format.right_indent = Pt(PAGE_PT) if align == WD_ALIGN_PARAGRAPH.RIGHT else Pt(0)
        para.paragraph_format.left_indent = Pt(PAGE_PT) if align == WD_ALIGN_PARAGRAPH.LEFT else Pt(0)
        _page_field(para)


def _page_field(para: Paragraph) -> None:
    def run(text: str = "") -> BaseOxmlElement:
        r = para.add_run(text)
        r.font.size = Pt(PAGE_PT)
        _set_run_font(r._element, PAGE_FONT, PAGE_FONT)
        return r._element

    run("— ")
    for fld in ("begin", "instr", "separate", "1", "end"):
        if fld == "1":
            run("1")
            continue
        el = OxmlElement("w:instrText" if fld == "instr" else "w:fldChar")
        if fld == "instr":
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el.set(qn("w:fldCharType"), fld)
        run().append(el)
    run(" —")


def _set_properties(doc: DocxDocument, title: str) -> None:
    props = doc.core_properties
    props.title = clean(title)[:255]
    props.author = props.last_modified_by = "思政助手"
    props.comments = props.subject = props.keywords = ""
