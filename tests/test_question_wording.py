"""How users word questions: A-not-A asks, one ask of several subjects, positions in an order, 几 that
tells rather than asks, quoted lists, coined words, asides inside names (issue 10, third held-out batch)."""

from __future__ import annotations

from sizheng_bot.answer import detectors
from sizheng_bot.answer.decide import decide
from sizheng_bot.answer.parts import split_parts
from sizheng_bot.answer.terms import key_terms
from sizheng_bot.compose.kbview import KBView
from sizheng_bot.compose.select import query_terms, scored_units
from sizheng_bot.text import affirmed, matchable, respective
from sizheng_bot.types import Chunk, Hit


def _decide(analyzer, chunks: list[Chunk], question: str):  # type: ignore[no-untyped-def]
    kb = KBView(chunks)
    hits = [Hit(c.id, c.text, 1.0 - 0.1 * i, c.source, c.title, c.section, None, i) for i, c in enumerate(chunks)]
    return decide(question, scored_units(hits, query_terms(analyzer, question, kb.df)), analyzer, kb)


def test_an_a_not_a_ask_is_its_word() -> None:
    assert affirmed("这张票还算不算数？") == "这张票还算数？"
    assert affirmed("要不要跟考核挂钩") == "要跟考核挂钩"
    assert affirmed("有没有效") == "有效"
    assert affirmed("不得不说") == "不得不说"  # 得不说 is no A-not-A


def test_a_validity_question_reaches_the_rule_on_valid_ballots(assistant) -> None:  # type: ignore[no-untyped-def]
    """算不算数 is 有效/无效 in a ballot's notes; before, 算不算 was a term no passage holds."""
    chunks = [
        Chunk("b1", "选票.doc", "选票", "说明：", "2．赞成的，在候选人姓名上边的方格内画“○”号；弃权的，不画任何符号。", 0),
        Chunk("b2", "选票.doc", "选票", "说明：", "3．每张选票所选人数，等于或少于规定应选人数的为有效票，"
              "多于规定应选人数的为无效票。", 1),
        Chunk("b3", "主持词.docx", "主持词", "", "各位委员拿到选票后，请用钢笔、签字笔或圆珠笔填写。", 0),
    ]  # fmt: skip
    d = _decide(assistant.analyzer, chunks, "选票上多选了人，这张票还算不算数？")
    lead = d.parts[0].answer
    assert lead is not None and "无效票" in lead.text


def test_one_ask_of_several_subjects_is_one_part_per_subject() -> None:
    assert respective("开场和闭会分别奏什么歌？") == ["开场分别奏什么歌？", "闭会分别奏什么歌？"]
    assert respective("市委党校那篇里，校委、机关党委、党支部在思政工作上各自担什么责任？") == [
        "市委党校那篇里，校委在思政工作上各自担什么责任？",
        "市委党校那篇里，机关党委在思政工作上各自担什么责任？",
        "市委党校那篇里，党支部在思政工作上各自担什么责任？",
    ]
    assert respective("这几件事分别怎么做？") == ["这几件事分别怎么做？"]
    assert respective("党员大会多久开一次？") == ["党员大会多久开一次？"]
    assert split_parts("换届党员大会由谁来主持？开场和闭会分别奏什么歌？") == [
        "换届党员大会由谁来主持？",
        "开场分别奏什么歌？",
        "闭会分别奏什么歌？",
    ]


def test_each_subject_gets_its_own_sentence(assistant) -> None:  # type: ignore[no-untyped-def]
    chunks = [
        Chunk("m1", "记录.docx", "党员大会记录", "会议流程", "2、宣布党员大会开始，奏唱《国歌》。"
              "3、通过大会议程。4、宣读选举办法。", 0),
        Chunk("m2", "记录.docx", "党员大会记录", "会议流程", "11、新一届支部书记作表态发言。"
              "12、主持人宣布党员大会闭会，奏《国际歌》。", 1),
    ]  # fmt: skip
    d = _decide(assistant.analyzer, chunks, "党员大会开场和闭会分别奏什么歌？")
    leads = [p.answer.text for p in d.parts if p.answer is not None]
    assert len(d.parts) == 2 and "《国歌》" in leads[0] and "《国际歌》" in leads[1]


def test_which_position_asks_for_an_ordinal() -> None:
    assert detectors.asked("第一议题要排在第几项？")[0].name == "ordinal"
    assert "count" not in [k.name for k in detectors.asked("第一议题要排在第几项？")]
    m = detectors.evidence(detectors.BY_NAME["ordinal"], "小宣提醒：建议作为会议第一项议程")
    assert m is not None and m.group(0).startswith("第一项")
    assert detectors.asked("要选几名副书记？")[0].name == "count"


def test_a_few_after_a_verb_of_arriving_tells_it_does_not_ask() -> None:
    assert not detectors.specific(detectors.asked("单位新来几个部队转业的干部，调研报告建议怎么做他们的工作？"))
    assert not detectors.specific(detectors.asked("我在党校班子里分管几个处室，"))
    assert detectors.asked("党校一共有几个处室？")[0].name == "count"


def test_a_count_of_items_asked_for_by_number() -> None:
    assert detectors.items_asked("《十不提醒》十条具体内容分别是哪些？") == 10
    assert detectors.items_asked("这三条分别是什么？") == 3
    assert detectors.items_asked("第三条具体是什么？") == 0
    assert detectors.count_items("宣读候选人建议名单为：XX、XX、XX、XX") < 3  # a template's blanks list nothing


def test_a_quoted_list_is_its_names_and_a_coined_word_loses_its_glue(assistant) -> None:  # type: ignore[no-untyped-def]
    chunks = [Chunk("q1", "报告.txt", "调研报告", "", "采取“双随机督查、双向通报、反馈整改”闭环管理模式。", 0)]
    kb = KBView(chunks)
    terms = key_terms("那个「双随机、双向通报」具体随机什么？", assistant.analyzer, kb)
    assert "双随机" in terms and "双向通报" in terms and "双随机、双向通报" not in terms
    terms = key_terms("校委在思政工作上担什么责任？", assistant.analyzer, kb)
    assert "校委" in terms and "校委在" not in terms


def test_an_aside_inside_a_name_does_not_hide_it() -> None:
    assert "校委" in matchable("校（院）委履行主体责任")
    assert "组织部门" in matchable("组织（人事）部门应当纪实")
    assert matchable("没有括号的句子") == "没有括号的句子"


def test_what_is_set_aside_is_not_asked() -> None:
    """除了时间地点主持人，还要填哪些项: 地点 is set aside, the ask is the list."""
    kinds = [k.name for k in detectors.asked("表头除了时间地点主持人，还要填哪些项？")]
    assert "place" not in kinds and "list" in kinds
    assert detectors.asked("活动地点定在哪里？")[0].name == "place"


def test_numbered_subjects_are_several_and_a_row_label_names_nothing(assistant) -> None:  # type: ignore[no-untyped-def]
    from sizheng_bot.text.headings import named_section, row_label

    assert respective("清单里10月和11月排的重点工作是什么？") == [
        "清单里10月排的重点工作是什么？",
        "清单里11月排的重点工作是什么？",
    ]
    assert respective("三会一课和主题党日怎么安排？") == ["三会一课和主题党日怎么安排？"]
    assert respective("10月和11月党小组重点工作分别是什么？") == [
        "10月党小组重点工作分别是什么？",
        "11月党小组重点工作分别是什么？",
    ]
    assert named_section("工作日历 > " + row_label(11, 12)) == "工作日历" and named_section(row_label(3, 3)) == ""
    rows = [
        ("r1", "第10–13行", "季度方向：四季度：总结提升 | 月份：10月 | 重点工作：谈心谈话"),
        ("r2", "第10–13行", "季度方向：四季度：总结提升 | 月份：11月 | 重点工作：我为群众办实事"),
        ("r3", "第11–12行", "序号：9 | 换届流程：召开党小组组长会议，介绍党员大会准备工作情况"),
    ]
    chunks = [Chunk(i, "党小组年度工作清单.xlsx", "党小组年度工作清单", s, t, n) for n, (i, s, t) in enumerate(rows)]
    d = _decide(assistant.analyzer, chunks, "党小组年度清单里，10月和11月排的重点工作是什么？")
    leads = [p.answer.text for p in d.parts if p.answer is not None]
    assert len(leads) == 2 and "谈心谈话" in leads[0] and "我为群众办实事" in leads[1]


def test_two_parts_answered_by_rows_alike_show_both_rows(assistant) -> None:  # type: ignore[no-untyped-def]
    from sizheng_bot.compose.answer import Lead, compose_answer

    rows = ["季度方向：四季度：总结提升、查找不足 | 月份：10月 | 重点工作：谈心谈话",
            "季度方向：四季度：总结提升、查找不足 | 月份：11月 | 重点工作：我为群众办实事"]  # fmt: skip
    chunks = [Chunk(f"r{n}", "清单.xlsx", "清单", "第10–13行", t, n) for n, t in enumerate(rows)]
    d = _decide(assistant.analyzer, chunks, "清单里10月和11月排的重点工作是什么？")
    units = [p.answer for p in d.parts if p.answer is not None]
    text = compose_answer(units, [Lead(u) for u in units]).text
    assert "谈心谈话" in text.split("\n\n")[1] and "我为群众办实事" in text.split("\n\n")[1]


def test_a_bare_what_is_answered_by_its_row_not_by_any_list(assistant) -> None:  # type: ignore[no-untyped-def]
    """干什么 asks what, not which ones: a row that merely holds a 、-list (培训计划、签到、总结) does not win."""
    chunks = [
        Chunk("a1", "工作清单.xlsx", "工作清单", "第6–7行", "月份：全年 | 重点工作：党小组学习 | 检查重点：学习计划、签到、总结", 0),
        Chunk("a2", "党小组清单.xlsx", "党小组年度工作清单", "第8–13行",
              "每季度方向：二季度：强化作风、提升能力 | 月份：5月 | 重点工作：发展党员工作", 0),
    ]  # fmt: skip
    d = _decide(assistant.analyzer, chunks, "党小组5月份重点工作干什么？")
    assert d.parts[0].answer is not None and "发展党员工作" in d.parts[0].answer.text


def test_who_asks_and_a_first_time_are_not_what_is_asked(assistant) -> None:  # type: ignore[no-untyped-def]
    chunks = [Chunk("k1", "党课记录模板.docx", "党课记录模板", "填写说明", "授课内容应概括主要观点，不建议逐字记录。", 0),
              Chunk("k2", "会议记录.docx", "会议记录", "", "召开新一届党支部委员会第一次全体会议，确定组织委员。", 0)]  # fmt: skip
    kb = KBView(chunks)
    terms = key_terms("我是支部组织委员，第一次写党课记录，内容要逐字记吗？", assistant.analyzer, kb)
    assert "第一次" not in terms and terms["组织委员"] < terms["逐字"] / 2
    assert "第一次" in key_terms("第一次全体会议选什么？", assistant.analyzer, kb)


def test_a_blank_form_table_answers_with_what_it_lists() -> None:
    """场地费 | XXXXXXXX | XXXXXXXX: every row is a blank and used to be dropped; the labels are the content."""
    from sizheng_bot.compose.filters import form_tables, placeholder_free
    from sizheng_bot.compose.select import split_units

    blank = ("项目 | 数量/标准 | 预算（元） | 备注\n场地费 | XXXXXXXX | XXXXXXXX |\n师资费 | XXXXXXXX | XXXXXXXX |\n"
             "住宿费（如需） | XXXXXXXX | XXXXXXXX |\n合计 | XXXXXXXX | XXXXXXXX |")  # fmt: skip
    filled = "姓名 | 职务\n张三 | 书记\n李四 | 组织委员\n王五 | 宣传委员"
    def shown(text: str, tables: bool) -> list[str]:
        hit = Hit("t1", text, 1.0, "实施方案.docx", "实施方案", "八、经费预算（模板）", None, 0)
        units = split_units(hit, 0)
        return [u.text for u in map(placeholder_free, form_tables(units) if tables else units) if u is not None]

    assert shown(blank, False) == ["项目 | 数量/标准 | 预算（元） | 备注"]  # the rows were all dropped
    assert shown(blank, True) == ["项目：场地费、师资费、住宿费（如需）、合计。"]
    assert shown(filled, True) == shown(filled, False)  # a table with real values keeps its rows


def test_a_short_question_asks_on_its_own_and_a_tag_question_does_not() -> None:
    assert split_parts("党课记录要逐字记吗？注意啥？") == ["党课记录要逐字记吗？", "注意啥？"]
    assert split_parts("党小组会每月开一次，是吗？") == ["党小组会每月开一次，是吗？"]
    assert split_parts("支委会三年一届。对吧？") == ["支委会三年一届。对吧？"]
