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
    body = "理论学习要联系本单位实际，防止照本宣科，避免搞形式、走过场，把学习成效体现到推动工作上来。" * 2
    doc = _doc(
        [
            "一、主要做法",
            f"（一）强化政治引领。要做到思想同心。{body}",
            f"（二）强化组织引领。要做到方式提质。{body}",
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


def test_short_numbered_points_share_one_chunk_under_their_heading() -> None:
    doc = _doc(["八、组织保障", "成立培训工作领导小组，明确职责分工。" * 8, "九、有关要求",
                "1.严格培训纪律。", "2.做好签到考勤。", "3.培训结束后形成总结、新闻稿及归档材料。"])  # fmt: skip
    chunks = split_document(doc, chunk_size=200)
    last = chunks[-1]
    assert last.section == "九、有关要求"
    assert last.text == "1.严格培训纪律。2.做好签到考勤。3.培训结束后形成总结、新闻稿及归档材料。"
    assert all("严格培训纪律" not in c.text for c in chunks[:-1])


def test_an_articles_points_nest_under_it_and_articles_stay_units() -> None:
    doc = _doc([
        "第七条调整不适宜担任现职干部，一般按照以下程序进行：",
        "（一）核实认定。组织部门对不适宜担任现职的情形进行核实。",
        "（二）提出建议。组织部门提出调整建议。",
        "（三）组织决定。党委召开会议集体研究，作出调整决定。",
        "第八条干部本人对调整决定不服的，可以申请复核。",
        "第九条本规定由中央组织部负责解释。",
    ])  # fmt: skip
    chunks = split_document(doc, chunk_size=350)
    steps = next(c for c in chunks if "核实认定" in c.text)
    assert steps.section.startswith("第七条调整不适宜担任现职干部")  # （一） no longer closes 第七条
    assert "提出建议" in steps.text and "组织决定" in steps.text  # the steps in one passage
    assert [c for c in chunks if "第八条" in c.text] != [c for c in chunks if "第九条" in c.text]
    assert not any("第八条" in c.text and "第九条" in c.text for c in chunks)  # 第X条 are units


def test_a_short_line_above_a_restarted_list_names_that_list() -> None:
    doc = _doc(["1、新增密级修改功能。", "2、拆分笺标题和文件标题。", "8月更新",
                "1、编写所有笺、正文自动定时保存功能。", "2、编写所有笺的重置模板功能。"])  # fmt: skip
    chunks = split_document(doc, chunk_size=350)
    august = [c for c in chunks if "自动定时保存" in c.text]
    assert len(august) == 1 and august[0].section == "8月更新"
    assert "重置模板" in august[0].text and "密级修改" not in august[0].text
    ballot = split_document(_doc(["书记候选人", "说明：", "1．选举产生书记1名。", "2．弃权的，不画任何符号。"]))
    assert ballot[-1].section == "说明：" and ballot[-1].text.startswith("1．选举产生书记1名。2．弃权的")


def test_styled_headings_with_short_bodies_stay_sections() -> None:
    doc = Document(
        source="w.docx", title="方案", format="docx",
        blocks=[Block("培训对象", level=1), Block("党支部书记、党务工作者。"), Block("培训方式", level=1), Block("专题授课。")],
    )  # fmt: skip
    assert [c.section for c in split_document(doc, chunk_size=200)] == ["培训对象", "培训方式"]
