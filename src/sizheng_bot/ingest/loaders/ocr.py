"""Offline OCR (RapidOCR: PP-OCRv4 Chinese models shipped inside its wheel, run by onnxruntime).

Used for PDF pages without a text layer, for images, and for picture-only slide decks. Page by page,
with progress, within a per-document time budget; every OCR block is marked so that citations say
第N页（OCR）. The engine is created on first use and reused (model load ≈0.4 s).
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from sizheng_bot.errors import LoadError
from sizheng_bot.ingest.loaders.options import DEFAULT_OPTIONS, LoadOptions
from sizheng_bot.types import Block, Document

log = logging.getLogger(__name__)

DET_SIDE = 1600  # longest side the text detector sees; larger is slower and rarely better at 150–300 dpi
_MAX_PIXELS = 60_000_000
_engine: Any = None
_lock = threading.Lock()


def _get_engine(source: str) -> Any:
    global _engine
    with _lock:
        if _engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:
                raise LoadError(
                    source,
                    "需要 OCR 文字识别，但本机未安装 OCR 组件",
                    "请运行 pip install rapidocr-onnxruntime 后重试",
                ) from exc
            _engine = RapidOCR(det_limit_type="max", det_limit_side_len=DET_SIDE)
        return _engine


def _lines(result: list[Any]) -> list[str]:
    """RapidOCR boxes → text lines in reading order (top to bottom, left to right in a line)."""
    items = []
    for box, text, _score in result or []:
        ys = [p[1] for p in box]
        xs = [p[0] for p in box]
        items.append((min(ys), max(ys), min(xs), str(text)))
    items.sort(key=lambda t: (t[0] + t[1]) / 2)
    rows: list[list[tuple[float, float, float, str]]] = []
    for it in items:
        if rows:
            top, bottom = rows[-1][0][0], rows[-1][0][1]
            centre = (it[0] + it[1]) / 2
            if top <= centre <= bottom:
                rows[-1].append(it)
                continue
        rows.append([it])
    return [" ".join(t[3] for t in sorted(row, key=lambda t: t[2])).strip() for row in rows]


def ocr_array(image: Any, source: str) -> str:
    """OCR one RGB image (PIL image or numpy array) → text with line breaks."""
    import numpy as np

    engine = _get_engine(source)
    arr = np.asarray(image.convert("RGB")) if hasattr(image, "convert") else image
    result, _elapsed = engine(arr)
    return "\n".join(line for line in _lines(result or []) if line)


def _blank(image: Any) -> bool:
    """A page of one flat colour (a blank scan page) holds no text: skip the detector."""
    from PIL import ImageStat

    if not hasattr(image, "convert"):
        return False
    small = image.convert("L").resize((max(1, image.width // 8), max(1, image.height // 8)))
    return max(ImageStat.Stat(small).stddev) < 2.0


class _Budget:
    def __init__(self, source: str, total: int, opt: LoadOptions) -> None:
        self.source, self.total, self.opt = source, total, opt
        self.t0 = time.monotonic()
        self.done = 0

    def expired(self) -> bool:
        return time.monotonic() - self.t0 > self.opt.ocr_seconds_per_doc

    def tick(self) -> None:
        self.done += 1
        if self.opt.progress:
            self.opt.progress(self.done, self.total, f"{self.source}（OCR 第 {self.done}/{self.total} 页）")


def _run(pages: Iterable[tuple[int, Any]], total: int, source: str, opt: LoadOptions) -> list[Block]:
    budget = _Budget(source, total, opt)
    blocks: list[Block] = []
    for number, render in pages:
        if budget.expired():
            log.warning("%s: OCR time budget (%.0f s) used up after %d of %d pages", source,
                        opt.ocr_seconds_per_doc, budget.done, total)  # fmt: skip
            if not blocks:
                raise LoadError(
                    source, f"OCR 文字识别超出时间上限（{opt.ocr_seconds_per_doc:.0f} 秒）",
                    "请拆分文件或调大 SIZHENG_OCR_SECONDS_PER_DOC 后重试",
                )  # fmt: skip
            break
        image = render()
        text = "" if _blank(image) else ocr_array(image, source)
        if text.strip():
            blocks.append(Block(text, page=number))
        budget.tick()
    return blocks


def ocr_pdf_pages(
    data: bytes, numbers: list[int], source: str, opt: LoadOptions | None = None
) -> list[Block]:
    """OCR the given 1-based pages of a PDF, rendered at ``opt.ocr_dpi``."""
    opt = opt or DEFAULT_OPTIONS
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:
        raise LoadError(
            source, "扫描件需要 OCR，但本机缺少 PDF 渲染组件", "请运行 pip install pypdfium2 后重试"
        ) from exc
    pdf = pdfium.PdfDocument(data)
    numbers = numbers[: opt.ocr_max_pages]
    scale = opt.ocr_dpi / 72

    def page(n: int) -> Any:
        def render() -> Any:
            return pdf[n - 1].render(scale=scale).to_pil()

        return render

    try:
        return _run(((n, page(n)) for n in numbers), len(numbers), source, opt)
    finally:
        pdf.close()


def _open_image(blob: bytes, source: str) -> Any:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = _MAX_PIXELS
    try:
        img = Image.open(io.BytesIO(blob))
        img.load()
    except Exception as exc:  # PIL raises many types, DecompressionBombError included
        raise LoadError(
            source,
            "图片已损坏或过大，无法读取，也就无法做 OCR 文字识别",
            "请另存为常见的 JPG/PNG 图片后再上传",
        ) from exc
    return ImageOps.exif_transpose(img)


def _frames(img: Any) -> Iterable[Any]:
    for i in range(getattr(img, "n_frames", 1)):  # multi-page TIFF: one page per frame
        img.seek(i)
        yield img.copy()


def ocr_images(images: list[tuple[int, bytes]], source: str, opt: LoadOptions | None = None) -> list[Block]:
    opt = opt or DEFAULT_OPTIONS
    items = [(n, (lambda b=blob: _open_image(b, source))) for n, blob in images[: opt.ocr_max_pages]]
    return _run(items, len(items), source, opt)


def load_image(data: bytes, source: str, options: LoadOptions | None = None) -> Document:
    opt = options or DEFAULT_OPTIONS
    if not opt.ocr_enabled:
        raise LoadError(
            source,
            "图片需要 OCR 文字识别，但 OCR 已关闭",
            "请设置 SIZHENG_OCR_ENABLED=true，或上传含文字层的文件",
        )
    img = _open_image(data, source)
    frames = list(_frames(img))[: opt.ocr_max_pages]
    blocks = _run(((i, (lambda f=f: f)) for i, f in enumerate(frames, 1)), len(frames), source, opt)
    if not blocks:
        raise LoadError(source, "图片中没有识别出文字", "请确认图片清晰、方向正确，或上传含文字的文件")
    doc = Document(source=source, title="", blocks=blocks, format="image")
    doc.ocr_pages = [b.page for b in blocks if b.page is not None]
    return doc
