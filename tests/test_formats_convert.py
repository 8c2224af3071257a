"""LibreOffice conversion and offline OCR on real files (a handful of tests, seconds each)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from sizheng_bot.errors import LoadError
from sizheng_bot.ingest.loaders import LoadOptions, load, load_bytes
from sizheng_bot.ingest.loaders import convert as convert_mod
from sizheng_bot.ingest.loaders.convert import convert, find_soffice

from conftest import ROOT, make_settings

REALDOCS = ROOT.parent / "shared" / "realdocs-dev"
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
needs_lo = pytest.mark.skipif(
    find_soffice() is None, reason="LibreOffice not installed (scripts/install_converters.sh)"
)
needs_font = pytest.mark.skipif(not FONT.exists(), reason="fonts-noto-cjk not installed")
PARAGRAPH = "机关党支部要把思想政治工作贯穿业务工作全过程"


def _numbered_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("支部学习安排")
    for text in ("学习党章党规。", "开展谈心谈话。", "组织主题党日。"):
        d.add_paragraph(text, style="List Number")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@needs_lo
def test_doc_named_docx_is_converted_keeping_automatic_numbering(tmp_path: Path) -> None:
    doc_bytes = convert(_numbered_docx(), "x.docx", ".docx", "doc", timeout=60)
    assert doc_bytes.startswith(b"\xd0\xcf\x11\xe0")
    f = tmp_path / "学习安排.docx"  # an old .doc whose extension lies
    f.write_bytes(doc_bytes)
    doc = load(f)
    assert doc.format == "doc" and "实际是" in doc.note and ".docx" in doc.note
    assert (
        "1.学习党章党规。" in doc.text and "3.组织主题党日。" in doc.text
    )  # numbers only the converter renders


@needs_lo
@pytest.mark.skipif(not REALDOCS.is_dir(), reason="shared/realdocs-dev not present")
def test_the_dev_wps_keeps_its_list_numbers() -> None:
    doc = load(REALDOCS / "formats" / "公文系统功能更新说明.wps")
    assert doc.format == "wps"
    assert "5、处理笺实现标题自动附加来文文号功能" in doc.text


@needs_lo
def test_converter_overrun_is_killed_and_refused() -> None:
    t0 = time.perf_counter()
    with pytest.raises(LoadError, match="超时"):
        convert(_numbered_docx(), "慢文件.doc", ".docx", "doc", timeout=0.2)
    assert time.perf_counter() - t0 < 10


def test_no_converter_refuses_naming_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(convert_mod, "_CANDIDATES", ("/nonexistent/soffice",))
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    with pytest.raises(LoadError) as exc:
        convert(ole, "旧表格.xls", ".xls", "xlsx", timeout=5)
    assert "旧表格.xls" in str(exc.value) and "libreoffice-calc-nogui" in str(exc.value)


# --- OCR -------------------------------------------------------------------------------------------


def _scan(text: str, dpi: int = 150) -> object:
    from PIL import Image, ImageDraw, ImageFont

    size = int(dpi * 0.2)  # ~14 pt
    img = Image.new("RGB", (int(dpi * 8), size * 4), "white")
    ImageDraw.Draw(img).text((size, size), text, font=ImageFont.truetype(str(FONT), size), fill="black")
    return img.rotate(0.8, fillcolor="white")


@needs_font
def test_image_is_read_by_ocr_page_by_page_with_progress(tmp_path: Path) -> None:
    f = tmp_path / "照片.png"
    _scan(PARAGRAPH).save(f)  # type: ignore[attr-defined]
    calls: list[tuple[int, int, str]] = []
    doc = load(f, options=LoadOptions(progress=lambda d, t, w: calls.append((d, t, w))))
    assert doc.format == "image" and doc.ocr_pages == [1]
    assert "思想政治工作" in doc.text
    assert calls == [(1, 1, "照片.png（OCR 第 1/1 页）")]


@needs_font
def test_scanned_pdf_text_comes_from_ocr_and_can_be_turned_off(tmp_path: Path) -> None:
    buf = io.BytesIO()
    pages = [_scan(PARAGRAPH), _scan("第二页：开展主题党日活动")]
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=150)  # type: ignore[attr-defined]
    data = buf.getvalue()
    doc = load_bytes(data, "扫描件.pdf", options=LoadOptions(ocr_dpi=150))
    assert doc.ocr_pages == [1, 2] and [b.page for b in doc.blocks] == [1, 2]
    assert "思想政治工作" in doc.blocks[0].text and "主题党日" in doc.blocks[1].text
    with pytest.raises(LoadError, match="OCR"):
        load_bytes(data, "扫描件.pdf", options=LoadOptions(ocr_enabled=False))
    with pytest.raises(LoadError, match="时间上限"):
        load_bytes(data, "扫描件.pdf", options=LoadOptions(ocr_seconds_per_doc=1e-9))


# --- the dev folder --------------------------------------------------------------------------------


@needs_lo
@pytest.mark.skipif(not REALDOCS.is_dir(), reason="shared/realdocs-dev not present")
def test_ingest_the_dev_folder(tmp_path: Path) -> None:
    from sizheng_bot.assistant import Assistant
    from sizheng_bot.ingest.driver import iter_files

    asst = Assistant.from_settings(make_settings(tmp_path / "data"))
    files = [f for f in iter_files([REALDOCS]) if f.suffix != ".md"]  # SOURCES.md is provenance, not corpus
    rep = asst.ingest(files)
    ok = [f for f in rep.files if f.status == "added"]
    assert len(files) == 25 and len(ok) >= 24, [f.error for f in rep.failed]
    hits = asst.search("计算机视觉与模式识别 郑南宁", 5)
    scan = [h for h in hits if h.source == "计算机视觉与模式识别（扫描封面）.pdf"]
    assert scan and scan[0].ocr and scan[0].page_label == "第1页（OCR）"


@needs_lo
def test_legacy_spreadsheet_and_slides_are_converted() -> None:
    import openpyxl
    from pptx import Presentation

    wb = openpyxl.Workbook()
    wb.active.title = "清单"
    wb.active.append(["月份", "重点工作"])
    wb.active.append(["1月", "制定年度计划"])
    buf = io.BytesIO()
    wb.save(buf)
    xls = convert(buf.getvalue(), "a.xlsx", ".xlsx", "xls", timeout=60)
    doc = load_bytes(xls, "台账.et")  # Kingsoft .et is OLE2 with a Workbook stream, like .xls
    assert doc.format == "et" and "月份：1月 | 重点工作：制定年度计划" in doc.text
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "微党课"
    slide.placeholders[1].text = "学习内容一"
    buf = io.BytesIO()
    prs.save(buf)
    ppt = load_bytes(convert(buf.getvalue(), "a.pptx", ".pptx", "ppt", timeout=60), "课件.ppt")
    assert ppt.format == "ppt" and [(b.text, b.page) for b in ppt.blocks] == [("微党课", 1), ("学习内容一", 1)]


def test_blank_scan_is_refused_saying_ocr_found_nothing() -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1240, 1754), "white").save(buf, "PDF", resolution=150)
    with pytest.raises(LoadError) as exc:
        load_bytes(buf.getvalue(), "空白扫描.pdf")
    assert "空白扫描.pdf" in str(exc.value) and "OCR 文字识别也没有识别出文字" in str(exc.value)
