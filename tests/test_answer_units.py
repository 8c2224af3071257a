"""What the offline answer quotes from real office files: one table row (not its neighbours), no web
address stamped into a sheet, and the enumeration a "哪些/什么要求" question asks for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sizheng_bot.answer.detectors import asks_list, enumerated
from sizheng_bot.assistant import Assistant
from sizheng_bot.compose.cleanliness import fit_for_draft, is_web_stamp
from sizheng_bot.compose.filters import is_cut, is_filler
from sizheng_bot.compose.select import sentences, split_units
from sizheng_bot.types import Hit

from conftest import make_settings

ROWS = [
    ("全年", "党费收缴、公示", "党费台账", "按月规范收缴"),
    ("全年", "谈心谈话", "谈话记录", "结合重点工作开展"),
    ("3月", "组织生活会、民主评议党员", "会议资料是否完整", "以上级党委通知为准"),
    ("7月", "“七一”主题党日、专题党课", "党课、活动资料", "结合七一开展"),
]
STAMP = "www.example-dangjian.com"
ESSAY = Path(__file__).resolve().parents[1].parent / "shared" / "realdocs-dev" / "formats" / "拿来主义（鲁迅）.ofd"


def _sheet(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "工作日历"
    ws.append(["月份", "重点工作", "检查重点", "提醒"])
    for row in ROWS:
        ws.append(list(row))
    ws.append([STAMP])
    wb.save(path)


@pytest.fixture(scope="module")
def office_kb(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("office")
    docs = root / "docs"
    docs.mkdir()
    _sheet(docs / "支部全年工作日历.xlsx")
    for real in (ESSAY, ESSAY.parents[1] / "党课记录模板.docx"):  # real files from the shared dev documents
        if real.exists():
            shutil.copy(real, docs)
    asst = Assistant.from_settings(make_settings(root / "data"))
    asst.ingest([docs])
    return asst


def test_a_question_about_one_table_row_quotes_that_row_alone(office_kb: Assistant) -> None:
    r = office_kb.ask("党费收缴这项工作，检查时看什么？")
    assert r.status == "answered", r.text
    assert "党费台账" in r.text and r.quotes_unverified == 0
    lead = r.text.split("\n\n")[1]  # the answer's first paragraph, after the mode line
    # the row is quoted by itself: the other rows of the sheet are not glued to it
    assert "党费台账" in lead and "谈话记录" not in lead and "七一" not in lead, r.text


def test_a_web_address_stamped_into_a_sheet_is_never_quoted(office_kb: Assistant) -> None:
    for question in ("党费收缴这项工作，检查时看什么？", "七月份支部要做哪些工作？", "组织生活会一般几月开？"):
        r = office_kb.ask(question)
        assert STAMP not in r.text, r.text


@pytest.mark.skipif(not ESSAY.exists(), reason="needs ../shared/realdocs-dev")
def test_a_what_is_required_question_gets_the_enumeration(office_kb: Assistant) -> None:
    r = office_kb.ask("《拿来主义》对拿来的人有什么要求？")
    assert r.status == "answered", r.text
    assert "沉着，勇猛，有辨别，不自私" in r.text, r.text


def _hit(text: str) -> Hit:
    return Hit("c0", text, 1.0, "表.xlsx", "表", "第2–4行", None, 0)


def test_table_rows_are_units_and_a_row_at_the_passage_end_is_not_cut_off() -> None:
    text = "每季度方向：一季度：\n统一思想、夯实基础 | 月份：1月 | 重点工作：制定年度党小组工作计划\n" + (
        "每季度方向：二季度：\n强化作风、提升能力 | 月份：5月 | 重点工作：发展党员工作 | 备注：根据实际开展"
    )
    parts = [p.strip() for p in sentences(text)]
    assert parts == [
        "每季度方向：一季度：\n统一思想、夯实基础 | 月份：1月 | 重点工作：制定年度党小组工作计划",
        "每季度方向：二季度：\n强化作风、提升能力 | 月份：5月 | 重点工作：发展党员工作 | 备注：根据实际开展",
    ]
    units = split_units(_hit(text), 0)
    assert [u.text for u in units] == parts and all(u.text in text for u in units)
    assert not is_cut(units[-1])  # a row has no full stop, and is whole all the same


def test_prose_is_still_cut_at_full_stops_only() -> None:
    assert sentences("第一句。第二句没有句号") == ["第一句。", "第二句没有句号"]


def test_web_stamps_are_boilerplate_but_prose_naming_a_site_is_not() -> None:
    assert is_web_stamp("序号：www.xiaoxuan-example.com") and is_filler("序号：www.xiaoxuan-example.com")
    assert fit_for_draft("每季度方向：https://example.org/x") is None
    prose = "请党员登录www.12371.cn共产党员网参加网上学习，按要求完成学时并提交心得体会。"
    assert not is_web_stamp(prose) and not is_filler(prose)


def test_enumerations_and_questions_asking_for_several_things() -> None:
    assert enumerated("然而首先要这人沉着，勇猛，有辨别，不自私。") >= 3
    assert enumerated("通过参观学习、重温誓词、现场微党课和交流研讨，全体党员受到教育。") == 3
    assert enumerated("我们要拿来，要使用，要存放。") < 3
    assert asks_list("对拿来的人提了什么要求？") and asks_list("重点盯哪几类人？")
    assert not asks_list("党小组会多久开一次？")


def test_a_person_left_as_a_template_slot_is_never_quoted(tmp_path: Path) -> None:
    """A record template's "党员代表李XX表示…" is no one's words; the rule sentence beside it is the answer."""
    doc = tmp_path / "主题党日活动记录模板.txt"
    doc.write_text(
        "主题党日活动记录模板\n\n一、交流感悟\n党员代表李XX表示，主题党日与业务工作结合开展以后，今后要以更高标准做好本职工作。\n\n"
        "二、组织要求\n主题党日可以与业务工作结合开展，但应当突出政治学习，不能以业务会议代替主题党日。\n",
        "utf-8",
    )
    asst = Assistant.from_settings(make_settings(tmp_path / "data"))
    asst.ingest([doc])
    r = asst.ask("主题党日能不能和业务工作结合起来搞？")
    assert r.status in ("answered", "partial") and "不能以业务会议代替主题党日" in r.text
    assert "李XX" not in r.text
    prose = "立足XX大地，服务发展大局。各支部结合实际开展学习。"
    assert is_filler("党员代表李XX表示，今后要做好本职工作。", prose) and not is_filler(prose[:13], prose)


def test_a_point_is_judged_by_its_own_words_not_by_the_form_points_packed_beside_it() -> None:
    from sizheng_bot.compose.filters import placeholder_free

    passage = ("1、清点到会人数并向大会报告：大会应到会党员X名，实到会党员X名，会议有效。"
               "2、宣布党员大会开始，奏唱《国歌》。"
               "3、经上届委员会推举，XX同志为监票人；指定XX同志为计票人，会上经全体党员举手表决通过。")  # fmt: skip
    units = {u.text[:2]: u for u in split_units(_hit(passage), 0)}
    assert units["3、"].passage.startswith("3、经上届委员会推举")
    kept = placeholder_free(units["3、"])
    assert kept is not None and kept.text == units["3、"].text  # a name slot in prose, not in a form
    assert placeholder_free(units["1、"]) is None or "X名" not in placeholder_free(units["1、"]).text  # type: ignore[union-attr]


def test_points_on_lines_of_their_own_are_units_without_end_punctuation() -> None:
    text = ("1、发文当前位置和承办处室使用别名\n2、党委报送材料和发文列表按发送时间倒序排序\n"
            "3、“报送党委材料”部门选择功能新增子部门数量展示\n4、处理笺实现标题自动附加来文文号功能")
    units = [u.text for u in split_units(_hit(text), 0)]
    assert "3、“报送党委材料”部门选择功能新增子部门数量展示" in units  # one point, not the whole list
    assert "".join(sentences(text)) == text  # verbatim pieces


def test_a_blank_count_keeps_the_rule_it_stands_in() -> None:
    from sizheng_bot.compose.filters import placeholder_free

    text = "根据选举办法和计票结果，新一届党支部委员会设委员X名，X名候选人得赞成票超过应到会党员的半数，当选为新一届党支部委员。"
    kept = placeholder_free(split_units(_hit(text), 0)[0])
    assert kept is not None and kept.text == "候选人得赞成票超过应到会党员的半数，当选为新一届党支部委员。"
    named = placeholder_free(split_units(_hit("经上届委员会推举，指定XX同志为计票人，会上经全体党员举手表决通过。"), 0)[0])
    assert named is None or not named.text.startswith("同志")  # a person slot still cuts at the clause end
