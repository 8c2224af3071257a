"""Loaders on real files built in tmp_path: encodings, PDF (reportlab/pypdf), docx, html, bad input."""

from __future__ import annotations

import codecs
import hashlib
import random
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from sizheng_bot.errors import LoadError, UnsupportedFormatError
from sizheng_bot.ingest.loaders import SUPPORTED, is_supported, load, load_bytes

TEXT = (
    "机关思想政治工作调研报告\n\n一、主要做法\n坚持以人为本，做到思想同心。“三会一课”制度落实率达到 98.5%。\n"
)

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))


def _pdf(path: Path, pages: list[list[str]]) -> Path:
    c = canvas.Canvas(str(path))
    for lines in pages:
        c.setFont("STSong-Light", 12)
        for i, line in enumerate(lines):
            c.drawString(72, 760 - 20 * i, line)
        c.showPage()
    c.save()
    return path


def _encrypted(src: Path, dest: Path, user_password: str) -> Path:
    writer = PdfWriter(clone_from=str(src))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    writer.write(str(dest))
    return dest


def _message(exc: pytest.ExceptionInfo[LoadError]) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


# --- text encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "encoding"),
    [
        ("utf8.txt", TEXT.encode("utf-8"), "utf-8"),
        ("gbk.txt", TEXT.encode("gbk"), "gb18030"),
        ("gb18030.txt", TEXT.encode("gb18030"), "gb18030"),
        ("bom.txt", codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        ("utf16le.txt", TEXT.encode("utf-16"), "utf-16"),  # Python writes a BOM
        ("utf16be.txt", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        ("utf16_nobom.txt", TEXT.encode("utf-16-le"), "utf-16-le"),
    ],
)
def test_text_encodings_decode_to_the_same_text(
    tmp_path: Path, name: str, data: bytes, encoding: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    doc = load(path)
    assert (
        doc.text
        == "机关思想政治工作调研报告\n一、主要做法\n坚持以人为本，做到思想同心。“三会一课”制度落实率达到 98.5%。"
    )
    assert doc.encoding == encoding
    assert doc.title == "机关思想政治工作调研报告"
    assert doc.format == "txt"
    assert doc.source == name
    assert doc.file_hash == hashlib.sha256(data).hexdigest()


def test_gb18030_only_characters_survive(tmp_path: Path) -> None:
    text = "姓名：吉𠮷祥，单位：市委党校机关党委办公室。\n" * 3
    path = tmp_path / "rare.txt"
    path.write_bytes(text.encode("gb18030"))
    assert "吉𠮷祥" in load(path).text


def test_utf8_in_other_scripts_loads(tmp_path: Path) -> None:
    text = "Политическая работа в органах власти. Ελληνικά κείμενα επίσης.\n" * 2
    path = tmp_path / "ru.txt"
    path.write_text(text, encoding="utf-8")
    assert load(path).text == text.strip()


def test_gbk_never_comes_out_as_mojibake(tmp_path: Path) -> None:
    # "联通" in GBK is also valid UTF-8 ("ʪͨ"): must not be accepted as UTF-8.
    path = tmp_path / "liantong.txt"
    path.write_bytes("联通".encode("gbk"))
    doc = load(path)
    assert doc.text == "联通"
    assert doc.encoding == "gb18030"


def test_mostly_ascii_gbk_is_not_taken_for_utf16(tmp_path: Path) -> None:
    # Even length, ASCII letters at every position: read as UTF-16 this would be "CJK" mojibake.
    text = (
        "Report on Party work in government organs and more plain English words here and there " * 3
        + "机关党建"
    )
    path = tmp_path / "mixed.txt"
    path.write_bytes(text.encode("gbk"))
    doc = load(path)
    assert doc.text == text.strip() and doc.encoding == "gb18030"


def test_shipped_report_round_trips_through_gbk_and_utf16(tmp_path: Path) -> None:
    src = Path(__file__).parents[1] / "knowledge" / "市委党校机关思想政治工作调研报告.txt"
    original = load(src).text
    for codec in ("gbk", "utf-16-le", "utf-16-be"):
        path = tmp_path / f"{codec}.txt"
        path.write_bytes(src.read_text(encoding="utf-8").encode(codec))
        assert load(path).text == original, codec


def test_random_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(random.Random(7).randbytes(4096))
    with pytest.raises(LoadError) as exc:
        load(path)
    msg = _message(exc)
    assert "noise.txt" in msg and "编码" in msg and "UTF-8" in msg


@pytest.mark.parametrize("data", [b"", b"  \r\n\t\n", codecs.BOM_UTF8 + "\u3000\n".encode()])
def test_empty_text_file(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "空白.txt"
    path.write_bytes(data)
    with pytest.raises(LoadError) as exc:
        load(path)
    assert "空白.txt" in _message(exc) and "文件为空" in _message(exc)


def test_markdown_headings_bold_and_bullets(tmp_path: Path) -> None:
    md = "# 微党课提纲\n\n## 一、学习目标\n\n- **重点**：理解思想政治工作的意义\n- 联系实际\n\n### 小结 ##\n正文第一行\n正文第二行\n"
    path = tmp_path / "outline.MD"
    path.write_text(md, encoding="utf-8")
    doc = load(path)
    assert doc.format == "md"
    assert doc.title == "微党课提纲"
    assert [(b.text, b.level) for b in doc.blocks if b.level] == [
        ("微党课提纲", 1),
        ("一、学习目标", 2),
        ("小结", 3),
    ]
    assert "重点：理解思想政治工作的意义\n联系实际" in doc.text
    assert "**" not in doc.text and "- " not in doc.text


# --- pdf ------------------------------------------------------------------------------------------


@pytest.fixture()
def two_page_pdf(tmp_path: Path) -> Path:
    return _pdf(
        tmp_path / "调研报告.pdf",
        [
            ["一、主要做法", "坚持以习近平新时代中国特色社会主义思想为指导，加强和改进", "思想政治工作。"],
            ["二、存在的问题", "谈心谈话制度落实不到位。"],
        ],
    )


def test_pdf_pages_are_numbered(two_page_pdf: Path) -> None:
    doc = load(two_page_pdf)
    assert doc.format == "pdf"
    assert [b.page for b in doc.blocks] == [1, 2]
    assert "加强和改进" in doc.blocks[0].text and "谈心谈话制度" in doc.blocks[1].text
    assert doc.title == "一、主要做法"


def test_pdf_with_user_password_is_refused(two_page_pdf: Path, tmp_path: Path) -> None:
    path = _encrypted(two_page_pdf, tmp_path / "加密.pdf", user_password="123456")
    with pytest.raises(LoadError) as exc:
        load(path)
    msg = _message(exc)
    assert "加密.pdf" in msg and "密码" in msg


def test_pdf_with_empty_user_password_loads(two_page_pdf: Path, tmp_path: Path) -> None:
    path = _encrypted(two_page_pdf, tmp_path / "仅限制编辑.pdf", user_password="")
    doc = load(path)
    assert [b.page for b in doc.blocks] == [1, 2]
    assert "谈心谈话制度" in doc.text


def test_pdf_without_text_layer_needs_ocr(tmp_path: Path) -> None:
    path = tmp_path / "扫描件.pdf"
    c = canvas.Canvas(str(path))
    c.rect(100, 100, 300, 400, fill=1)
    c.showPage()
    c.save()
    with pytest.raises(LoadError) as exc:
        load(path)
    assert "扫描件.pdf" in _message(exc) and "OCR" in _message(exc)


def test_pdf_with_garbled_text_is_refused(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "乱码.pdf", [["".join(chr(0xE000 + i) for i in range(60))]])
    with pytest.raises(LoadError) as exc:
        load(path)
    assert "乱码.pdf" in _message(exc) and "乱码" in str(exc.value.reason)


def test_truncated_pdf_is_refused(two_page_pdf: Path, tmp_path: Path) -> None:
    path = tmp_path / "下载中断.pdf"
    data = two_page_pdf.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(LoadError) as exc:
        load(path)
    assert "下载中断.pdf" in _message(exc) and "损坏" in _message(exc)


@pytest.mark.parametrize("data", [b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n", b"not a pdf at all"])
def test_garbage_pdf_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "坏文件.pdf"
    path.write_bytes(data)
    with pytest.raises(LoadError) as exc:
        load(path)
    assert "坏文件.pdf" in _message(exc)


# --- docx -----------------------------------------------------------------------------------------


def test_docx_keeps_body_order_levels_and_tables(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("机关思想政治工作方案", style="Title")
    d.add_heading("一、总体要求", level=1)
    d.add_paragraph("坚持以人为本，服务大局。")
    table = d.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "指标", (0, 1): "数值", (1, 0): "参与率", (1, 1): "90%"}.items():
        table.cell(r, c).text = text
    d.add_heading("（一）工作目标", level=2)
    d.add_paragraph("全面提升干部职工思想政治素质。")
    path = tmp_path / "方案.docx"
    d.save(str(path))

    doc = load(path)
    assert doc.format == "docx"
    assert doc.title == "机关思想政治工作方案"
    texts = [b.text for b in doc.blocks]
    assert texts == [
        "机关思想政治工作方案",
        "一、总体要求",
        "坚持以人为本，服务大局。",
        "指标 | 数值\n参与率 | 90%",
        "（一）工作目标",
        "全面提升干部职工思想政治素质。",
    ]
    assert [b.level for b in doc.blocks] == [0, 1, None, None, 2, None]


def test_docx_chinese_heading_style_names(tmp_path: Path) -> None:
    d = docx.Document()
    d.styles["Heading 1"].name = "标题 1"
    d.add_paragraph("一、加强学习", style="标题 1")
    d.add_paragraph("正文。")
    path = tmp_path / "wps.docx"
    d.save(str(path))
    assert [(b.text, b.level) for b in load(path).blocks] == [("一、加强学习", 1), ("正文。", None)]


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"PK\x03\x04" + b"broken zip" * 20, "损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, ".doc"),
    ],
)
def test_corrupt_docx_is_refused(tmp_path: Path, data: bytes, needle: str) -> None:
    path = tmp_path / "损坏.docx"
    path.write_bytes(data)
    with pytest.raises(LoadError) as exc:
        load(path)
    msg = _message(exc)
    assert "损坏.docx" in msg and needle in msg and "另存为" in msg


# --- html -----------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html><html><head><meta charset="{charset}"><title>思政 专题</title>
<style>.x {{ color: red }} 样式文字</style><script>alert(1); var 脚本 = 1;</script></head>
<body><noscript>请启用脚本</noscript><h2>二、工作措施</h2>
<p>加强&amp;改进&nbsp;思想&lt;政治&gt;工作&#8212;谈心谈话</p><div>第一段<br>第二段</div>
<table><tr><th>指标</th><td>数值</td></tr></table><template>模板文字</template></body></html>"""


@pytest.mark.parametrize(("charset", "codec"), [("utf-8", "utf-8"), ("gb2312", "gbk"), ("", "gbk")])
def test_html_visible_text_only(tmp_path: Path, charset: str, codec: str) -> None:
    path = tmp_path / "page.htm"
    path.write_bytes(HTML.format(charset=charset).encode(codec))
    doc = load(path)
    assert doc.format == "html"
    assert doc.title == "思政 专题"
    text = doc.text
    for hidden in ("alert", "脚本", "color", "样式文字", "请启用脚本", "模板文字"):
        assert hidden not in text
    assert "加强&改进 思想<政治>工作—谈心谈话" in text  # entities decoded, &nbsp; is a space
    assert [(b.text, b.level) for b in doc.blocks][:1] == [("二、工作措施", 2)]
    assert "第一段\n第二段" in text
    assert "指标 | 数值" in text


# --- dispatch and unsupported formats -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("论文.caj", "另存为 PDF"),
        ("资料.rar", "解压"),
        ("无扩展名", "扩展名"),
    ],
)
def test_unsupported_formats(tmp_path: Path, name: str, needle: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"whatever")
    assert not is_supported(path)
    with pytest.raises(UnsupportedFormatError) as exc:
        load(path)
    msg = _message(exc)
    assert name in msg and needle in msg
    if "." in name:
        assert Path(name).suffix.lower() in msg


def test_supported_extensions_and_case(tmp_path: Path) -> None:
    assert set(SUPPORTED) >= {".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm", ".doc", ".wps", ".xlsx",
                              ".xls", ".et", ".pptx", ".ofd", ".jpg", ".png"}  # fmt: skip
    path = tmp_path / "REPORT.TXT"
    path.write_text("一、标题\n正文内容。", encoding="utf-8")
    assert is_supported(path)
    assert load(path, source="上传的报告.txt").source == "上传的报告.txt"


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as exc:
        load(tmp_path / "不存在.txt")
    assert "不存在.txt" in _message(exc) and "不存在" in exc.value.reason
    folder = tmp_path / "目录.txt"
    folder.mkdir()
    with pytest.raises(LoadError):
        load(folder)


def test_load_bytes_for_uploads() -> None:
    doc = load_bytes("一、标题\n正文。".encode("gbk"), "上传.txt")
    assert doc.text == "一、标题\n正文。" and doc.source == "上传.txt" and doc.title == "一、标题"
