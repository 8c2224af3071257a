"""Cleaning: unit tests of each rule, and the shipped reports in knowledge/ end to end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sizheng_bot.ingest.clean import (
    clean_document,
    is_boilerplate,
    is_heading,
    rejoin_lines,
    remove_cjk_spaces,
    strip_markup,
)
from sizheng_bot.ingest.loaders import load
from sizheng_bot.types import Block, Document


def clean_text(text: str) -> str:
    """A plain string cleaned the way a one-paragraph document is."""
    return clean_document(Document(source="text", title="", blocks=[Block(text)], format="txt")).text

KNOWLEDGE = Path(__file__).parents[1] / "knowledge"
REPORTS = {
    "党校党群工作调研报告.txt": "dangxiao",
    "全市机关党建观摩推进会交流发言.txt": "speech",
    "加强机关思想政治工作的研究_平昌县.txt": "pingchang",
    "市委党校机关思想政治工作调研报告.txt": "shiwei",
    "机关意识形态工作存在的问题及对策建议调研报告.txt": "ideology",
}
CJK_GAP = re.compile(r"[\u4e00-\u9fff][ \t\u3000\u00a0]+[\u4e00-\u9fff]")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def doc_of(*blocks: Block, title: str = "", source: str = "测试.txt") -> Document:
    return Document(source=source, title=title, blocks=list(blocks), format="txt")


# --- rule 1: spaces around CJK ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("机 关对思想政治工作", "机关对思想政治工作"),
        ("召 开", "召开"),
        ("《整改工作方案》 ,", "《整改工作方案》,"),
        ("承上 启下、 沟通左右", "承上启下、沟通左右"),
        ("“认真应付” 的 现象", "“认真应付”的现象"),
        ("思想\u3000政治\t工作", "思想政治工作"),
        ("近 5000 个党支部", "近5000个党支部"),
        ("Times New Roman", "Times New Roman"),
        ("2024 15.3%", "2024 15.3%"),
        ("指标 | 数值", "指标 | 数值"),
    ],
)
def test_remove_cjk_spaces(raw: str, expected: str) -> None:
    assert remove_cjk_spaces(raw.replace("\u3000", " ")) == expected


def test_clean_text_collapses_spaces_and_drops_invisible_chars() -> None:
    raw = "Times   New\u00a0Roman\u200b 字体\ufeff，\x07思想\u3000\u3000政治 工作"
    assert clean_text(raw) == "Times New Roman字体，思想政治工作"


# --- rule 2: re-joining lines ---------------------------------------------------------------------


def test_rejoin_pdf_wraps_without_spaces() -> None:
    lines = [
        "思想政治工作是党的优良传统、鲜明特色和突出政治优势，加强和改进",
        "思想政治工作，事关党的前途命运，是一切工作的生命线，受",
        "益者是广大干部职工。",
        "第二段从这里开始，也是一个完整的句子。",
    ]
    assert rejoin_lines(lines) == [
        "思想政治工作是党的优良传统、鲜明特色和突出政治优势，加强和改进思想政治工作，事关党的前途命运，"
        "是一切工作的生命线，受益者是广大干部职工。",
        "第二段从这里开始，也是一个完整的句子。",
    ]


def test_rejoin_latin_wrap_gets_a_space() -> None:
    lines = ["The quick brown fox jumps over the lazy dog and keeps on running far", "away from here."]
    assert rejoin_lines(lines) == [
        "The quick brown fox jumps over the lazy dog and keeps on running far away from here."
    ]


@pytest.mark.parametrize(
    "heading",
    ["一、主要做法", "（一）强化政治引领", "(二) 存在问题", "1.工作目标", "第三章 保障措施"],
)
def test_rejoin_keeps_headings_apart(heading: str) -> None:
    body = "坚持以习近平新时代中国特色社会主义思想为指导，持续加强和改进机关思想政治工作"
    assert rejoin_lines([heading, body]) == [heading, body]
    assert rejoin_lines([body, heading]) == [body, heading]


def test_rejoin_keeps_a_short_title_line_apart() -> None:
    lines = [
        "机关思想政治工作调研报告",
        "坚持以习近平新时代中国特色社会主义思想为指导，持续加强和改进",
        "机关思想政治工作。",
    ]
    assert rejoin_lines(lines) == [lines[0], lines[1] + lines[2]]


def test_rejoin_does_not_join_paragraphs_across_blank_lines() -> None:
    lines = ["一是丰富思想政治工作内容", "", "要结合时代特点。关注热点问题。", "", "（二）存在问题", ""]
    assert rejoin_lines(lines) == [
        "一是丰富思想政治工作内容",
        "要结合时代特点。关注热点问题。",
        "（二）存在问题",
    ]


def test_rejoin_mends_a_sentence_cut_by_a_blank_line() -> None:
    lines = ["要明确谈心谈话的内容。除了了解工作进展和业务问题外,重点关注工作", "", "人员的思想动态。"]
    assert rejoin_lines(lines) == [
        "要明确谈心谈话的内容。除了了解工作进展和业务问题外,重点关注工作人员的思想动态。"
    ]


def test_rejoin_keeps_table_rows_and_list_items() -> None:
    assert rejoin_lines(["项\t目\t类\t别\t自筹课题", "立\t项\t编\t号\tBZ24ZC004"]) == [
        "项\t目\t类\t别\t自筹课题",
        "立\t项\t编\t号\tBZ24ZC004",
    ]
    items = ["开展工作主要有以下几个方面的具体做法和体会体会体会体会体", "一是加强学习", "二是强化管理"]
    assert rejoin_lines(items) == items


def test_is_heading() -> None:
    assert all(
        map(is_heading, ["一、引言", "（三）突出时代性", "(一) 成果斐然", "2.“三坚持”", "第一章 总则"])
    )
    assert not any(map(is_heading, ["12.5%的干部", "一是加强学习", "第一,民主集中制。", "思想政治工作"]))


# --- rule 3: boilerplate --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "- 2021-04-17 发布 |",
        "- 37.5 KB |",
        "- 7页",
        "2023年5月6日 发布",
        "时间:2022-05-27 09:40:00",
        "发布日期：2024-01-02",
        "导语:某某报告一文来源于网友上传,不代表本站观点,若需要原创文章可咨询客服老师,欢迎参考。",
        "申明敬告: 本站不保证该用户上传的文档完整性,不预览、不比对内容而直接下载产生的反悔问题本站不予受理。",
        "如若转载,请注明出处:https://www.example.com/123.html",
        "文档介绍",
        "查看更多",
        "- 3 -",
        "第 2 页 共 7 页",
        "来源：某某网 作者：张三 浏览：1024",
        "2026/7/17 20:33 中共中央办公厅印发《推进领导⼲部能上能下规定》_共产党员⽹",  # a browser print's header
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "2021年4月17日，市委发布了《关于加强机关思想政治工作的意见》。",
        "2024年5月27日",  # the date under a signature is content
        "时间：2022年5月27日上午，全体党员参加了主题党日活动。",
        "团县委及时发布青少年工作动态和思想政治教育内容。",
        "本文档共分为三个部分。",
        "一、近几年意识形态工作成效显著",
        "作者：张三",
    ],
)
def test_content_lines_with_dates_are_kept(line: str) -> None:
    assert not is_boilerplate(line)
    assert clean_text(line) == line.replace(" ", "")


def test_a_sentence_opening_with_a_time_is_no_print_header() -> None:
    assert not is_boilerplate("2024/5/10 14:30 支部召开党员大会，研究发展党员工作。")


def test_trailing_link_text_is_cut_but_sentence_kept() -> None:
    assert clean_text("拥护改革、 支持改革。查看更多") == "拥护改革、支持改革。"


def test_strip_markup() -> None:
    assert (
        strip_markup("- **三是方法手段丰富多样。**机关采用多种方法")
        == "三是方法手段丰富多样。机关采用多种方法"
    )
    assert strip_markup("- 一**是增强风险防范意识。**开展") == "一是增强风险防范意识。开展"
    assert strip_markup("——摘自讲话") == "——摘自讲话"


# --- rule 4: punctuation width is never changed ---------------------------------------------------


def test_punctuation_width_is_kept() -> None:
    half = "即坚持围绕中心,服务大局;坚持以人为本;坚持重在实效。"
    full = "即坚持围绕中心，服务大局；坚持以人为本；坚持重在实效。"
    assert clean_text(half) == half
    assert clean_text(full) == full


# --- clean_document -------------------------------------------------------------------------------


def test_clean_document_keeps_page_and_level_and_drops_empty_blocks() -> None:
    doc = doc_of(
        Block("一、总体 要求", level=1),
        Block("- 2021-04-17 发布 |"),
        Block("思想政治工作是党的优良传统、鲜明特色和突出政治优势，是一切\n工作的生命线。", page=3),
        Block("   \u200b  ", page=4),
        Block("第二页第一句。", page=4),
        title="文档介绍",
        source="方案.pdf",
    )
    cleaned = clean_document(doc)
    assert [(b.text, b.page, b.level) for b in cleaned.blocks] == [
        ("一、总体要求", None, 1),
        ("思想政治工作是党的优良传统、鲜明特色和突出政治优势，是一切工作的生命线。", 3, None),
        ("第二页第一句。", 4, None),
    ]
    assert cleaned.title == "方案"  # boilerplate title replaced: by the file name, not by the first heading
    assert doc.blocks[0].text == "一、总体 要求"  # input untouched
    assert cleaned.source == "方案.pdf" and cleaned.format == "txt"


def test_sentences_are_not_joined_across_pages() -> None:
    doc = doc_of(
        Block("第一页最后一行没有句号而且写得很长很长很长很长", page=1), Block("第二页接着写。", page=2)
    )
    assert [b.page for b in clean_document(doc).blocks] == [1, 2]


def test_running_headers_and_page_numbers_of_pdfs_are_dropped() -> None:
    pages = [
        Block(f"中共某某市委办公室\n第{n}页的正文内容，这里写的是第{n}部分。\n- {n} -", page=n)
        for n in range(1, 5)
    ]
    cleaned = clean_document(doc_of(*pages))
    assert [b.text for b in cleaned.blocks] == [
        f"第{n}页的正文内容，这里写的是第{n}部分。" for n in range(1, 5)
    ]
    two_pages = clean_document(doc_of(*pages[:2]))
    assert sum(b.text == "中共某某市委办公室" for b in two_pages.blocks) == 2  # too few pages to tell


def test_title_falls_back_to_file_stem() -> None:
    doc = doc_of(Block("这是一段很长的正文内容，并不适合作为标题使用。"), title="", source="会议纪要.docx")
    assert clean_document(doc).title == "会议纪要"


# --- the shipped reports --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cleaned() -> dict[str, Document]:
    return {key: clean_document(load(KNOWLEDGE / name)) for name, key in REPORTS.items()}


@pytest.mark.parametrize("name", list(REPORTS))
def test_reports_have_no_cjk_gaps_or_markup(cleaned: dict[str, Document], name: str) -> None:
    doc = cleaned[REPORTS[name]]
    text = doc.text
    assert len(text) > 2000
    assert CJK_GAP.search(text) is None
    assert "  " not in text and "\t" not in text and "**" not in text
    assert not any(b.text.startswith("- ") or b.text != b.text.strip() for b in doc.blocks)


@pytest.mark.parametrize("name", list(REPORTS))
def test_reports_content_is_only_reflowed(cleaned: dict[str, Document], name: str) -> None:
    """Every cleaned paragraph is verbatim source text (modulo whitespace and markdown markers)."""
    raw = (KNOWLEDGE / name).read_text(encoding="utf-8")
    source = squash("\n".join(strip_markup(line) for line in raw.splitlines()))
    for block in cleaned[REPORTS[name]].blocks:
        assert squash(block.text) in source, block.text[:40]


BOILERPLATE = {
    "dangxiao": ["时间:2022-05-27", "来源于网友上传", "不代表本站观点", "导语"],
    "speech": ["如若转载", "请注明出处", "kuaisuzugao"],
    "ideology": ["2021-04-17", "发布 |", "37.5 KB", "申明敬告", "本站不保证", "文档介绍", "查看更多"],
}


@pytest.mark.parametrize("key", list(BOILERPLATE))
def test_reports_boilerplate_is_gone(cleaned: dict[str, Document], key: str) -> None:
    text = cleaned[key].text
    for needle in BOILERPLATE[key]:
        assert needle not in text
    assert all(not is_boilerplate(b.text) for b in cleaned[key].blocks)


CONTENT = {
    "dangxiao": [
        "即坚持围绕中心,服务大局;坚持以人为本;坚持重在实效。",
        "确立正确的工作理念,是科学发展党群工作的前提。",
        "第五,落实党风廉政建设责任制。一是着力抓好党风廉政教育。二是着力发挥好监督作用。",
        "综上所述,党校党群工作的体系是一个有机的整体。",
    ],
    "speech": [
        "思想是行动的先导。只有思想上达成共识,才能做到行动上一致。",
        "只有充满新鲜感的思想政治工作,才能吸引人、感召人,才能取得预期效果。",
        "一是善用XX骄子,彰显“甘”味。",
    ],
    "pingchang": [
        "机 关对思想政治工作的重视程度逐渐提高。",
        "三是方法手段丰富多样。机关采用多种方法手段开展思想政治工作",
        "同时,利用互联网和新媒体 技术, 如微信、微博等平台, 拓展了工作的渠道和形式。",
        "重点关注工作 人员的思想动态、生活状况、职业发展等方面。",
        "干部职工参与度达到了90%以上,有效地提高了工作人员的思想认识。",
        "引导机 关工作人员向优秀榜样学习。",
    ],
    "shiwei": [
        "（一）强化政治引领，做到思想同心。明确一个聚焦。",
        "习近平总书记指出，加强机关思想政治工作是机关党建工作的一项重要职责，"
        "也是维护机关稳定、促进机关和谐、完成工作任务的重要保证。",
        "思想政治工作在一定程度上存在“沙滩流水不到头”的问题",
    ],
    "ideology": [
        "意识形态工作是党的一项极端重要的工作。",
        "机关处在承上 启下、 沟通左右的重要位置",
        "《意识形 态工作责任书》",
        "机关工委 专门制定《整改工作方案》 , 着力解决包括意识形态工作在内 的机关党建“灯下黑” 问题。",
        "选择“强烈不满、 发声批驳” 的 仅占 16%",
        "拥护改革、 支持改革。",
    ],
}


@pytest.mark.parametrize("key", list(CONTENT))
def test_reports_content_sentences_survive_on_one_line(cleaned: dict[str, Document], key: str) -> None:
    lines = cleaned[key].text.split("\n")
    for span in CONTENT[key]:
        assert any(squash(span) in line for line in lines), span


HEADINGS = {
    "dangxiao": [
        "一、切实加强党群工作理念建设,确立党校党群工作的发展导向",
        "六、高度重视校院文化建设,为党校党群工作的发展提供精神文化支撑",
    ],
    "speech": ["一、答好“五问”,增强思政共识力", "二、彰显“五味”,增强思政新鲜度"],
    "pingchang": ["一、引言", "(一)成果斐然", "(二)存在问题", "五、结论"],
    "shiwei": ["一、主要做法", "二、存在的问题", "三、对策建议"],
    "ideology": [
        "一、近几年意识形态工作成效显著",
        "二、当前机关意识形态领域面临的新情况",
        "三、对加强和改进机关意识形态工作的几点建议",
    ],
}


@pytest.mark.parametrize("key", list(HEADINGS))
def test_reports_headings_start_their_own_block(cleaned: dict[str, Document], key: str) -> None:
    texts = [b.text for b in cleaned[key].blocks]
    for heading in HEADINGS[key]:
        assert heading in texts
    if key in ("pingchang", "shiwei", "ideology"):
        assert [t for t in texts if t.startswith(("(一)", "（一）"))], "sub-headings start blocks"


def test_reports_titles(cleaned: dict[str, Document]) -> None:
    assert cleaned["ideology"].title == "机关意识形态工作存在的问题及对策建议调研报告"
    assert cleaned["dangxiao"].title == "党校党群工作调研报告"
    assert cleaned["shiwei"].title == "市委党校关于机关思想政治工作的调研报告"
    # the repeated title line (and the title glued before the first paragraph) appear once
    for key in ("ideology", "dangxiao"):
        assert sum(cleaned[key].title in b.text for b in cleaned[key].blocks) == 1


def test_reports_keep_latin_and_number_spaces(cleaned: dict[str, Document]) -> None:
    assert "占12. 8%" in cleaned["ideology"].text  # digits on both sides: left alone
    assert "近5000个党支部" in cleaned["ideology"].text
    assert "QQ群" in cleaned["ideology"].text
    assert "BZ24ZC004" in cleaned["pingchang"].text


def test_a_million_characters_load_and_clean_whole(tmp_path: Path) -> None:
    """Large text goes through whole (speed is measured in bench/performance.py, not asserted here)."""
    text = "\n\n".join((KNOWLEDGE / name).read_text(encoding="utf-8") for name in REPORTS)
    path = tmp_path / "big.txt"
    path.write_text(text * (1_000_000 // len(text) + 1), encoding="utf-8")
    doc = clean_document(load(path))
    assert len(doc.text) > 900_000


def test_title_named_by_the_file_wins_over_a_cover_line(tmp_path) -> None:
    from sizheng_bot.ingest.clean import clean_document
    from sizheng_bot.ingest.loaders import load

    f = tmp_path / "加强机关思想政治工作的研究_平昌县.txt"
    f.write_text(
        "巴中市哲学社会科学规划项目\n\n(2024年度)\n\n加强机关思想政治工作的研究\n\n一、引言\n\n正文内容。\n",
        "utf-8",
    )
    assert clean_document(load(f)).title == "加强机关思想政治工作的研究"
    g = tmp_path / "notes.txt"
    g.write_text("机关党建工作要点\n\n正文内容。\n", "utf-8")
    assert clean_document(load(g)).title == "机关党建工作要点"


@pytest.mark.parametrize(
    ("source", "first_line", "title"),
    [
        ("公文系统功能更新说明.wps", "1、发文当前位置和承办处室使用别名", "公文系统功能更新说明"),  # a list's first point
        ("换届选举材料（十六（2））支部副书记选票.doc", "中国共产党", "换届选举材料（十六（2））支部副书记选票"),
        ("支部书记选票.doc", "XX党支部委员会", "支部书记选票"),  # a template's slot names nothing
        ("拿来主义（鲁迅）.ofd", "拿来主义", "拿来主义"),  # short, but the file is named after it
        ("a.txt", "关于加强机关思想政治工作的调研报告", "关于加强机关思想政治工作的调研报告"),
        ("附件1.docx", "拿来主义", "拿来主义"),  # the file name says less than the short title
    ],
)
def test_a_document_without_a_real_title_is_named_after_its_file(source: str, first_line: str, title: str) -> None:
    doc = Document(source=source, title=first_line, format="txt",
                   blocks=[Block(first_line), Block("XX党支部委员会"), Block("正文内容在这里，写明了具体要求。")])  # fmt: skip
    assert clean_document(doc).title == title
