"""Issue 10: follow-ups resolved against the conversation, the question length cap, the empty-KB note."""

from __future__ import annotations

from sizheng_bot.answer.followup import answer_points, followup_query, is_followup, ordinal_point
from sizheng_bot.answer.guard import OUT_OF_SCOPE_MESSAGE, too_long
from sizheng_bot.types import TaskRequest

ANSWER = """> 离线摘编模式：以下为知识库原文摘录，未经大模型改写，[n] 为出处。

一是机关党委会。**每月召开一次**。[1]

### 报告 · 三、制度
- 二是党群工作办公会议。每季度召开一次。 [1]
- 三是支部书记例会。每半年召开一次。 [2]

## 参考来源
- [1] 报告.txt · 三、制度
"""
HISTORY = [("党校有哪些会议制度？", ANSWER)]


def test_points_of_the_previous_answer_are_parsed_without_markers_or_bold() -> None:
    assert answer_points(ANSWER) == ["一是机关党委会。每月召开一次。", "二是党群工作办公会议。每季度召开一次。",
                                     "三是支部书记例会。每半年召开一次。"]  # fmt: skip


def test_an_ordinal_names_the_point_of_the_previous_answer() -> None:
    assert ordinal_point("第二条展开说说", ANSWER) == "二是党群工作办公会议。每季度召开一次。"
    assert followup_query("第3点详细讲讲", HISTORY) == "三是支部书记例会。每半年召开一次。"
    assert ordinal_point("第九条展开说说", ANSWER) is None


def test_ellipsis_and_demonstratives_use_the_last_question() -> None:
    assert followup_query("那青年干部呢？", [("谈心谈话怎么开展？", "……")]) == "青年干部 谈心谈话怎么开展？"
    q = followup_query("这几件事里哪些是书记必须亲自抓的？", HISTORY)
    assert q.startswith("党校有哪些会议制度？") and "书记必须亲自抓" in q and "这几件事" not in q
    assert is_followup("这几件事里哪些是书记必须亲自抓的？") and not is_followup("谈心谈话制度有哪些要求？")
    assert followup_query("谈心谈话制度有哪些要求？", HISTORY) == "谈心谈话制度有哪些要求？"


def test_ordinal_follow_up_answers_from_the_points_passage(assistant) -> None:  # type: ignore[no-untyped-def]
    first = assistant.ask("机关党委会和党群工作办公会议多久开一次？")
    assert first.status in ("answered", "partial")
    second = assistant.ask("第一条展开说说", [("机关党委会和党群工作办公会议多久开一次？", first.text)])
    alone = assistant.ask("第一条展开说说")
    assert second.status in ("answered", "partial") and second.text != alone.text


def test_an_over_long_question_is_refused_in_chinese(assistant) -> None:  # type: ignore[no-untyped-def]
    assert too_long("短问题", 2000) is None
    r = assistant.ask("谈心谈话" * 600)
    assert r.status == "refused" and "问题太长" in r.text and "2000" in r.text and not r.citations


def test_out_of_scope_is_one_polite_note_without_command_hints(assistant) -> None:  # type: ignore[no-untyped-def]
    r = assistant.ask("周末想去成都玩两天，帮我排个行程")
    assert r.status == "refused" and r.text == OUT_OF_SCOPE_MESSAGE
    assert "sizheng-bot" not in r.text and r.text.count("- ") == 2


def test_empty_knowledge_base_is_said_only_when_it_is(fresh_assistant) -> None:  # type: ignore[no-untyped-def]
    asst = fresh_assistant
    if asst.stats().documents:
        for d in asst.documents():
            asst.remove(d.source)
    r = list(asst.stream(TaskRequest("ask", "谈心谈话怎么开展？")))[-1]
    assert r.status == "not_found" and "知识库为空" in r.text and "sizheng-bot" not in r.text


def test_these_things_are_looked_for_within_the_previous_answer(assistant) -> None:  # type: ignore[no-untyped-def]
    q1 = "机关党建有哪些会议制度？"
    first = assistant.ask(q1)
    follow = "这几件事里哪些是书记必须亲自抓的？"
    with_turn = assistant.ask(follow, [(q1, first.text)])
    alone = assistant.ask(follow)
    assert with_turn.text != alone.text
    earlier = {c.chunk_id for c in first.citations}
    assert earlier & {c.chunk_id for c in with_turn.citations}  # it answers from the earlier passages


def test_an_off_topic_question_the_kb_answers_is_answered(fresh_assistant, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert (
        fresh_assistant.ask("台风卡努什么时候移入东海？").status == "refused"
    )  # off topic, nothing in the KB
    doc = tmp_path / "气象快讯.txt"
    doc.write_text(
        "台风快讯\n据气象台预报，台风“卡努”预计于8月2日夜间移入东海，之后向偏北方向移动。\n", "utf-8"
    )
    fresh_assistant.ingest([doc])
    r = fresh_assistant.ask("台风卡努什么时候移入东海？")
    assert r.status == "answered" and "**8月2日" in r.text and r.citations[0].source == "气象快讯.txt"


def test_an_off_topic_question_sharing_only_a_word_with_the_kb_is_refused(fresh_assistant, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """推荐 / 手机 in the knowledge base do not make a novel or a phone's screenshot an answer; a passage
    that speaks of the off-topic thing itself does."""
    doc = tmp_path / "支部工作.txt"
    doc.write_text(
        "支部工作要点\n经支部委员会推荐，确定两名入党积极分子。为老年居民提供智能手机使用辅导。\n"
        "读书分享会\n青年理论学习小组推荐阅读长篇小说《红岩》，会后交流心得。\n",
        "utf-8",
    )
    fresh_assistant.ingest([doc])
    for q in ("苹果手机怎么截屏", "今天星期几"):
        r = fresh_assistant.ask(q)
        assert r.status == "refused" and r.text == OUT_OF_SCOPE_MESSAGE and not r.citations, q
    r = fresh_assistant.ask("推荐几本好看的小说")
    assert r.status in ("answered", "partial") and "红岩" in r.text


def test_a_chore_in_work_words_gets_the_one_note_and_its_lookalike_does_not(assistant) -> None:  # type: ignore[no-untyped-def]
    """单位/机关/领导/同事 only say where or who: the menu, the ticket, the greeting asked for are
    off topic. The same words in a request about Party work are not refused."""
    for q in ("单位食堂下周的菜单帮我排一下，要荤素搭配", "领导让我订下周三去北京出差的机票",
              "同事下周过生日，帮我写几句生日祝福", "机关办公室空调温度调到多少度最合适？"):  # fmt: skip
        r = assistant.ask(q)
        assert r.status == "refused" and r.text == OUT_OF_SCOPE_MESSAGE and not r.citations, q
    for q in ("组织党员到食堂开展节约粮食主题党日", "和生病住院的同事谈心谈话怎么谈",
              "组织党员去井冈山红色旅游，帮我排个行程"):  # fmt: skip
        assert assistant.ask(q).status != "refused", q


def test_a_chore_the_knowledge_base_answers_is_answered(fresh_assistant, tmp_path) -> None:  # type: ignore[no-untyped-def]
    q = "单位国庆的值班表是怎么排的？"
    assert fresh_assistant.ask(q).status == "refused"  # off topic, nothing in the KB
    doc = tmp_path / "办公室通知.txt"
    doc.write_text(
        "关于国庆假期值班安排的通知\n国庆假期机关值班表如下：10月1日由张伟值班，10月2日由李娜值班，"
        "10月3日由王强值班。值班人员须24小时保持通讯畅通。\n",
        "utf-8",
    )
    fresh_assistant.ingest([doc])
    r = fresh_assistant.ask(q)
    assert r.status == "answered" and "李娜" in r.text and r.citations[0].source == "办公室通知.txt"


def test_words_only_a_documents_title_holds_are_in_the_knowledge_base(fresh_assistant, tmp_path) -> None:  # type: ignore[no-untyped-def]
    q = "机关食堂下周的菜单是什么？"
    doc = tmp_path / "机关食堂下周菜单.txt"
    doc.write_text(
        "机关食堂下周菜单（3月10日—3月14日）\n\n周一：午餐红烧肉、清炒时蔬、番茄蛋汤；晚餐鱼香肉丝、蒜蓉西兰花。\n"
        "周三：午餐糖醋里脊、地三鲜、冬瓜汤；晚餐水饺。\n就餐时间：午餐11:30—13:00，晚餐17:30—18:30。\n",
        "utf-8",
    )  # 食堂 and 菜单 stand only in the title line, which is the document's title, not its text
    fresh_assistant.ingest([doc])
    r = fresh_assistant.ask(q)
    assert r.status == "answered" and "周一：午餐红烧肉" in r.text
    lunch = fresh_assistant.ask("食堂午饭几点开饭？")  # 午饭 is not the menu's 午餐: partial, but never 未找到
    assert lunch.status != "not_found" and "就餐时间：午餐" in lunch.text.split("\n")[2]
