"""The offline composer's parts on small hand-made passages: units, selection, answerability, citations."""

from __future__ import annotations

import re

import pytest

from sizheng_bot.answer.decide import check
from sizheng_bot.answer.quotes import QuoteVerifier
from sizheng_bot.compose import BANNER, CitationBook
from sizheng_bot.compose.answer import compose_answer, compose_not_found
from sizheng_bot.compose.drafting import role_score, section_role
from sizheng_bot.compose.kbview import KBView, document_texts
from sizheng_bot.compose.plan import detect_kinds, step_minutes
from sizheng_bot.compose.select import query_terms, scored_units, select, sentences, split_units
from sizheng_bot.types import Chunk, Hit

SRC = "测试报告.txt"
P1 = (
    "各单位要建立榜样示范机制。县农业局在全系统开展了“优秀公务员”评选活动,激励了工作人员的积极性。"
    "二是提高应对危机能力。制定应急预案,组织模拟演练,让机关工作人员在面对突发事件时能够冷静应对。"
)
P2 = "制定应急预案,组织模拟演练,让机关工作人员在面对突发事件时能够冷静应对。三是建立领导问责机制。对工作不力的领导进行问责。"
P3 = "机关近 5000 个党支部召开解放思想专题组织生活会,查摆问题。"


def chunk(i: int, text: str, section: str = "四、措施 > （一）提高重视程度") -> Chunk:
    return Chunk(f"c{i}", SRC, "测试报告", section, text, i, None, i * 100, i * 100 + len(text), f"h{i}")


def hit(c: Chunk, score: float = 1.0) -> Hit:
    return Hit(c.id, c.text, score, c.source, c.title, c.section, c.page, c.position)


CHUNKS = [chunk(0, P1), chunk(1, P2), chunk(2, P3, "一、成效 > (二)解放思想大讨论活动成为有力抓手")]
HITS = [hit(c, 1.0 - 0.1 * i) for i, c in enumerate(CHUNKS)]


@pytest.fixture(scope="module")
def analyzer(assistant):  # type: ignore[no-untyped-def]
    return assistant.analyzer


def units_for(analyzer, question: str, hits=HITS):  # type: ignore[no-untyped-def]
    q = query_terms(analyzer, question, KBView(CHUNKS).df)
    return q, scored_units(hits, q)


# --- units -----------------------------------------------------------------------------------------
def test_sentences_keep_closing_quotes_and_never_split_a_sentence() -> None:
    text = "他说：“要把红色资源利用好。”随后开展了活动。最后一句没有句号"
    assert sentences(text) == ["他说：“要把红色资源利用好。”", "随后开展了活动。", "最后一句没有句号"]


def test_units_are_verbatim_and_item_headers_join_their_sentence() -> None:
    units = split_units(HITS[0], 0)
    assert all(u.text in P1 for u in units)
    assert any(u.text.startswith("二是提高应对危机能力。制定应急预案") for u in units)


def test_overlapping_passages_give_each_sentence_once(analyzer) -> None:  # type: ignore[no-untyped-def]
    _, units = units_for(analyzer, "突发事件 应急预案 模拟演练")
    chosen = select(units, 8, 0.0, 0.0)
    assert sum("模拟演练" in u.text for u in chosen) == 1


# --- answers ----------------------------------------------------------------------------------------
def test_answer_points_carry_citations_that_exist(analyzer) -> None:  # type: ignore[no-untyped-def]
    _, units = units_for(analyzer, "碰到突发事件平时该怎么练？")
    draft = compose_answer(units)
    assert draft.status == "answered" and draft.text.startswith(BANNER)
    body, sources = draft.text.split("## 参考来源")
    bullets = [ln for ln in body.splitlines() if ln.startswith("- ")]
    assert bullets and sources.strip().startswith("- [1] 测试报告.txt")
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", draft.text)}
    assert cited == {c.n for c in draft.citations}
    assert all(re.search(r"\[\d+\]$", b) for b in bullets)
    assert "制定应急预案" in draft.text
    for c in draft.citations:
        assert c.quote in {ch.text for ch in CHUNKS} and c.source == SRC


def test_citation_book_numbers_in_order_of_first_use() -> None:
    book = CitationBook()
    assert [book.cite(HITS[2]), book.cite(HITS[0]), book.cite(HITS[2])] == ["[1]", "[2]", "[1]"]
    assert [c.quote for c in book.citations()] == [P3, P1]


def test_not_found_says_what_is_missing_and_cites_the_nearest(analyzer) -> None:  # type: ignore[no-untyped-def]
    _, units = units_for(analyzer, "优秀公务员评出了多少人？")
    draft = compose_not_found(["评出了多少人（具体数量）"], units)
    assert draft.status == "not_found"
    assert "知识库中未找到：评出了多少人（具体数量）" in draft.text
    assert draft.citations and "优秀公务员" in draft.text


# --- answerability ----------------------------------------------------------------------------------
def gaps(analyzer, question: str, chunks=CHUNKS) -> list[str]:  # type: ignore[no-untyped-def]
    kb = KBView(chunks)
    hits = [hit(c) for c in chunks]
    q = query_terms(analyzer, question, kb.df)
    return check(question, scored_units(hits, q), q, analyzer, kb).gaps


def test_a_count_needs_a_number_that_counts_the_thing(analyzer) -> None:  # type: ignore[no-untyped-def]
    assert gaps(analyzer, "解放思想大讨论时有多少个党支部开了专题组织生活会？") == []
    missing = gaps(analyzer, "县农业局优秀公务员评选最后评出了多少人？")
    assert missing and "具体数量" in missing[0]
    with_count = [*CHUNKS, chunk(3, "县农业局优秀公务员评选活动共评出优秀公务员12名,激励了大家。")]
    assert gaps(analyzer, "县农业局优秀公务员评选最后评出了多少人？", with_count) == []


def test_which_ten_needs_ten_items(analyzer) -> None:  # type: ignore[no-untyped-def]
    ten = chunk(
        3,
        "机关工委制定了“十不”提醒,包括不信谣、不传谣、不造谣、不妄议、不跟风、不泄密、不懈怠、不推诿、不越线、不失声。",
    )
    four = chunk(
        4, "机关工委制定了“十不”提醒,从岗位职责风险、阵地管理风险、制度机制风险和外部环境风险等方面排查。"
    )
    assert gaps(analyzer, "“十不”提醒具体是哪十条？", [ten]) == []
    assert "逐条内容" in gaps(analyzer, "“十不”提醒具体是哪十条？", [four])[0]


def test_names_missing_from_the_knowledge_base_are_gaps(analyzer) -> None:  # type: ignore[no-untyped-def]
    assert any("成都市" in g for g in gaps(analyzer, "成都市机关党建有什么经验？"))
    assert any("2023" in g for g in gaps(analyzer, "2023年应急演练怎么组织？"))
    assert gaps(analyzer, "机关干部碰到突发事件平时该怎么练？") == []


def test_a_question_with_nothing_to_look_up_is_a_gap(analyzer) -> None:  # type: ignore[no-untyped-def]
    assert gaps(analyzer, "那具体怎么做？")


# --- drafting helpers -------------------------------------------------------------------------------
def test_section_roles_follow_the_reports_structure() -> None:
    assert section_role("二、存在的问题 > （一）思想认识有待进一步提高") == "problem"
    assert section_role("三、加强机关思想政治工作的意义 > (五)防范和化解各种风险挑战") == "meaning"
    assert section_role("四、加强机关思想政治工作的措施 > (一)提高重视程度") == "measure"
    unit = split_units(HITS[1], 0)[-1]
    assert role_score(unit, "measure") > role_score(unit, "problem")


def test_plan_steps_follow_the_request_and_fill_the_time() -> None:
    kinds = detect_kinds("理论宣讲加志愿服务", "到结对社区开展主题党日")
    assert [k.step for k in kinds] == ["理论宣讲", "志愿服务"]
    for total, n in ((120, 2), (180, 1), (60, 2), (360, 3)):
        parts = step_minutes(total, n)
        assert sum(parts) == total and all(p >= 5 and p % 5 == 0 for p in parts) and len(parts) == n + 3


# --- knowledge-base views ---------------------------------------------------------------------------
def test_kb_view_counts_passages_and_finds_phrases_across_whitespace() -> None:
    kb = KBView(CHUNKS)
    assert kb.df("模拟演练") == pytest.approx(2 / 3)
    assert kb.df("不存在的词") == 0
    assert kb.contains("机关近5000个党支部") and kb.contains("提高重视程度")  # body text and headings
    assert not kb.contains("机关近6000个党支部")


def test_document_texts_drop_the_overlap_so_a_quote_across_chunks_is_found() -> None:
    ((source, text),) = list(document_texts(CHUNKS[:2]))
    assert source == SRC and text.count("制定应急预案") == 1
    verifier = QuoteVerifier([(source, text)])
    across = "让机关工作人员在面对突发事件时能够冷静应对。三是建立领导问责机制"
    assert verifier.check(across).found and verifier.check("四、措施").found
