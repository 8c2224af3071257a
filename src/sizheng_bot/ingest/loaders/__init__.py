"""Document loaders: one small module per format, dispatched by file extension.

``load(path)`` returns a :class:`~sizheng_bot.types.Document` or raises
:class:`~sizheng_bot.errors.LoadError` (``UnsupportedFormatError`` for formats we do not read) whose
``str()`` is a one-line Chinese message naming the file, the reason and what to do.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from sizheng_bot.config import SUPPORTED_EXTENSIONS
from sizheng_bot.errors import LoadError, UnsupportedFormatError
from sizheng_bot.ingest.loaders.docx import load_docx
from sizheng_bot.ingest.loaders.html import load_html
from sizheng_bot.ingest.loaders.pdf import load_pdf
from sizheng_bot.ingest.loaders.text import load_md, load_txt
from sizheng_bot.types import Document

__all__ = ["SUPPORTED", "is_supported", "load", "load_bytes"]

log = logging.getLogger(__name__)

SUPPORTED: tuple[str, ...] = SUPPORTED_EXTENSIONS

_LOADERS: dict[str, Callable[[bytes, str], Document]] = {
    ".txt": load_txt,
    ".md": load_md,
    ".markdown": load_md,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".html": load_html,
    ".htm": load_html,
}

_WORD_HINT = "请用 Word/WPS 另存为 .docx 或 .pdf 后再上传"
_IMAGE_HINT = "图片需要先做 OCR 文字识别，或另存为含文字的 PDF 后再上传"
_IMAGES = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic")
_UNSUPPORTED_HINTS: dict[str, str] = {
    **dict.fromkeys((".doc", ".wps", ".wpt", ".dot", ".dotx", ".docm", ".rtf", ".odt"), _WORD_HINT),
    ".ofd": "请用 OFD 阅读器（如数科阅读器）另存为 PDF 后再上传",
    ".caj": "请用 CAJViewer 另存为 PDF 后再上传",
    **dict.fromkeys(
        (".xls", ".xlsx", ".et", ".csv"), "请把表格内容复制到 Word 中另存为 .docx，或另存为 PDF 后再上传"
    ),
    **dict.fromkeys((".ppt", ".pptx", ".dps"), "请用 PowerPoint/WPS 另存为 PDF 后再上传"),
    **dict.fromkeys((".zip", ".rar", ".7z"), "请先解压，再上传其中的 .docx、.pdf 或 .txt 文件"),
}
_SUPPORTED_TEXT = "、".join(SUPPORTED)


def is_supported(path: str | Path) -> bool:
    return Path(path).suffix.lower() in _LOADERS


def _unsupported(ext: str, source: str) -> UnsupportedFormatError:
    if not ext:
        return UnsupportedFormatError(
            source, "文件名没有扩展名，无法识别格式", f"请另存为 {_SUPPORTED_TEXT} 之一后再上传"
        )
    if ext in _IMAGES:
        return UnsupportedFormatError(source, f"暂不支持 {ext} 图片格式", _IMAGE_HINT)
    hint = _UNSUPPORTED_HINTS.get(ext, f"请另存为 .docx、.pdf 或 .txt 后再上传（支持 {_SUPPORTED_TEXT}）")
    return UnsupportedFormatError(source, f"暂不支持 {ext} 格式", hint)


def load_bytes(data: bytes, source: str, ext: str | None = None) -> Document:
    """Parse already-read bytes (e.g. an upload); the format comes from ``ext`` or ``source``'s extension."""
    ext = (ext if ext is not None else Path(source).suffix).lower()
    loader = _LOADERS.get(ext)
    if loader is None:
        raise _unsupported(ext, source)
    try:
        doc = loader(data, source)
    except LoadError:
        raise
    except Exception as exc:  # a parser bug on odd input must not escape as a raw exception
        log.exception("unexpected error while loading %s", source)
        raise LoadError(source, "文件内容无法解析", "文件可能已损坏，请用原程序重新另存后再上传") from exc
    doc.file_hash = hashlib.sha256(data).hexdigest()
    doc.title = doc.title.strip() or Path(source).stem
    return doc


def load(path: str | Path, source: str | None = None) -> Document:
    """Load one file. ``source`` (the name shown in citations) defaults to the file name."""
    path = Path(path)
    source = source or path.name
    ext = path.suffix.lower()
    if ext not in _LOADERS:
        raise _unsupported(ext, source)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise LoadError(source, "文件不存在", "请检查文件路径是否正确") from exc
    except IsADirectoryError as exc:
        raise LoadError(source, "这是一个文件夹而不是文件", "请选择具体的文件") from exc
    except PermissionError as exc:
        raise LoadError(source, "没有读取该文件的权限", "请检查文件权限后重试") from exc
    except OSError as exc:
        log.info("cannot read %s: %r", path, exc)
        raise LoadError(source, "无法读取文件", "请确认文件没有被其他程序占用后重试") from exc
    doc = load_bytes(data, source, ext)
    doc.path = str(path)
    return doc
