"""A 哪些/哪四有 question over an enumeration whose items run over several sentences (一是…。<body>二是…)
is answered by the run of item heads, across chunk boundaries; a question about one item is answered
by that item's own text, not by the heads of the list it stands in."""

from __future__ import annotations

import pytest

from sizheng_bot.assistant import Assistant
from sizheng_bot.compose.filters import placeholder_free
from sizheng_bot.compose.items import item_heads, ordinal
from sizheng_bot.compose.select import split_units
from sizheng_bot.types import Hit

from conftest import make_settings

REPORT = """某县机关工委青年工作调研

一、工作理念

工委逐步形成了以“两个坚持、三有”为内容的青年工作理念。第一,“两个坚持”。即坚持需求导向,坚持实效导向。这“两个坚持”相辅相成。第二,“三有”。一是有活可干。青年干部要在重点工作中压担子,在急难险重任务中经风雨、见世面、长才干,组织上要为他们搭建干事创业的平台。二是有话可说。要畅通青年干部建言献策的渠道,定期召开青年座谈会,认真听取他们对机关建设的意见建议,做到件件有回音。三是有路可走。要完善青年干部成长的激励机制,把政治素质好、工作实绩突出的青年干部及时选拔到合适岗位,让他们看得见前景。

二、存在问题

调研发现,青年工作仍存在一些问题和挑战:一是学习流于形式。部分青年理论学习满足于读文件、抄笔记,学用脱节,没有真正入脑入心。二是交流渠道不畅。青年干部与单位领导之间的沟通偏少,思想动态掌握不及时。三是关爱措施不多。对青年干部的生活困难、成长烦恼关心不够,帮扶办法单一。
"""


@pytest.fixture(scope="module")
def report_kb(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("enum")
    (root / "docs").mkdir()
    (root / "docs" / "青年工作调研_某县.txt").write_text(REPORT, encoding="utf-8")
    asst = Assistant.from_settings(make_settings(root / "data", chunk_size=200))
    asst.ingest([root / "docs"])
    return asst


def _lead(text: str) -> str:
    return text.split("\n\n")[1]  # the answer's first paragraph, after the mode line


def test_the_named_list_is_answered_by_its_item_heads(report_kb: Assistant) -> None:
    r = report_kb.ask("青年工作理念里的“三有”指的是哪三有？")
    lead = _lead(r.text)
    assert r.status == "answered", r.text
    assert lead.index("一是有活可干。") < lead.index("二是有话可说。") < lead.index("三是有路可走。"), r.text
    assert "压担子" not in lead  # the heads, not the bodies
    assert r.quotes_unverified == 0


def test_a_list_announced_after_a_colon_is_answered_whole(report_kb: Assistant) -> None:
    r = report_kb.ask("某县那篇调研说青年工作存在哪些问题？")
    lead = _lead(r.text)
    for head in ("学习流于形式", "交流渠道不畅", "关爱措施不多"):
        assert head in lead, r.text


def test_a_question_about_one_item_gets_that_item_not_the_list_of_items(report_kb: Assistant) -> None:
    r = report_kb.ask("“两个坚持、三有”里面的“两个坚持”是坚持哪两条？")
    assert "坚持需求导向" in r.text and "坚持实效导向" in r.text, r.text
    assert "一是有活可干" not in _lead(r.text), r.text


def _hit(text: str, position: int = 0) -> Hit:
    return Hit(f"c{position}", text, 1.0, "a.txt", "调研", "一、理念", None, position)


def test_item_heads_follow_the_numbering_into_the_next_chunk() -> None:
    first = _hit("第二,“三有”。一是有活可干。组织上要为他们搭建平台。二是有话可说。要畅通渠道。三是有路可走。", 0)
    second = _hit("要完善激励机制,让他们看得见前景。四是有事可做。要把青年放到一线去。", 1)
    units = split_units(first, 0) + split_units(second, 1)
    assert [u.text for u in units if u.text.startswith("三是")] == ["三是有路可走。"]  # a head at the end stays
    assert ordinal("第二,“三有”。") == ("di", 2) and ordinal("调研发现,仍存在问题:一是学习流于形式。") == ("shi", 1)
    heads = item_heads(next(u for u in units if u.text.startswith("一是")), units)
    assert [h.text for h in heads] == ["一是有活可干。", "二是有话可说。", "三是有路可走。", "四是有事可做。"]


def test_an_items_head_survives_a_masked_name_in_its_body() -> None:
    hit = _hit("一是明确方向,做到因势而新。认真践行***总书记重要指示精神,务必把思想政治工作摆在突出位置来抓。")
    (unit,) = split_units(hit, 0)
    kept = placeholder_free(unit)
    assert kept is not None and "*" not in kept.text  # what is quoted never carries the masked name
    assert kept.whole.startswith("一是明确方向")  # the item's head is still known for the list of heads
