"""PowerPoint .pptx via python-pptx: per slide its title, text frames, tables and speaker notes.

The slide number is the block's page. A deck whose slides carry no text at all (pictures only) is
refused with a clear reason, or read by OCR when enabled (see ocr.py).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

from sizheng_bot.errors import LoadError
from sizheng_bot.ingest.loaders.options import DEFAULT_OPTIONS, LoadOptions
from sizheng_bot.ingest.loaders.zipguard import open_zip
from sizheng_bot.types import Block, Document

log = logging.getLogger(__name__)

_HINT = "请用 PowerPoint/WPS 打开后另存为 .pptx 或 PDF 再上传"


def _shape_texts(shapes: Any) -> Iterator[str]:
    for shape in shapes:
        if getattr(shape, "shape_type", None) == 6 and hasattr(shape, "shapes"):  # group
            yield from _shape_texts(shape.shapes)
            continue
        if getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                cells = [" ".join(c.text.split()) for c in row.cells]
                if any(cells):
                    yield " | ".join(cells)
            continue
        if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            text = "\n".join(p.text.strip() for p in shape.text_frame.paragraphs if p.text.strip())
            if text:
                yield text


def _pictures(shapes: Any) -> Iterator[bytes]:
    for shape in shapes:
        if hasattr(shape, "shapes") and getattr(shape, "shape_type", None) == 6:
            yield from _pictures(shape.shapes)
        elif getattr(shape, "shape_type", None) == 13:  # picture
            try:
                yield shape.image.blob
            except Exception:
                continue


def load_pptx(data: bytes, source: str, options: LoadOptions | None = None) -> Document:
    from pptx import Presentation

    opt = options or DEFAULT_OPTIONS
    open_zip(data, source, opt)
    try:
        prs = Presentation(io.BytesIO(data))
    except Exception as exc:
        log.info("pptx open failed for %s: %r", source, exc)
        raise LoadError(source, "演示文稿已损坏或不是有效的 .pptx 文件", _HINT) from exc
    blocks: list[Block] = []
    title = ""
    images: list[tuple[int, bytes]] = []
    for number, slide in enumerate(prs.slides, 1):
        title_shape = slide.shapes.title
        slide_title = (
            title_shape.text.strip() if title_shape is not None and title_shape.has_text_frame else ""
        )
        if slide_title:
            blocks.append(Block(" ".join(slide_title.split()), page=number, level=1))
            title = title or " ".join(slide_title.split())
        title_id = title_shape.shape_id if title_shape is not None else None
        for text in _shape_texts(s for s in slide.shapes if s.shape_id != title_id):
            blocks.append(Block(text, page=number))
        if slide.has_notes_slide:
            notes = (
                slide.notes_slide.notes_text_frame.text.strip() if slide.notes_slide.notes_text_frame else ""
            )
            if notes:
                blocks.append(Block("备注：" + notes, page=number))
        images.extend((number, blob) for blob in _pictures(slide.shapes))
    ocr_used = False
    if not blocks and opt.ocr_enabled and images:
        from sizheng_bot.ingest.loaders.ocr import ocr_images

        blocks, ocr_used = ocr_images(images, source, opt), True
    if not blocks:
        reason = f"演示文稿共 {len(prs.slides)} 页，只有图片或背景，没有可提取的文字"
        if images and not opt.ocr_enabled:
            reason += "（OCR 文字识别已关闭）"
        raise LoadError(source, reason, "如需检索其中内容，请开启 OCR，或把文字内容整理成 Word/文本后上传")
    doc = Document(source=source, title=title, blocks=blocks, format="pptx")
    if ocr_used:
        doc.ocr_pages = sorted({b.page for b in blocks if b.page is not None})
    return doc
