"""Formats from the bytes, spreadsheets, slides, OFD, guarded zips — real files the tests make."""

from __future__ import annotations

import io
import resource
import time
import zipfile
from pathlib import Path

import pytest

from sizheng_bot.errors import LoadError
from sizheng_bot.ingest.clean import clean_document
from sizheng_bot.ingest.loaders import LoadOptions, load, load_bytes, sniff
from sizheng_bot.ingest.split import split_document
from sizheng_bot.types import Block, Citation, Document, page_label

from conftest import ROOT

REALDOCS = ROOT.parent / "shared" / "realdocs-dev"


def _text(doc: Document) -> str:
    return "".join(doc.text.split())


# --- detection -------------------------------------------------------------------------------------


def _docx_bytes(*paras: str) -> bytes:
    import docx

    d = docx.Document()
    for p in paras:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_sniff_from_bytes_not_extension() -> None:
    data = _docx_bytes("一、总体要求")
    assert sniff(data, ".pdf") == "docx"
    assert sniff(b"%PDF-1.4\n...", ".txt") == "pdf"
    assert sniff(b"\x89PNG\r\n\x1a\n....", ".doc") == "image"
    assert sniff("普通文本".encode(), ".md") == "md"
    assert sniff(b"\x00\x01\x02\x03binary", ".dat") == ""


@pytest.mark.skipif(not REALDOCS.is_dir(), reason="shared/realdocs-dev not present")
def test_sniff_the_dev_files() -> None:
    kinds = {f.name: sniff(f.read_bytes(), f.suffix) for f in REALDOCS.rglob("*") if f.is_file()}
    by_ext: dict[str, set[str]] = {}
    for name, kind in kinds.items():
        by_ext.setdefault(Path(name).suffix, set()).add(kind)
    assert by_ext[".docx"] == {"docx"}  # including the one `file` calls a plain zip
    assert by_ext[".xlsx"] == {"xlsx"} and by_ext[".pptx"] == {"pptx"} and by_ext[".ofd"] == {"ofd"}
    assert by_ext[".doc"] == {"doc"} and by_ext[".wps"] == {"doc"}  # OLE2 with a WordDocument stream
    assert by_ext[".pdf"] == {"pdf"}


def test_docx_named_pdf_is_read_as_docx_with_a_note(tmp_path: Path) -> None:
    f = tmp_path / "通知.pdf"
    f.write_bytes(_docx_bytes("关于开展主题党日活动的通知", "各支部：请按时参加。"))
    doc = load(f)
    assert doc.format == "docx" and "各支部" in doc.text
    assert ".pdf" in doc.note and "Word" in doc.note and "实际" in doc.note


def test_junk_with_a_binary_extension_is_refused_by_name(tmp_path: Path) -> None:
    for name in ("台账.xlsx", "选票.doc", "发文.ofd"):
        f = tmp_path / name
        f.write_bytes(b"just some text")
        with pytest.raises(LoadError) as exc:
            load(f)
        assert name in str(exc.value) and "另存为" in str(exc.value)


def test_utf8_with_a_stray_replacement_char_is_read(tmp_path: Path) -> None:
    f = tmp_path / "记录.txt"
    f.write_text("支部学习记录：本次学习\ufffd认真开展。\n第二段内容。", encoding="utf-8")
    doc = load(f)
    assert doc.encoding == "utf-8" and "\ufffd认真开展" in doc.text


# --- spreadsheets ----------------------------------------------------------------------------------


def _xlsx(tmp_path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年度清单"
    ws.append(["党小组年度工作清单", None, None, None])
    ws.merge_cells("A1:D1")
    ws.append(["季度", "月份", "重点工作", "备注"])
    ws.append(["一季度：\n统一思想", "1月", "制定年度计划", None])
    ws.append([None, "2月", "理论学习", "根据上级要求"])
    ws.merge_cells("A3:A4")
    ws.append(["二季度", "4月", "廉洁教育", 3.0])
    notes = wb.create_sheet("使用说明")
    notes.append(["全年类工作属于常态化工作，应持续开展。"])
    f = tmp_path / "清单.xlsx"
    wb.save(f)
    return f


def test_xlsx_rows_with_header_context_merged_cells_and_sheets(tmp_path: Path) -> None:
    doc = load(_xlsx(tmp_path))
    assert doc.format == "xlsx"
    text = doc.text
    assert (
        "季度：一季度：\n统一思想 | 月份：1月 | 重点工作：制定年度计划" in text
    )  # line break in the cell kept
    assert (
        "季度：一季度：\n统一思想 | 月份：2月 | 重点工作：理论学习 | 备注：根据上级要求" in text
    )  # merged filled
    assert "备注：3" in text and "党小组年度工作清单" in text
    assert "全年类工作属于常态化工作" in text
    chunks = split_document(clean_document(doc))
    sections = {c.section for c in chunks}
    assert any(s.startswith("年度清单 > 第3") for s in sections)
    assert "使用说明 > 第1行" in sections


# --- slides ----------------------------------------------------------------------------------------


def _pptx(tmp_path: Path, text: bool = True) -> Path:
    from PIL import Image
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    if text:
        s1 = prs.slides.add_slide(prs.slide_layouts[1])
        s1.shapes.title.text = "主题党日活动方案"
        s1.placeholders[1].text = "活动目的：重温入党誓词"
        s1.notes_slide.notes_text_frame.text = "讲解时强调纪律要求"
        s2 = prs.slides.add_slide(prs.slide_layouts[5])
        s2.shapes.title.text = "活动安排"
        table = s2.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(1)).table
        table.cell(0, 0).text, table.cell(0, 1).text = "环节", "时长"
        table.cell(1, 0).text, table.cell(1, 1).text = "重温誓词", "10分钟"
    else:
        buf = io.BytesIO()
        Image.new("RGB", (200, 100), (200, 30, 30)).save(buf, "PNG")
        s = prs.slides.add_slide(prs.slide_layouts[6])
        s.shapes.add_picture(io.BytesIO(buf.getvalue()), 0, 0)
    f = tmp_path / ("方案.pptx" if text else "背景.pptx")
    prs.save(f)
    return f


def test_pptx_titles_text_tables_notes_and_slide_numbers(tmp_path: Path) -> None:
    doc = load(_pptx(tmp_path))
    assert doc.title == "主题党日活动方案"
    pages = {b.text: b.page for b in doc.blocks}
    assert pages["活动目的：重温入党誓词"] == 1 and pages["备注：讲解时强调纪律要求"] == 1
    assert pages["重温誓词 | 10分钟"] == 2 and pages["活动安排"] == 2
    assert [b.text for b in doc.blocks].count("活动安排") == 1  # the title once, as the slide's heading


def test_picture_only_deck_is_reported_as_having_no_text(tmp_path: Path) -> None:
    f = _pptx(tmp_path, text=False)
    with pytest.raises(LoadError) as exc:
        load(f, options=LoadOptions(ocr_enabled=False))
    msg = str(exc.value)
    assert "背景.pptx" in msg and "没有可提取的文字" in msg and "OCR" in msg


# --- OFD -------------------------------------------------------------------------------------------

_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def _text_object(oid: int, x: float, y: float, text: str, size: float = 5.0, extra: str = "") -> str:
    deltas = " ".join([str(size)] * (len(text) - 1))
    return (
        f'<ofd:TextObject ID="{oid}" Boundary="{x} {y} {size * len(text)} {size + 2}" Font="1" Size="{size}"{extra}>'
        f'<ofd:TextCode X="0" Y="{size}" DeltaX="{deltas}">{text}</ofd:TextCode></ofd:TextObject>'
    )


def _ofd(pages: list[list[str]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", f'<?xml version="1.0"?><ofd:OFD {_NS} Version="1.0" DocType="OFD"><ofd:DocBody>'
                   "<ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
                   "</ofd:DocBody></ofd:OFD>")  # fmt: skip
        refs = "".join(
            f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages))
        )
        z.writestr("Doc_0/Document.xml", f"<ofd:Document {_NS}><ofd:Pages>{refs}</ofd:Pages></ofd:Document>")
        for i, objs in enumerate(pages):
            z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml",
                       f'<ofd:Page {_NS}><ofd:Content><ofd:Layer ID="9">{"".join(objs)}</ofd:Layer></ofd:Content></ofd:Page>')  # fmt: skip
        z.writestr("Doc_0/Signs/Sign_0/Signature.xml", "<ofd:Signature>印章不入库</ofd:Signature>")
    return buf.getvalue()


def test_ofd_runs_are_placed_by_coordinates_into_lines_and_pages() -> None:
    page1 = [  # one line split into runs, given out of order; a second line below; a CTM-scaled run
        _text_object(3, 45.0, 20.0, "年"), _text_object(2, 40.0, 20.0, "3"),
        _text_object(1, 25.0, 20.0, "202"), _text_object(4, 50.0, 20.0, "工作要点"),
        _text_object(5, 25.0, 30.0, "第二行文字"),
        '<ofd:TextObject ID="6" CTM="0.5 0 0 0.5 0 0" Boundary="25 40 50 8" Font="1" Size="10">'
        '<ofd:TextCode X="0" Y="10" DeltaX="g 3 10">缩放文字</ofd:TextCode></ofd:TextObject>',
    ]  # fmt: skip
    page2 = [_text_object(7, 25.0, 20.0, "第二页正文。")]
    doc = load_bytes(_ofd([page1, page2]), "发文.ofd")
    assert doc.format == "ofd" and [b.page for b in doc.blocks] == [1, 2]
    lines = doc.blocks[0].text.split("\n")
    assert (
        lines[0].replace(" ", "") == "2023年工作要点" and lines[1] == "第二行文字" and lines[2] == "缩放文字"
    )
    assert "印章" not in doc.text
    assert split_document(clean_document(doc))[0].page == 1


@pytest.mark.skipif(not REALDOCS.is_dir(), reason="shared/realdocs-dev not present")
def test_the_dev_ofd_files_read() -> None:
    texts = {f.name: _text(load(f)) for f in (REALDOCS / "formats").glob("*.ofd")}
    assert len(texts) == 4 and all(len(t) > 100 for t in texts.values())
    assert any("2023年" in t for t in texts.values())  # numbers split across runs come back whole


# --- guarded zips ----------------------------------------------------------------------------------


def _bomb(mb: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<Types><Override ContentType="application/vnd.openxmlformats-'
                   'officedocument.wordprocessingml.document.main+xml"/></Types>')  # fmt: skip
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(mb):
                fh.write(block)
    return buf.getvalue()


def test_zip_bomb_is_refused_by_name_quickly_and_small(tmp_path: Path) -> None:
    f = tmp_path / "通知.docx"
    f.write_bytes(_bomb(524))
    assert f.stat().st_size < 2_000_000
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with pytest.raises(LoadError) as exc:
        load(f)
    assert time.perf_counter() - t0 < 10
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024 < 500
    assert "通知.docx" in str(exc.value) and "压缩" in str(exc.value)


def test_zip_limits_apply_to_the_actual_bytes(tmp_path: Path) -> None:
    data = _bomb(8)  # honest headers, but over a small total limit and over the ratio limit
    with pytest.raises(LoadError, match="上限 5 MB"):
        load_bytes(data, "a.docx", options=LoadOptions(zip_max_total_mb=5))
    with pytest.raises(LoadError, match="压缩比"):
        load_bytes(data, "a.docx", options=LoadOptions(zip_max_ratio=50))
    with pytest.raises(LoadError, match="条目过多"):
        load_bytes(data, "a.docx", options=LoadOptions(zip_max_entries=1))


# --- the OCR mark ----------------------------------------------------------------------------------


def test_ocr_pages_reach_chunks_and_the_citation_label() -> None:
    pages = [Block("第一页文字。" * 12, page=1), Block("第二页文字。" * 12, page=2)]
    doc = Document("扫描.pdf", "", pages, "pdf", ocr_pages=[2])
    chunks = split_document(clean_document(doc), chunk_size=80)
    assert [(c.page, c.ocr) for c in chunks] == [(1, False), (2, True)]
    assert page_label(2, True) == "第2页（OCR）" and page_label(1) == "第1页"
    c = Citation(1, "扫描.pdf", "", "", 2, "第二页文字。", ocr=True)
    assert c.page_label == "第2页（OCR）" and c.to_dict()["ocr"] is True


def test_numbered_lines_without_body_keep_their_words() -> None:
    lines = ["7月更新", "1、新增处理笺的密级修改功能。", "2、拆分笺标题和文件标题", "3、优化数据同步展示"]
    doc = Document("更新说明.txt", "更新说明", [Block(x) for x in lines], "txt")
    text = "".join(c.text for c in split_document(doc))
    for line in lines[1:]:
        assert line in text  # list items are text, not only section names


def test_ingest_report_carries_the_extension_note(tmp_path: Path) -> None:
    from sizheng_bot.ingest.driver import ingest
    from sizheng_bot.retrieval.analyzer import Analyzer
    from sizheng_bot.retrieval.store import KnowledgeBase

    f = tmp_path / "活动通知.pdf"
    f.write_bytes(_docx_bytes("关于开展主题党日活动的通知", "各支部：请于本周五下午参加主题党日活动。"))
    kb = KnowledgeBase(tmp_path / "data", Analyzer.from_files())
    rep = ingest(kb, [f])
    assert rep.files[0].status == "added" and "实际是Word" in rep.files[0].note


def test_ofd_template_page_text_is_read_with_the_page() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "OFD.xml",
            f"<ofd:OFD {_NS}><ofd:DocBody><ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        z.writestr(
            "Doc_0/Document.xml",
            f'<ofd:Document {_NS}><ofd:CommonData><ofd:TemplatePage ID="7" BaseLoc="Tpls/Tpl_0/Content.xml"/>'
            '</ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>',
        )
        z.writestr(
            "Doc_0/Tpls/Tpl_0/Content.xml",
            f"<ofd:Page {_NS}><ofd:Content>{_text_object(1, 30, 10, '某某局文件')}</ofd:Content></ofd:Page>",
        )
        z.writestr(
            "Doc_0/Pages/Page_0/Content.xml",
            f'<ofd:Page {_NS}><ofd:Template TemplateID="7"/><ofd:Content>{_text_object(2, 30, 40, "正文内容。")}</ofd:Content></ofd:Page>',
        )
    doc = load_bytes(buf.getvalue(), "函.ofd")
    assert doc.blocks[0].text.split("\n") == ["某某局文件", "正文内容。"]


def test_eval_over_a_document_folder_finds_it_beside_the_set(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    docs = tmp_path / "mydocs-dev" / "formats"
    docs.mkdir(parents=True)
    (docs / "通知.docx").write_bytes(
        _docx_bytes("关于开展主题党日活动的通知", "活动地点设在红色教育基地展厅。")
    )
    (docs.parent / "SOURCES.md").write_text("# 来源\n红色教育基地展厅的出处说明。\n", encoding="utf-8")
    evals = tmp_path / "eval"
    evals.mkdir()
    item = {
        "id": "q1",
        "question": "主题党日活动地点在哪里？",
        "gold": [{"doc": "formats/通知.docx", "evidence": "活动地点设在红色教育基地展厅"}],
    }
    (evals / "mydocs_dev.jsonl").write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "SIZHENG_DATA_DIR": str(tmp_path / "data"),
        "SIZHENG_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "PYTHONPATH": str(ROOT / "src"),
    }
    p = subprocess.run([sys.executable, "-m", "sizheng_bot.cli", "eval", str(evals / "mydocs_dev.jsonl")],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["hit@5"] == 1.0 and "mydocs-dev" in p.stderr
    kb = tmp_path / "data" / "eval_mydocs-dev"
    listing = subprocess.run([sys.executable, "-m", "sizheng_bot.cli", "list", "--json"], capture_output=True, text=True,
                             env={**env, "SIZHENG_DATA_DIR": str(kb)}, cwd=ROOT, timeout=60)  # fmt: skip
    assert [d["source"] for d in json.loads(listing.stdout)["documents"]] == [
        "通知.docx"
    ]  # the .md note left out


def test_opendocument_bomb_is_refused_before_conversion() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        with z.open("content.xml", "w") as fh:
            for _ in range(8):
                fh.write(b"\0" * (1 << 20))
    with pytest.raises(LoadError, match="压缩比"):
        load_bytes(buf.getvalue(), "报告.odt", options=LoadOptions(zip_max_ratio=50))
