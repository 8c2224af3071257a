"""Document loaders: the format is sniffed from the bytes (the extension is only a hint), then one
small module per format reads it.

``load(path)`` returns a :class:`~sizheng_bot.types.Document` or raises
:class:`~sizheng_bot.errors.LoadError` (``UnsupportedFormatError`` for formats we do not read) whose
``str()`` is a one-line Chinese message naming the file, the reason and what to do. A file whose
extension lies (a .doc named .docx) is read by its real format and ``Document.note`` says so.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from sizheng_bot.config import SUPPORTED_EXTENSIONS
from sizheng_bot.errors import LoadError, UnsupportedFormatError
from sizheng_bot.ingest.loaders.detect import EXT_KIND, KIND_LABEL, sniff
from sizheng_bot.ingest.loaders.docx import load_docx
from sizheng_bot.ingest.loaders.html import load_html
from sizheng_bot.ingest.loaders.legacy import TARGETS, load_converted
from sizheng_bot.ingest.loaders.ocr import load_image
from sizheng_bot.ingest.loaders.ofd import load_ofd
from sizheng_bot.ingest.loaders.options import DEFAULT_OPTIONS, LoadOptions
from sizheng_bot.ingest.loaders.pdf import load_pdf
from sizheng_bot.ingest.loaders.sheet import load_xlsx
from sizheng_bot.ingest.loaders.slides import load_pptx
from sizheng_bot.ingest.loaders.text import load_md, load_txt
from sizheng_bot.types import Document

__all__ = ["SUPPORTED", "LoadOptions", "is_supported", "load", "load_bytes", "sniff"]

log = logging.getLogger(__name__)

SUPPORTED: tuple[str, ...] = SUPPORTED_EXTENSIONS

_Loader = Callable[[bytes, str, LoadOptions], Document]
_LOADERS: dict[str, _Loader] = {
    "txt": lambda d, s, o: load_txt(d, s),
    "md": lambda d, s, o: load_md(d, s),
    "html": lambda d, s, o: load_html(d, s),
    "pdf": load_pdf,
    "docx": load_docx,
    "xlsx": load_xlsx,
    "pptx": load_pptx,
    "ofd": load_ofd,
    "image": load_image,
}

_UNSUPPORTED_HINTS: dict[str, str] = {
    ".caj": "请用 CAJViewer 另存为 PDF 后再上传",
    **dict.fromkeys((".zip", ".rar", ".7z"), "请先解压，再上传其中的文档"),
}
_SUPPORTED_TEXT = "、".join(SUPPORTED)
_TEXT_KINDS = {"txt", "md", "html"}


# bump when any loader's output changes (text, structure, pages): documents are then re-read on ingest
LOADER_VERSION = 3

def is_supported(path: str | Path) -> bool:
    return Path(path).suffix.lower() in SUPPORTED


def _unsupported(ext: str, source: str, kind: str = "") -> UnsupportedFormatError:
    if kind in ("zip", "ole"):
        return UnsupportedFormatError(
            source,
            f"这是{KIND_LABEL[kind]}，但不是可识别的文档格式",
            "请先解压或用原程序另存为 .docx/.xlsx/.pdf 后再上传",
        )
    if not ext:
        return UnsupportedFormatError(
            source, "文件名没有扩展名，无法识别格式", f"请另存为 {_SUPPORTED_TEXT} 之一后再上传"
        )
    hint = _UNSUPPORTED_HINTS.get(ext, f"请另存为 .docx、.pdf 或 .txt 后再上传（支持 {_SUPPORTED_TEXT}）")
    return UnsupportedFormatError(source, f"暂不支持 {ext} 格式", hint)


def _kind_for(data: bytes, ext: str, source: str) -> str:
    kind = sniff(data, ext)
    if kind == "encrypted":
        raise LoadError(
            source, "文件设有打开密码（已加密），无法读取", "请用原程序输入密码、取消加密后另存，再上传"
        )
    claimed = EXT_KIND.get(ext)
    if kind in (*_TEXT_KINDS, "") and claimed is not None and claimed not in _TEXT_KINDS:
        if claimed == "pdf":
            return "pdf"  # the PDF loader names what is wrong (no header, truncated…)
        raise LoadError(
            source,
            f"文件内容不是有效的{KIND_LABEL.get(claimed, ext)}文件（可能已损坏，或只是改了扩展名）",
            f"请用原程序打开后另存为 {ext} 或 .pdf 再上传",
        )
    if kind in _TEXT_KINDS and ext not in SUPPORTED:
        raise _unsupported(ext, source)  # unknown extension holding text: not a document we know
    if kind in ("", "zip", "ole"):
        if ext in SUPPORTED and EXT_KIND.get(ext) in _TEXT_KINDS and kind == "":
            return "txt"  # let the text loader give its precise encoding error
        raise _unsupported(ext, source, kind)
    return kind


def _mismatch_note(ext: str, kind: str) -> str:
    claimed = EXT_KIND.get(ext)
    if claimed is None or claimed == kind or (claimed in _TEXT_KINDS and kind in _TEXT_KINDS):
        return ""
    return f"文件扩展名为 {ext}，但内容实际是{KIND_LABEL.get(kind, kind)}格式，已按实际格式读取"


def load_bytes(
    data: bytes, source: str, ext: str | None = None, options: LoadOptions | None = None
) -> Document:
    """Parse already-read bytes (e.g. an upload); ``ext`` (or ``source``'s extension) is a hint."""
    opt = options or DEFAULT_OPTIONS
    ext = (ext if ext is not None else Path(source).suffix).lower()
    kind = _kind_for(data, ext, source)
    if kind in _TEXT_KINDS and EXT_KIND.get(ext) in _TEXT_KINDS:
        kind = EXT_KIND[ext] if ext in (".md", ".markdown", ".html", ".htm") else kind
    try:
        if kind in TARGETS:
            doc = load_converted(data, source, kind, ext, opt)
        else:
            doc = _LOADERS[kind](data, source, opt)
    except LoadError:
        raise
    except Exception as exc:  # a parser bug on odd input must not escape as a raw exception
        log.exception("unexpected error while loading %s", source)
        raise LoadError(source, "文件内容无法解析", "文件可能已损坏，请用原程序重新另存后再上传") from exc
    doc.file_hash = hashlib.sha256(data).hexdigest()
    doc.title = doc.title.strip() or Path(source).stem
    doc.note = _mismatch_note(ext, kind)
    if doc.note:
        log.info("%s: %s", source, doc.note)
    return doc


def load(path: str | Path, source: str | None = None, options: LoadOptions | None = None) -> Document:
    """Load one file. ``source`` (the name shown in citations) defaults to the file name."""
    path = Path(path)
    source = source or path.name
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
    doc = load_bytes(data, source, path.suffix, options)
    doc.path = str(path)
    return doc
