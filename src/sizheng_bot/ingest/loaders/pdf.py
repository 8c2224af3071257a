"""PDF via pypdf: one block per page, with clear errors for encrypted, scanned and garbled files."""

from __future__ import annotations

import io
import logging
import re
from typing import TYPE_CHECKING

from sizheng_bot.errors import LoadError
from sizheng_bot.ingest.loaders.options import DEFAULT_OPTIONS, LoadOptions
from sizheng_bot.ingest.loaders.text import first_title_line
from sizheng_bot.types import Block, Document

if TYPE_CHECKING:
    from pypdf import PdfReader

log = logging.getLogger(__name__)

_GARBLED = re.compile(r"[\ufffd\ue000-\uf8ff\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_WS = re.compile(r"\s+")
_FILE_NAME_TITLE = re.compile(r"(?i)^(microsoft\s+\w+\s*-|untitled|无标题)|\.(docx?|wps|pdf|txt)$")

_CORRUPT_HINT = "请重新导出或重新下载完整的 PDF 后再上传"
_OCR_HINT = "这通常是扫描件或图片型 PDF：请开启 OCR 文字识别（SIZHENG_OCR_ENABLED=true），或用原始 Word 文件另存为 PDF 后再上传"


def _open(data: bytes, source: str) -> PdfReader:
    from pypdf import PdfReader  # noqa: F811 - imported lazily: keeps `import sizheng_bot.loaders` cheap

    if b"%PDF-" not in data[:1024]:  # the header may follow a little junk
        raise LoadError(source, "不是有效的 PDF 文件，缺少 PDF 文件头", _CORRUPT_HINT)
    try:
        reader = PdfReader(io.BytesIO(data))
    except Exception as exc:  # pypdf raises many types on malformed input
        log.info("pdf open failed for %s: %r", source, exc)
        raise LoadError(source, "PDF 文件已损坏或不完整，无法解析", _CORRUPT_HINT) from exc
    if reader.is_encrypted:
        _decrypt(reader, source)
    return reader


def _decrypt(reader: PdfReader, source: str) -> None:
    try:
        ok = reader.decrypt("")
    except Exception as exc:  # e.g. DependencyError for AES without cryptography
        log.info("pdf decrypt failed for %s: %r", source, exc)
        raise LoadError(
            source, "PDF 使用了无法处理的加密方式", "请在 PDF 阅读器中取消加密后另存，再上传"
        ) from exc
    if not ok:
        raise LoadError(
            source, "PDF 已加密，需要密码才能打开", "请用 PDF 阅读器输入密码后去除密码另存，再上传"
        )


def _page_texts(reader: PdfReader, source: str) -> list[str]:
    texts: list[str] = []
    failures = 0
    try:
        pages = list(reader.pages)
    except Exception as exc:
        raise LoadError(source, "PDF 页面结构已损坏，无法读取", _CORRUPT_HINT) from exc
    for number, page in enumerate(pages, 1):
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:
            failures += 1
            log.warning("%s: page %d text extraction failed: %r", source, number, exc)
            texts.append("")
    if pages and failures == len(pages):
        raise LoadError(source, "PDF 内容已损坏，所有页面都无法提取文字", _CORRUPT_HINT)
    return texts


def _check_text(texts: list[str], source: str, ocr_tried: bool = False) -> None:
    visible = _WS.sub("", "".join(texts))
    if not visible and ocr_tried:
        raise LoadError(
            source,
            "PDF 中没有文字层，OCR 文字识别也没有识别出文字",
            "请确认扫描件清晰、方向正确，或用原始文件另存为 PDF 后再上传",
        )
    if not visible:
        raise LoadError(source, "PDF 中没有可提取的文字层", _OCR_HINT)
    if len(_GARBLED.findall(visible)) > len(visible) * 0.2:
        raise LoadError(
            source,
            "PDF 提取出的文字是乱码，字体缺少文字编码映射",
            "请用原始 Word 文件重新导出 PDF，或先做 OCR 文字识别后再上传",
        )
    empty = sum(1 for t in texts if not t.strip())
    if empty:
        log.warning("%s: %d of %d pages have no text layer", source, empty, len(texts))


def _meta_title(reader: PdfReader) -> str:
    try:
        meta = reader.metadata
        title = str(meta.get("/Title") or "").strip() if meta else ""
    except Exception:
        return ""
    if title and not _FILE_NAME_TITLE.search(title) and re.search(r"[\u4e00-\u9fff]{2}|[A-Za-z]{3}", title):
        return title
    return ""


def _ocr_missing(data: bytes, texts: list[str], source: str, opt: LoadOptions) -> list[int]:
    """OCR the pages without a usable text layer (none, or garbled fonts) in place; return their numbers."""
    from sizheng_bot.ingest.loaders.ocr import ocr_pdf_pages

    def unusable(t: str) -> bool:
        visible = _WS.sub("", t)
        return not visible or len(_GARBLED.findall(visible)) > len(visible) * 0.2

    empty = [n for n, t in enumerate(texts, 1) if unusable(t)]
    if not empty:
        return []
    done = []
    for block in ocr_pdf_pages(data, empty, source, opt):
        if block.page is not None:
            texts[block.page - 1] = block.text
            done.append(block.page)
    return done


def load_pdf(data: bytes, source: str, options: LoadOptions | None = None) -> Document:
    opt = options or DEFAULT_OPTIONS
    reader = _open(data, source)
    texts = _page_texts(reader, source)
    ocr_pages = _ocr_missing(data, texts, source, opt) if opt.ocr_enabled else []
    _check_text(texts, source, ocr_tried=opt.ocr_enabled)
    blocks = [Block(text, page=number) for number, text in enumerate(texts, 1) if text.strip()]
    title = _meta_title(reader) or first_title_line(blocks[0].text.split("\n"))
    return Document(source=source, title=title, blocks=blocks, format="pdf", ocr_pages=ocr_pages)
