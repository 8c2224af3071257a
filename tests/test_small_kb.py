"""A new user's knowledge base of one or two files: questions it answers are answered, not 未找到."""

from __future__ import annotations

import pytest

from sizheng_bot.assistant import Assistant

from conftest import make_settings


@pytest.fixture(scope="module")
def one_file_kb(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("small")
    (root / "docs").mkdir()
    (root / "docs" / "支部通知.txt").write_text(
        "一、谈心谈话\n党支部书记每半年至少同每名党员谈心一次，了解思想动态。\n"
        "二、组织生活\n党小组会一般每月召开一次，支部委员会会议一般每月召开一次。",
        encoding="utf-8",
    )
    asst = Assistant.from_settings(make_settings(root / "data"))
    asst.ingest([root / "docs"])
    return asst


@pytest.mark.parametrize(
    ("question", "span"),
    [
        ("党支部书记多长时间和党员谈心一次？", "每半年"),  # 多长时间 once left "长时间" behind as a missing subject
        ("党小组会多久开一次？", "每月"),
        ("支部委员会会议是不是每月都要开？", "每月"),
    ],
)
def test_a_question_the_only_file_answers_is_answered(one_file_kb: Assistant, question: str, span: str) -> None:
    r = one_file_kb.ask(question)
    assert r.status == "answered", r.text
    assert span in r.text and r.citations and r.quotes_unverified == 0
