"""The text primitives: one notion of "the same text", sentences, headings, numerals."""

from __future__ import annotations

from sizheng_bot.text import (
    clauses,
    cn_number,
    heading_level,
    is_heading,
    same_form,
    same_form_with_offsets,
    sentence_spans,
    sentences,
    squash,
    strip_space,
)


def test_same_form_folds_width_quotes_and_spaces() -> None:
    a = same_form("即坚持围绕中心，服务大局；“坚持以人为本”。ＡＢＣ１２３")
    b = same_form('即坚持 围绕中心,服务大局;"坚持以人为本".ABC123')
    assert a == b
    assert same_form("承上\u3000启下、 沟通\n左右") == same_form("承上启下,沟通左右")
    assert same_form("一\u200b二") == "一二"
    assert same_form("——") == same_form("-") and same_form("……") == same_form("...")
    assert same_form("党建") != same_form("党课")


def test_same_form_with_offsets_maps_back_to_source() -> None:
    source = "他指出：“加强 机关思想政治工作，是一项重要职责。”"
    norm, offsets = same_form_with_offsets(source)
    assert norm == same_form(source)
    needle = same_form("加强机关思想政治工作,是一项重要职责")
    start = norm.index(needle)
    span = source[offsets[start] : offsets[start + len(needle) - 1] + 1]
    assert span == "加强 机关思想政治工作，是一项重要职责"


def test_levels_are_refinements() -> None:
    text = "Ｐａｒｔｙ 党建\n工作"
    assert strip_space(text) == "Ｐａｒｔｙ党建工作"
    assert squash(text) == "party党建工作"
    assert same_form(text) == "Party党建工作"


def test_sentences_keep_closers_and_markers_and_cover_the_text() -> None:
    text = "一是加强学习。二是“抓落实”[1]；三是强化保障！还有吗？"
    assert sentences(text) == ["一是加强学习。", "二是“抓落实”[1]；", "三是强化保障！", "还有吗？"]
    assert sentences(text, semicolons=False) == ["一是加强学习。", "二是“抓落实”[1]；三是强化保障！", "还有吗？"]
    assert "".join(sentence_spans(text)) == text
    long = "甲" * 30 + "；" + "乙" * 30 + "。"
    assert sentences(long, semicolons=False, max_len=40) == ["甲" * 30 + "；", "乙" * 30 + "。"]
    assert sentences("第一问\n第二问", newlines=True) == ["第一问", "第二问"]
    assert clauses("甲，乙、丙：丁") == ["甲，", "乙、", "丙：", "丁"]


def test_headings_and_numerals() -> None:
    assert heading_level("一、总体要求") == 1
    assert heading_level("（二）主要做法") == 2
    assert heading_level("第十二条 党员应当") == 3
    assert heading_level("1. 学习") == 3 and heading_level("1.5亿") is None
    assert heading_level("（3）讨论") == 4
    assert is_heading("  第三章 组织") and not is_heading("一是加强学习")
    assert [cn_number(w) for w in ("十五", "二十", "一百二十", "两千零五", "12", "几")] == [15, 20, 120, 2005, 12, None]


def test_citation_label_and_sources_split() -> None:
    from sizheng_bot.citations import is_sources_heading, label, numbered, split_sources

    assert label("通知.pdf", "一、总体要求 > （二）主要任务", 3) == "通知.pdf · 一、总体要求 > （二）主要任务 · 第3页"
    assert label("扫描件.pdf", "", 2, ocr=True) == "扫描件.pdf · 第2页（OCR）"
    assert numbered(2, label("a.docx")) == "[2] a.docx"
    assert is_sources_heading("## 参考资料") and is_sources_heading("**参考来源：**") and is_sources_heading("四、参考依据")
    assert not is_sources_heading("## 活动流程")
    text = "# 提纲\n\n正文[1]。\n\n## 参考资料\n- [1] a.txt · 一、x\n- [2] b.txt\n\n## 我补充的结语\n同志们……\n"
    cut = split_sources(text)
    assert cut.body + cut.sources + cut.after == text
    assert cut.sources.startswith("## 参考资料") and "[2] b.txt" in cut.sources
    assert "我补充的结语" in cut.after and "同志们" in cut.without_sources and "a.txt" not in cut.without_sources
    assert split_sources("没有来源的文字").sources == ""


def test_next_sentence_end_skips_ellipsis_and_semicolon() -> None:
    from sizheng_bot.text import next_sentence_end

    text = "他指出：要……坚持；不断前进。下一句"
    assert next_sentence_end(text) == text.index("。")
    assert next_sentence_end("a. b", 0) == 1 and next_sentence_end("v1.2 ok", 0) == 7
    assert next_sentence_end("甲！乙\n丙", 2) == 3


def test_strip_number_removes_only_the_heading_marker() -> None:
    from sizheng_bot.text import strip_number

    assert strip_number("四、参考依据") == "参考依据" and strip_number("（二）主要任务") == "主要任务"
    assert strip_number("1. 学习") == "学习" and strip_number("1.5亿元") == "1.5亿元"
    assert strip_number("一是加强学习") == "一是加强学习"
