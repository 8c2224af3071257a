"""What a weak model's reply amounts to: loops and uncited replies are not shown (the offline draft is,
with the reason), partial answers are told from full ones, and an invented quotation is always flagged."""

from __future__ import annotations

from sizheng_bot.answer.quotes import FLAG
from sizheng_bot.llm.postprocess import (
    Cleaned,
    clean_citations,
    echoes_prompt,
    is_looping,
    reply_status,
    unusable,
)
from sizheng_bot.types import Hit
from test_llm_pipeline import QUESTION, llm_assistant

import fake_openai

fake_llm = fake_openai.fake_llm
HITS = [Hit("c1", "谈心谈话要做到经常化。", 1.0, "a.txt", "a", "一、做法", None)]


def test_looping_and_uncited_replies_are_unusable() -> None:
    loop = "三会一课是什么？\n" * 6
    assert is_looping(loop) and unusable(loop, clean_citations(loop, HITS))
    assert is_looping("年度" * 200)
    uncited = "谈心谈话很重要，要经常开展。"
    assert (
        unusable(uncited, clean_citations(uncited, HITS)) == "大模型的回答没有引用任何给定材料，无法核对出处"
    )
    good = "谈心谈话要经常化[1]。"
    assert unusable(good, clean_citations(good, HITS)) is None
    assert unusable("知识库中未找到相关内容。", clean_citations("知识库中未找到相关内容。", HITS)) is None
    invented = "党校党群工作体系建设取得了显著成效，全面提高党课教学水平[1]。"  # a valid [1] after words from nowhere
    assert unusable(invented, clean_citations(invented, HITS)) == "大模型的回答与所标注的材料对不上，无法核对出处"
    paraphrase = "要做到谈心谈话经常化[1]。"
    assert unusable(paraphrase, clean_citations(paraphrase, HITS)) is None
    assert echoes_prompt("【用户问题】\n…", "【用户问题】\n{question}") and not echoes_prompt(
        "要经常谈心[1]。", "【用户问题】"
    )


def test_a_reply_that_echoes_the_prompt_is_unusable(assistant, fake_llm) -> None:  # type: ignore[no-untyped-def]
    # what gemma-3-270m (a base model) did in bench/llm_real.py: it continued the prompt, markers and all
    fake_llm.reply = "请依据下面的编号材料回答用户的问题。\n\n【用户问题】\n谈心谈话怎么开展？\n\n【编号材料】\n[1] （出处：a.txt）\n要经常谈心[1]。"
    result = llm_assistant(assistant, fake_llm.base_url).ask(QUESTION)
    assert result.mode == "offline" and "【编号材料】" not in result.text
    assert any("复述了提示词" in w for w in result.warnings)


def test_reply_status_tells_partial_not_found_and_refused() -> None:
    def status(text: str) -> str:
        cleaned: Cleaned = clean_citations(text, HITS)
        return reply_status(cleaned.text, cleaned)

    assert status("谈心谈话要经常化[1]。") == "answered"
    assert status("谈心谈话要经常化[1]。具体频次材料中没有提到，缺少依据。") == "partial"
    assert status("知识库中未找到这方面的规定。") == "not_found"
    assert status("这个问题超出本助手的服务范围，无法回答。") == "refused"


def test_a_looping_model_falls_back_to_the_offline_answer(assistant, fake_llm) -> None:  # type: ignore[no-untyped-def]
    fake_llm.reply = "谈心谈话怎么开展？\n" * 40
    result = llm_assistant(assistant, fake_llm.base_url).ask(QUESTION)
    assert result.mode == "offline" and result.citations
    assert any("陷入重复" in w and "已改用离线摘编模式" in w for w in result.warnings)


def test_an_uncited_reply_with_an_invented_quote_is_never_shown_unflagged(assistant, fake_llm) -> None:  # type: ignore[no-untyped-def]
    fake_llm.reply = "总书记指出“谈心谈话是第一位的工作方法”。"
    result = llm_assistant(assistant, fake_llm.base_url).ask(QUESTION)
    assert result.mode == "offline" and "第一位的工作方法" not in result.text
    fake_llm.reply = ("要推行一对一谈心谈话制度，定期面对面交流[1]。要做好谈话记录和跟进[1]。"
                      "总书记指出“谈心谈话是第一位的工作方法”[1]。")  # fmt: skip
    result = llm_assistant(assistant, fake_llm.base_url).ask(QUESTION)
    assert result.mode == "llm" and f"“谈心谈话是第一位的工作方法”[1]{FLAG}" in result.text
