"""Task parameters read from the request text; explicit arguments win; follow-ups made whole."""

from __future__ import annotations

import pytest

from sizheng_bot.answer.followup import followup_query, is_followup
from sizheng_bot.answer.intent import (
    DEFAULT_AUDIENCE,
    cn_number,
    outline_params,
    parse_audience,
    parse_minutes,
    parse_theme,
    parse_topic,
    plan_params,
    time_split,
)

DT01 = "七一快到了，想给机关党员上堂一刻钟左右的微党课，题目定为“用好红色资源、传承红色基因”，帮我搭个提纲。"
DT02 = "支部党员大会想安排一次10分钟左右的微党课，讲讲怎么发扬党内民主、开好民主生活会，帮忙列个提纲。"
DT03 = "我们支部想组织机关党员到结对社区开展一次理论宣讲加志愿服务的主题党日，请写一份活动方案。"


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("讲15分钟", 15), ("一刻钟左右的微党课", 15), ("半小时", 30), ("10分钟左右", 10), ("十五分钟", 15),
        ("二十分钟的党课", 20), ("1个半小时", 90), ("两小时", 120), ("2小时", 120), ("半天", 180), ("一天", 360),
        ("帮我写个微党课提纲", None),
    ],
)  # fmt: skip
def test_minutes_from_text(text: str, minutes: int | None) -> None:
    assert parse_minutes(text) == minutes


def test_chinese_numbers() -> None:
    assert [cn_number(w) for w in ("十", "十五", "二十", "一百二十", "三", "12")] == [10, 15, 20, 120, 3, 12]
    assert cn_number("abc") is None


@pytest.mark.parametrize(
    ("text", "audience"),
    [
        ("给青年干部讲一堂微党课", "青年干部"),
        ("面向新入职的同志", "新入职同志"),
        ("给新入职的年轻干部讲", "新入职年轻干部"),
        ("给新入职人员讲", "新入职人员"),
        ("新入职的上一堂课", "新入职干部"),
        (DT02, "支部党员"),
        (DT01, "机关党员"),
        ("给部队转业干部讲讲", "部队转业干部"),
        ("帮我写个提纲", None),
    ],
)
def test_audience_from_text(text: str, audience: str | None) -> None:
    assert parse_audience(text) == audience


def test_topic_from_quotes_and_phrases() -> None:
    assert parse_topic(DT01) == "用好红色资源、传承红色基因"
    assert parse_topic(DT02) == "发扬党内民主、开好民主生活会"
    assert parse_topic("给青年干部讲一堂半小时的微党课，主题是谈心谈话") == "谈心谈话"
    assert parse_topic("题目：用好谈心谈话这把“金钥匙”") == "用好谈心谈话这把金钥匙"  # no quotes kept


def test_plan_theme_from_the_activity_named() -> None:
    assert parse_theme(DT03) == "理论宣讲加志愿服务"
    assert parse_theme("搞一次2小时的青年干部读书分享会") == "青年干部读书分享会"


def test_outline_params_read_from_the_request() -> None:
    p = outline_params(DT01, None, None, None)
    assert (p.topic, p.audience, p.minutes) == ("用好红色资源、传承红色基因", "机关党员", 15)
    assert p.split[0] == ("导入", 2) and p.split[-1][0] == "结语"


def test_explicit_arguments_win() -> None:
    p = outline_params(DT01, "谈心谈话", "青年干部", 20)
    assert (p.topic, p.audience, p.minutes) == ("谈心谈话", "青年干部", 20)
    q = plan_params(DT03, "读书分享", "全体党员", "半天")
    assert (q.theme, q.audience, q.minutes) == ("读书分享", "全体党员", 180)
    assert "半天" in q.form


def test_defaults_when_nothing_is_said() -> None:
    p = outline_params("帮我写个微党课提纲", None, None, None)
    assert p.minutes == 15 and p.audience == DEFAULT_AUDIENCE and p.topic
    q = plan_params("写一份主题党日活动方案", None, None, None)
    assert q.minutes == 120 and q.party_day


def test_topic_taken_from_the_conversation() -> None:
    history = [("谈心谈话怎么搞才不流于形式？", "……")]
    assert outline_params("据此帮我写个10分钟的微党课提纲", None, None, None, history).topic == "谈心谈话"


@pytest.mark.parametrize("minutes", range(6, 61))
def test_time_split_sums_to_the_total(minutes: int) -> None:
    split = dict(time_split(minutes))
    assert sum(split.values()) == minutes
    assert split["导入"] == (2 if minutes >= 10 else 1)
    assert 1 <= split["结语"] <= 2
    parts = [split["第一部分"], split["第二部分"], split["第三部分"]]
    assert max(parts) - min(parts) <= 1 and min(parts) >= 1
    assert ("互动讨论" in split) == (minutes >= 15)


def test_followup_is_made_whole_from_the_last_user_turn() -> None:
    history = [("谈心谈话怎么搞才不流于形式？", "要做到经常化……")]
    assert is_followup("那具体怎么做？")
    q = followup_query("那具体怎么做？", history)
    assert (
        q.startswith("谈心谈话怎么搞才不流于形式") and "具体怎么做" in q and not q.endswith("那具体怎么做？")
    )
    assert followup_query("意识形态工作责任制怎么落实？", history) == "意识形态工作责任制怎么落实？"
    assert followup_query("那具体怎么做？", []) == "那具体怎么做？"
