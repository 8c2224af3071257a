"""PowerPoint export for a 微党课 (or any result): 16:9, readable on a projector.

Slides: a title slide (title, 授课对象/时长 lines as subtitle), one slide per ``##`` part (continued on
"（续）" slides after five points), a highlighted slide for 互动/讨论 parts, a closing slide for 结语, and a
sources slide built from the citations. A slide shows each point's key sentence (about 40 characters,
cut only at a sentence or clause boundary, "……" marking a cut); the whole text of every point and the
passages it cites go into that slide's speaker notes, so nothing is lost. The mode note ("离线摘编模式…")
is in the title slide's notes, not on the screen.
"""

from __future__ import annotations

import io
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.presentation import Presentation as PptxPresentation
from pptx.slide import Slide
from pptx.text.text import TextFrame, _Paragraph, _Run
from pptx.util import Emu, Inches, Pt

from sizheng_bot.export.parse import (
    Node,
    citation_line,
    clean,
    display_width,
    heading_text,
    inline_runs,
    outline,
    plain,
    resolve_title,
    split_text,
    write_bytes,
)
from sizheng_bot.export.slidetext import Item, point, short_citation, slide_notes
from sizheng_bot.export.sources import body_nodes
from sizheng_bot.types import Citation, Result

log = logging.getLogger(__name__)

FONT = "微软雅黑"
RED, GOLD, PALE = RGBColor(0xA8, 0x10, 0x10), RGBColor(0xFF, 0xE7, 0xA0), RGBColor(0xFF, 0xF5, 0xE1)
WHITE, DARK = RGBColor(255, 255, 255), RGBColor(0x26, 0x26, 0x26)
SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.6)
BODY_TOP, BODY_H = Inches(1.65), Inches(5.4)
INSET_PT = 7.2 * 2  # python-pptx default left+right inset (0.1 in each)
MAX_ITEMS = 5
MAX_ITEM_LINES = 4
SUBTITLE_KEYS = re.compile(r"^(副标题|(授课)?对象|(授课)?时长|主讲人?|授课人|(活动)?时间|(活动)?地点)[：:]")


@dataclass(frozen=True)
class Look:
    size: int  # level-0 font size in pt
    color: RGBColor = DARK
    background: RGBColor | None = None
    fill: RGBColor | None = None
    title_color: RGBColor = RED


CONTENT = Look(24)
DISCUSSION = Look(28, fill=PALE)
CLOSING = Look(26, color=WHITE, background=RED, title_color=GOLD)
SOURCES = Look(20)


def build_pptx(result: Result, title: str | None = None) -> PptxPresentation:
    nodes = body_nodes(result)
    shape = outline(nodes)
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    deck_title = resolve_title(result, nodes, title)
    subtitle, note, rest = _title_parts(shape.preface)
    _title_slide(prs, deck_title, subtitle, note)
    cites = {c.n: c for c in result.citations}
    if rest:
        _content_slides(prs, "概述", _items(rest), CONTENT, cites)
    for heading, part in shape.parts:
        _content_slides(prs, heading_text(heading), _items(part), _look_for(heading), cites)
    if result.citations:
        items = [_line(short_citation(c)) for c in result.citations]
        notes = "\n\n".join(f"{citation_line(c)}\n{c.quote}" for c in result.citations)
        _content_slides(prs, "参考来源", items, SOURCES, notes=notes)
    props = prs.core_properties
    props.title, props.author, props.last_modified_by = clean(deck_title)[:255], "思政助手", "思政助手"
    return prs


def pptx_bytes(result: Result, title: str | None = None) -> bytes:
    buf = io.BytesIO()
    build_pptx(result, title).save(buf)
    return buf.getvalue()


def write_pptx(result: Result, path: str | Path, title: str | None = None) -> Path:
    """Write ``result`` as a .pptx file; errors writing the file raise SizhengError (Chinese message)."""
    target = write_bytes(pptx_bytes(result, title), path)
    log.info("pptx written: %s", target)
    return target


# --- structure ---------------------------------------------------------------------------------


def _look_for(heading: str) -> Look:
    if "互动" in heading or "讨论" in heading:
        return DISCUSSION
    return CLOSING if "结语" in heading or "结束语" in heading else CONTENT


def _title_parts(preface: list[Node]) -> tuple[list[str], str, list[Node]]:
    """Split the preface into subtitle lines (授课对象/时长…), a short mode note, and the rest."""
    subtitle: list[str] = []
    note = ""
    rest: list[Node] = []
    for node in preface:
        text = node.plain
        short = _lines(text, 24, _body_w()) == 1
        if node.kind == "para" and SUBTITLE_KEYS.match(text) and len(subtitle) < 3 and short:
            subtitle.append(re.sub(r"^副标题[：:]\s*", "", text))
        elif node.kind == "quote" and not note and _lines(text, 20, _body_w()) <= 2:
            note = text
        else:
            rest.append(node)
    return subtitle, note, rest


def _items(nodes: list[Node]) -> list[Item]:
    items: list[Item] = []
    depth = 0  # 1 once a ### sub-heading opened a group
    for node in nodes:
        if node.kind in ("h2", "h3"):
            items.append(Item(heading_text(node.text), 0, bullet=False, bold=True))
            depth = 1
        elif node.kind == "bullet":
            items.append(point(node.text, min(node.level + depth, 2), True))
        elif node.kind == "number":
            items.append(point(f"{node.marker} {node.text}", depth, False))
        else:
            items.append(point(node.text, depth, False))
    return items


# --- measuring and paging ----------------------------------------------------------------------


def _size(look: Look, level: int) -> int:
    return look.size - 2 if level else look.size


def _indent_pt(level: int, size: int) -> float:
    return level * size * 1.5 + size * 1.1


def _chars_per_line(size: float, width: int, indent_pt: float = 0.0) -> float:
    return max(1.0, (Emu(width).pt - INSET_PT - indent_pt) / size)


def _item_height(item: Item, look: Look) -> float:
    size = _size(look, item.level)
    return _lines(plain(item.text), size, _body_w(), _indent_pt(item.level, size)) * size * 1.2 + size * 0.4


def _lines(text: str, size: float, width: int, indent_pt: float = 0.0) -> int:
    return max(1, math.ceil(display_width(text) / _chars_per_line(size, width, indent_pt)))


def _body_w() -> int:
    return int(SLIDE_W - 2 * MARGIN)


def _split_long(items: list[Item], look: Look) -> list[Item]:
    out: list[Item] = []
    for item in items:
        size = _size(look, item.level)
        cap = MAX_ITEM_LINES * _chars_per_line(size, _body_w(), _indent_pt(item.level, size))
        pieces = split_text(plain(item.text), cap) if display_width(plain(item.text)) > cap else [item.text]
        out.append(Item(pieces[0], item.level, item.bullet, item.bold, full=item.full))
        out.extend(Item(p, item.level, False, item.bold, hang=item.bullet or item.hang) for p in pieces[1:])
    return out


def paginate(items: list[Item], look: Look) -> list[list[Item]]:
    """Group items into slides of at most MAX_ITEMS that fit the body box height."""
    budget = Emu(BODY_H).pt * 0.9 - 7.2
    pages: list[list[Item]] = [[]]
    used = 0.0
    for item in _split_long(items, look):
        height = _item_height(item, look)
        if pages[-1] and (len(pages[-1]) >= MAX_ITEMS or used + height > budget):
            pages.append([])
            used = 0.0
        pages[-1].append(item)
        used += height
    return pages


# --- drawing -----------------------------------------------------------------------------------


def _title_slide(prs: PptxPresentation, title: str, subtitle: list[str], note: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    _background(slide, RED)
    main, dash, sub = clean(title).partition("——")
    if not (dash and main.strip() and sub.strip()):
        main, sub = clean(title), ""
    lines = ([f"——{sub.strip()}"] if sub else []) + [clean(s) for s in subtitle]
    width = int(SLIDE_W - 2 * Inches(0.8))
    size = _fit_size(main, width, 3, (40, 36, 32, 28))
    _place(slide.shapes.title, Inches(0.8), Inches(1.2), width, Inches(2.4))
    _fill_frame(slide.shapes.title.text_frame, [_line(main, bold=True)], size, WHITE, PP_ALIGN.CENTER)
    sub_box = slide.placeholders[1]
    if lines:
        _place(sub_box, Inches(0.8), Inches(3.75), width, Inches(2.25))
        sub_size = 24 if sum(_lines(x, 24, width) for x in lines) <= 3 else 20
        _fill_frame(sub_box.text_frame, [_line(x) for x in lines], sub_size, GOLD, PP_ALIGN.CENTER)
    else:  # an empty placeholder would show "单击此处添加副标题" while editing
        sub_box._element.getparent().remove(sub_box._element)
    if note:  # the mode note is for the speaker, not for the class
        slide.notes_slide.notes_text_frame.text = clean(note)


def _content_slides(
    prs: PptxPresentation,
    title: str,
    items: list[Item],
    look: Look,
    cites: dict[int, Citation] | None = None,
    notes: str = "",
) -> None:
    width = _body_w()
    for i, page in enumerate(paginate(items, look)):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        if look.background is not None:
            _background(slide, look.background)
        text = clean(title) + ("（续）" if i else "")
        _place(slide.shapes.title, MARGIN, Inches(0.3), width, Inches(1.15))
        size = _fit_size(text, width, 2, (32, 28, 24))
        _fill_frame(slide.shapes.title.text_frame, [_line(text, bold=True)], size, look.title_color)
        bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, MARGIN, Inches(1.47), width, Inches(0.06))
        bar.fill.solid()
        bar.fill.fore_color.rgb = look.title_color
        bar.line.fill.background()
        height: int = BODY_H
        if look.fill is not None:  # a tinted box as tall as its text
            height = min(BODY_H, Pt(sum(_item_height(it, look) for it in page) + 36))
        box = slide.shapes.add_textbox(MARGIN, BODY_TOP, width, height)
        if look.fill is not None:
            box.fill.solid()
            box.fill.fore_color.rgb = look.fill
        _fill_frame(box.text_frame, page, look.size, look.color, anchor=MSO_ANCHOR.TOP)
        text_notes = notes or slide_notes(page, cites or {})
        if text_notes:
            slide.notes_slide.notes_text_frame.text = clean(text_notes)


def _line(text: str, bold: bool = False) -> Item:
    return Item(text, bullet=False, bold=bold)


def _fit_size(text: str, width: int, max_lines: int, sizes: tuple[int, ...]) -> int:
    """The largest size at which ``text`` takes at most ``max_lines`` lines (else the smallest)."""
    return next((s for s in sizes if _lines(text, s, width) <= max_lines), sizes[-1])


def _place(shape: object, left: int, top: int, width: int, height: int) -> None:
    shape.left, shape.top, shape.width, shape.height = left, top, width, height  # type: ignore[attr-defined]


def _background(slide: Slide, color: RGBColor) -> None:
    slide.background.fill.solid()
    slide.background.fill.fore_color.rgb = color


def _fill_frame(
    tf: TextFrame,
    items: list[Item],
    size: int,
    color: RGBColor,
    align: PP_ALIGN = PP_ALIGN.LEFT,
    anchor: MSO_ANCHOR = MSO_ANCHOR.MIDDLE,
) -> None:
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # safety net only: paging already keeps text inside
    tf.vertical_anchor = anchor
    for i, item in enumerate(items):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        level_size = size - 2 if item.level else size
        para.alignment = align
        para.space_before = Pt(level_size * 0.4 if i else 0)
        _bullet(para, item, level_size)
        for chunk, strong in inline_runs(clean(item.text)):
            _style_run(para.add_run(), chunk, level_size, item.bold or strong, color)


def _bullet(para: _Paragraph, item: Item, size: int) -> None:
    ppr = para._p.get_or_add_pPr()
    hanging = Pt(size * 1.1) if item.bullet or item.hang else 0
    ppr.set("marL", str(int(Pt(item.level * size * 1.5) + hanging)))
    ppr.set("indent", str(-int(hanging) if item.bullet else 0))
    if not item.bullet:
        ppr.append(OxmlElement("a:buNone"))
        return
    font = OxmlElement("a:buFont")
    font.set("typeface", "Arial")
    char = OxmlElement("a:buChar")
    char.set("char", "•" if item.level == 0 else "–")
    ppr.append(font)
    ppr.append(char)


def _style_run(run: _Run, text: str, size: int, bold: bool, color: RGBColor) -> None:
    run.text = text
    font = run.font
    font.size, font.bold, font.name = Pt(size), bold, FONT
    font.color.rgb = color
    rpr = run._r.get_or_add_rPr()
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = OxmlElement("a:ea")
        rpr.find(qn("a:latin")).addnext(ea)
    ea.set("typeface", FONT)
