"""Issue 10: typed answer detectors and the evidence-based decision (answered / partial / not_found)."""

from __future__ import annotations

import pytest

from sizheng_bot.answer import detectors
from sizheng_bot.answer.decide import decide
from sizheng_bot.answer.parts import split_parts
from sizheng_bot.compose.kbview import KBView
from sizheng_bot.compose.select import query_terms, scored_units
from sizheng_bot.types import Chunk, Hit


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("党委会一般多久开一回？", "frequency"),
        ("支部学习多长时间搞一次？", "frequency"),
        ("党小组会一年开几次？", "frequency"),
        ("公示要多少天？", "duration"),
        ("换届选举要提前多久报告上级党组织？", "duration"),  # a lead time; 党组织 is no 组织 (organise)
        ("党小组会多久组织一次？", "frequency"),
        ("标“全年”的那几项，是做一次就行吗？", "frequency"),  # 那几项 points back, it counts nothing
        ("能给参加的党员发多少交通补贴？", "money"),
        ("预备期是几年？", "duration"),
        ("换届从哪天算起？", "date"),
        ("支委会最晚什么时候开会？", "date"),
        ("要选几名副书记？", "count"),
        ("党费交多少比例？", "ratio"),
        ("经费每人多少钱？", "money"),
        ("谈心谈话由谁来谈？", "person"),
        ("培训班在哪里办？", "place"),
    ],
)
def test_the_asked_kind_is_recognised(question: str, kind: str) -> None:
    assert detectors.asked(question)[0].name == kind


def test_a_few_is_not_a_count() -> None:
    assert not detectors.specific(detectors.asked("我们想办几期读书会，怎么组织比较好？"))
    assert detectors.asked("读书会一共办了几期？")[0].name == "count"


@pytest.mark.parametrize(
    ("kind", "text", "span"),
    [
        ("frequency", "机关党委会每月召开一次。", "每月召开一次"),
        ("frequency", "党小组会一般每季度召开一次。", "每季度召开一次"),
        ("duration", "公示时间不少于五个工作日。", "不少于五个工作日"),
        ("duration", "党龄在一年以上的党员。", "一年以上"),
        ("duration", "公示至少5个工作日。", "至少5个工作日"),
        ("count", "每个支部配备一至两名联络员。", "一至两名"),
        ("count", "机关近5000个党支部召开组织生活会。", "5000个"),
        ("date", "预备期自支部大会通过之日起计算。", "自支部大会通过之日起"),
        ("date", "支委会任期届满前1个月以上召开会议。", "届满前1个月"),
        ("ratio", "差额比例不少于应选人数的20%。", "20%"),
        ("date", "就餐时间：午餐11:30—13:00，晚餐17:30—18:30。", "11:30—13:00"),
    ],
)
def test_evidence_spans(kind: str, text: str, span: str) -> None:
    m = detectors.evidence(detectors.BY_NAME[kind], text)
    assert m is not None and m.group(0).strip("，。") == span


def test_vague_frequency_loses_to_a_stated_one() -> None:
    weak = detectors.evidence(detectors.BY_NAME["frequency"], "常态化开展谈心谈话。")
    strong = detectors.evidence(detectors.BY_NAME["frequency"], "每季度开展一次谈心谈话。")
    assert weak and strong and detectors.strength(strong) > detectors.strength(weak)
    assert detectors.evidence(detectors.BY_NAME["count"], "组织上入党一生一次。") is None


def test_parts_split_at_question_marks_and_at_commas_between_two_asks() -> None:
    assert split_parts("党委会多久开一次？党群办公会呢？") == ["党委会多久开一次？", "党群办公会呢？"]
    assert split_parts("谁跟谁必须谈，多久谈一次？") == ["谁跟谁必须谈，", "多久谈一次？"]
    assert split_parts("纸质公示怎么弄，要注意什么？") == ["纸质公示怎么弄，要注意什么？"]


SRC = "制度汇编.txt"
TEXTS = [
    "第五,党群工作会议制度。一是机关党委会。每月召开一次。二是党群工作办公会议。每季度召开一次。",
    "谈心谈话要常态化开展,领导干部要与下属面对面交流,了解他们的思想动态。",
    "青年理论学习小组由小组长负责组织学习,学习内容以党的创新理论为核心内容。",
]
CHUNKS = [Chunk(f"c{i}", SRC, "制度汇编", "四、制度", t, i, None, i * 100, i * 100 + len(t), f"h{i}")
          for i, t in enumerate(TEXTS)]  # fmt: skip


def judge(analyzer, question: str):  # type: ignore[no-untyped-def]
    kb = KBView(CHUNKS)
    hits = [Hit(c.id, c.text, 1.0 - 0.1 * i, c.source, c.title, c.section, None, c.position)
            for i, c in enumerate(CHUNKS)]  # fmt: skip
    return decide(question, scored_units(hits, query_terms(analyzer, question, kb.df)), analyzer, kb)


def test_four_outcomes_from_the_passages(assistant) -> None:  # type: ignore[no-untyped-def]
    a = assistant.analyzer
    both = judge(a, "机关党委会多久开一次？党群工作办公会议呢？")
    assert both.status == "answered" and [p.outcome for p in both.parts] == ["answered", "answered"]
    first = both.parts[0]
    assert first.answer is not None and first.span is not None
    assert first.answer.text[first.span[0] : first.span[1]].startswith("每月")
    partial = judge(a, "谈心谈话多久谈一次？")  # the subject is there, the frequency only as 常态化
    assert partial.status == "answered" or partial.status == "partial"
    missing = judge(a, "青年理论学习小组多久学习一次？")  # the group is there, how often it meets is not
    assert missing.status == "partial" and any("原文未写明具体的频次" in g for g in missing.gaps)
    none = judge(a, "量子计算机的工作原理是什么？")
    assert none.status == "not_found" and none.gaps
    mixed = judge(a, "机关党委会多久开一次？量子计算机的工作原理是什么？")
    assert mixed.status == "partial" and [p.outcome for p in mixed.parts] == ["answered", "missing"]


def test_a_count_counts_the_noun_asked_about_and_a_person_is_a_person() -> None:
    from sizheng_bot.answer.detectors import BY_NAME, counted_noun, stated

    assert counted_noun("市委党校一共有多少名党员？") == "党员" and counted_noun("需要多少人参加？") == "人"
    count, person = BY_NAME["count"], BY_NAME["person"]
    q = "市委党校一共有多少名党员？"
    assert stated(count, "重新设立机关、教务、教研和老干部四个党支部，各党支部严格落实制度。", q) is None
    assert stated(count, "机关近5000个党支部召开专题组织生活会。", "大概多少个支部开了？") is not None
    m = stated(count, "全校现有党员126名，分布在四个党支部。", q)
    assert m is not None and m.group(0).startswith("126")
    q = "“秘书工作大家谈”每期请的是哪位领导？"
    assert stated(person, "机关近5000个党支部召开专题组织生活会。", q) is None
    assert stated(person, "每期邀请一位副秘书长或处长主讲。", q) is not None
    assert (
        stated(person, "由机关党委负责组织。", "这项工作由哪个部门负责？") is not None
    )  # an office is asked


def test_a_list_items_number_is_no_count() -> None:
    count = next(k for k in detectors.KINDS if k.name == "count")
    assert detectors.stated(count, "3.组织党员围绕本次服务情况撰写简短体会。") is None
    assert detectors.stated(count, "支部现有党员23名。").group(0) == "23名"  # type: ignore[union-attr]


def test_saying_what_to_do_does_not_outrank_what_the_question_is_about(assistant) -> None:  # type: ignore[no-untyped-def]
    chunks = [
        Chunk("r1", "选举办法.docx", "会议记录", "", "（4）确定选举办法：党支部委员会委员由支部党员大会直接采取候选人"
              "的差额不少于应选人数的20%的差额选举办法选举产生；党支部委员会书记、副书记（若无则删划线部分）实行等额选举，"
              "由新一届党支部委员会第一次全体会议选举产生。", 0),
        Chunk("r2", "主持词.docx", "新一届党支部委员会全体会议主持词", "", "现在进行选举。"
              "上述选举结果和委员分工情况，将在党员大会上宣布，并在会后报上级党委批准。", 0),
        Chunk("r3", "通知.docx", "通知", "", "请各支部按时参加培训，认真做好学习记录。", 0),
        Chunk("r4", "计划.docx", "计划", "", "支部每季度召开一次组织生活会。", 0),
    ]  # fmt: skip
    kb = KBView(chunks)
    order = [chunks[1], chunks[0], *chunks[2:]]  # as retrieved: the 主持词 first
    hits = [Hit(c.id, c.text, 1.0 - 0.2 * i, c.source, c.title, c.section, None, 0) for i, c in enumerate(order)]
    q = "新一届支委会选出书记、商量好分工以后，结果下一步怎么处理？"
    d = decide(q, scored_units(hits, query_terms(assistant.analyzer, q, kb.df)), assistant.analyzer, kb)
    lead = d.parts[0].answer
    assert lead is not None and "党员大会上宣布" in lead.text  # not the prescriptive 选举办法 sentence


def test_a_rows_serial_number_is_no_count_and_more_than_half_answers_how_many_votes() -> None:
    count = detectors.BY_NAME["count"]
    q = "候选人拿到多少赞成票才算选上？"
    assert detectors.stated(count, "序号：6 | 换届流程：召开支委会，研究确定候选人预备人选名单", q) is None
    m = detectors.stated(count, "候选人得赞成票超过应到会党员的半数，当选为新一届党支部委员。", q)
    assert m is not None and m.group(0) == "超过应到会党员的半数"


def test_the_one_character_noun_asked_for_leads_to_its_compounds(assistant) -> None:  # type: ignore[no-untyped-def]
    """什么笔: 笔 is what is asked, and the passage says it as 钢笔、签字笔 (not the sentence that merely
    shares 全体会议 and 选票 with the question)."""
    from sizheng_bot.answer.terms import key_terms

    chunks = [
        Chunk("p1", "流程.xlsx", "换届流程", "", "序号：10 | 换届流程：支部召开党员大会进行换届选举 | 需归档台账："
              "党员大会记录、新一届党支部委员会第一次全体会议记录", 0),
        Chunk("p2", "主持词.docx", "全体会议主持词", "", "各位委员拿到选票后，请仔细看一下选票内容和填写方式，"
              "用钢笔、签字笔或圆珠笔填写。", 0),
        Chunk("p3", "通知.docx", "通知", "", "请各支部按时参加培训，认真做好学习记录。", 0),
    ]  # fmt: skip
    kb = KBView(chunks)
    q = "支委会第一次全体会议填选票，能用什么笔？"
    assert "笔" in key_terms(q, assistant.analyzer, kb)
    assert "人" not in key_terms("这次培训给什么人办的？", assistant.analyzer, kb)
    hits = [Hit(c.id, c.text, 1.0 - 0.2 * i, c.source, c.title, c.section, None, 0) for i, c in enumerate(chunks)]
    d = decide(q, scored_units(hits, query_terms(assistant.analyzer, q, kb.df)), assistant.analyzer, kb)
    lead = d.parts[0].answer
    assert lead is not None and "签字笔" in lead.text


def test_exists_which_problems_asks_no_place() -> None:
    """存在哪些问题 holds 在哪 but asks for a list, not a place; 会议在哪开 asks for a place."""
    assert "place" not in [k.name for k in detectors.asked("调研说青年工作存在哪些问题？")]
    assert "place" in [k.name for k in detectors.asked("这次党日活动在哪开？")]
