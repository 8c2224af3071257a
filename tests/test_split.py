"""Splitting: section paths from Chinese heading levels, sentence boundaries, stable ids."""

import re

from sizheng_bot.ingest.clean import clean_document
from sizheng_bot.ingest.loaders import load
from sizheng_bot.ingest.split import heading_level, split_document, split_heading
from sizheng_bot.types import Block, Document

from conftest import KNOWLEDGE

ENDINGS = tuple("。！？；!?;…”」』\"')）")


def _doc(lines: list[str], **kw) -> Document:
    return Document(source="t.txt", title="测试", blocks=[Block(x, **kw) for x in lines], format="txt")


def test_heading_levels() -> None:
    assert heading_level("一、主要做法") == 1
    assert heading_level("第三章 总则") == 1
    assert heading_level("（二）强化组织引领，做到方式提质。") == 2
    assert heading_level("(二) 存在问题") == 2
    assert heading_level("第十二条 党支部应当") == 3
    assert heading_level("1.“火红熔炉”是逻辑起点") == 3
    assert heading_level("（3）具体要求") == 4
    assert heading_level("2024年度工作") is None
    assert heading_level("1.5倍") is None


def test_heading_split_off_inline_body() -> None:
    head, rest = split_heading(
        "（一）强化政治引领，做到思想同心。明确一个聚焦。坚持以习近平新时代中国特色社会主义思想为指导。"
    )
    assert head == "（一）强化政治引领，做到思想同心"
    assert rest.startswith("明确一个聚焦")


def test_section_path_nests_and_resets() -> None:
    doc = _doc(
        [
            "一、主要做法",
            "（一）强化政治引领。要做到思想同心。",
            "（二）强化组织引领。要做到方式提质。",
            "二、存在问题",
            "认识不到位。",
        ]
    )
    chunks = split_document(doc, chunk_size=200)
    sections = [c.section for c in chunks]
    assert sections == [
        "一、主要做法 > （一）强化政治引领",
        "一、主要做法 > （二）强化组织引领",
        "二、存在问题",
    ]
    assert chunks[0].text.startswith(
        "（一）强化政治引领。"
    )  # the heading sentence stays in the text it opens


def test_format_marked_headings_give_levels() -> None:
    doc = Document(
        source="w.docx", title="标题", format="docx",
        blocks=[Block("工作要求", level=1), Block("正文第一句。正文第二句。"), Block("细则", level=2), Block("具体内容。")],
    )  # fmt: skip
    chunks = split_document(doc, chunk_size=200)
    assert [c.section for c in chunks] == ["工作要求", "工作要求 > 细则"]


def test_chunks_end_on_sentence_boundaries_and_respect_size() -> None:
    body = "".join(f"这是第{i}个用于测试切分的完整句子，内容不长。" for i in range(60))
    chunks = split_document(_doc([body]), chunk_size=120, overlap=0)
    assert len(chunks) > 5
    for c in chunks:
        assert c.text.endswith("。")
        assert len(c.text) <= 120 * 1.3
    joined = "".join(c.text for c in chunks)
    assert joined == body  # nothing lost, nothing duplicated without overlap


def test_overlap_repeats_one_sentence() -> None:
    body = "".join(f"句子{i}有一些内容在这里。" for i in range(40))
    chunks = split_document(_doc([body]), chunk_size=80, overlap=1)
    first_last = re.findall(r"句子\d+", chunks[0].text)[-1]
    assert chunks[1].text.startswith(first_last)


def test_ids_stable_and_unique() -> None:
    doc = clean_document(load(KNOWLEDGE / "党校党群工作调研报告.txt"))
    a = split_document(doc)
    b = split_document(doc)
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)


def test_shipped_reports_section_paths_and_boundaries() -> None:
    seen_sections = set()
    for f in sorted(KNOWLEDGE.glob("*.txt")):
        if f.name in {"domain_dict.txt", "synonyms.txt"}:
            continue
        chunks = split_document(clean_document(load(f)))
        assert chunks, f.name
        for c in chunks:
            assert c.text.strip()
            # never mid-sentence, except the document's very last chunk or a piece of an over-long sentence
            if c.position < len(chunks) - 1 and len(c.text) < 200:
                assert c.text.rstrip().endswith(ENDINGS) or c.text[-1] in "，、：,:", (f.name, c.text[-30:])
            seen_sections.add(c.section)
    assert "三、对策建议 > （二）突出严肃性，聚焦工作重点" in seen_sections
    assert any(s.startswith("四、加强机关思想政治工作的措施 > ") for s in seen_sections)
    # the PDF-extracted report runs headings inline; they must still become sections
    assert any(s.startswith("三、对加强和改进机关意识形态工作的几点建议") for s in seen_sections)


def test_title_line_and_unpunctuated_lines_do_not_run_on() -> None:
    doc = Document(
        source="r.txt", title="关于某事的调研报告", format="txt",
        blocks=[Block("关于某事的调研报告"), Block("意识形态工作是党的一项极端重要的工作。"), Block("一是丰富内容"), Block("要结合时代特点。")],
    )  # fmt: skip
    chunks = split_document(doc, chunk_size=200)
    assert chunks[0].text.startswith("意识形态工作")  # the title is metadata, not text
    assert "一是丰富内容\n要结合时代特点。" in chunks[0].text
