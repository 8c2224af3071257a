"""Quote verification against the shipped knowledge-base reports."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sizheng_bot.answer.quotes import FLAG, QuoteVerifier, extract_claims, find_claims, strip_flags
from sizheng_bot.text import same_form as normalize

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
REPORTS = (
    "党校党群工作调研报告.txt",
    "全市机关党建观摩推进会交流发言.txt",
    "加强机关思想政治工作的研究_平昌县.txt",
    "市委党校机关思想政治工作调研报告.txt",
    "机关意识形态工作存在的问题及对策建议调研报告.txt",
)
IDEOLOGY = "机关意识形态工作存在的问题及对策建议调研报告.txt"
PARTY_SCHOOL = "党校党群工作调研报告.txt"
CITY_SCHOOL = "市委党校机关思想政治工作调研报告.txt"


@pytest.fixture(scope="module")
def documents() -> list[tuple[str, str]]:
    return [(name, (KNOWLEDGE / name).read_text(encoding="utf-8")) for name in REPORTS]


@pytest.fixture(scope="module")
def verifier(documents: list[tuple[str, str]]) -> QuoteVerifier:
    return QuoteVerifier(documents)


def test_fixture_files_have_the_artifacts_we_rely_on(documents: list[tuple[str, str]]) -> None:
    texts = dict(documents)
    assert "召 开" in texts[IDEOLOGY] and "《整改工作方案》 ," in texts[IDEOLOGY]
    assert "坚持围绕中心,服务大局;坚持以人为本" in texts[PARTY_SCHOOL]


def test_quote_found_despite_spaces_inside_the_source(verifier: QuoteVerifier) -> None:
    text = (
        "据调研，“机关近5000个党支部召开解放思想专题组织生活会”。"
        "又如“机关工委专门制定《整改工作方案》，着力解决包括意识形态工作在内的机关党建‘灯下黑’问题”。"
    )
    out, checks = verifier.verify(text)
    assert out == text
    assert [c.found for c in checks] == [True, True]
    assert {c.source for c in checks} == {IDEOLOGY}


def test_full_width_claim_matches_half_width_source(verifier: QuoteVerifier) -> None:
    check = verifier.check("“坚持围绕中心，服务大局；坚持以人为本。”")
    assert check.found and check.source == PARTY_SCHOOL
    assert check.text == "“坚持围绕中心，服务大局；坚持以人为本。”"


def test_quote_altered_by_one_character_is_flagged(verifier: QuoteVerifier) -> None:
    text = "党群工作理念是“坚持围绕中心，服务大局；坚持以民为本”[2]。"
    out, checks = verifier.verify(text)
    assert out == "党群工作理念是“坚持围绕中心，服务大局；坚持以民为本”[2]" + FLAG + "。"
    assert len(checks) == 1 and not checks[0].found and checks[0].source is None
    assert checks[0].text == "坚持围绕中心，服务大局；坚持以民为本"


def test_fabricated_attributed_sentence_is_flagged_real_one_is_not(verifier: QuoteVerifier) -> None:
    real = (
        "习近平总书记指出，加强机关思想政治工作是机关党建工作的一项重要职责，"
        "也是维护机关稳定、促进机关和谐、完成工作任务的重要保证。"
    )
    fake = "习近平总书记指出：机关党建工作要做到三个一百分。"
    out, checks = verifier.verify(real + fake)
    assert out == real + "习近平总书记指出：机关党建工作要做到三个一百分" + FLAG + "。"
    assert [(c.text, c.found) for c in checks] == [
        (
            "加强机关思想政治工作是机关党建工作的一项重要职责，也是维护机关稳定、促进机关和谐、完成工作任务的重要保证",
            True,
        ),
        ("机关党建工作要做到三个一百分", False),
    ]
    assert checks[0].source == CITY_SCHOOL


def test_attributed_sentences_are_claims() -> None:
    text = (
        "张三同志强调，要把谈心谈话落到实处。"
        "《中国共产党支部工作条例（试行）》规定：党支部每月开展一次主题党日。"
        "总书记在全国组织工作会议上的讲话中指出：要抓好基层。"
        "按照《条例》要求，做好各项工作。根据总书记的要求，抓好落实。"
    )
    assert find_claims(text) == ["要把谈心谈话落到实处", "党支部每月开展一次主题党日", "要抓好基层"]
    assert {c.kind for c in extract_claims(text)} == {"attributed"}


def test_attribution_followed_by_a_quotation_is_checked_once(verifier: QuoteVerifier) -> None:
    text = "习近平总书记指出：“思想政治工作是一切工作的生命线”。"
    claims = extract_claims(text)
    assert [(c.text, c.kind) for c in claims] == [("思想政治工作是一切工作的生命线", "quote")]
    out, checks = verifier.verify(text)
    assert FLAG in out and not checks[0].found  # the source says "是党的…，是一切工作的生命线"
    assert verifier.check("是一切工作的生命线").found


def test_multiple_quote_styles(verifier: QuoteVerifier) -> None:
    text = '「有事可做」、『三坚持』、"两张皮"、‘一岗双责’；「无中生有的话」、"凭空捏造的说法"。'
    claims = extract_claims(text)
    assert [c.text for c in claims] == [
        "有事可做",
        "三坚持",
        "两张皮",
        "一岗双责",
        "无中生有的话",
        "凭空捏造的说法",
    ]
    out, checks = verifier.verify(text)
    assert [c.found for c in checks] == [True, True, True, True, False, False]
    assert (
        out
        == '「有事可做」、『三坚持』、"两张皮"、‘一岗双责’；「无中生有的话」'
        + FLAG
        + '、"凭空捏造的说法"'
        + FLAG
        + "。"
    )


def test_flags_are_idempotent(verifier: QuoteVerifier) -> None:
    text = "**习近平总书记强调**：要把机关建设成为样板。他还说“这是编出来的话”[1]，“灯下黑”问题要解决。"
    once, checks = verifier.verify(text)
    twice, checks_again = verifier.verify(once)
    assert once == twice
    assert once.count(FLAG) == 2
    assert [(c.text, c.found) for c in checks_again] == [(c.text, c.found) for c in checks]
    assert strip_flags(once) == text


def test_short_terms_are_claims_and_found(verifier: QuoteVerifier) -> None:
    text = "着力解决“灯下黑”问题，落实“四强”行动，推广“五个一”做法。"
    claims = extract_claims(text)
    assert [(c.text, c.kind) for c in claims] == [("灯下黑", "term"), ("四强", "term"), ("五个一", "term")]
    out, checks = verifier.verify(text)
    assert [c.found for c in checks] == [True, True, False]
    assert out == "着力解决“灯下黑”问题，落实“四强”行动，推广“五个一”" + FLAG + "做法。"


def test_markers_markdown_placeholders_and_titles_are_not_claims() -> None:
    text = (
        "# 活动方案\n"
        "- 活动时间：“【待定】”\n"
        "- 依据《中国共产党支部工作条例（试行）》开展[1][2]\n"
        '参见 [链接](https://example.org/"a b c d") 与 `"code span"`。\n'
        "总书记指出：要【待定】。"
    )
    assert find_claims(text) == []


def test_citation_markers_inside_a_quote_are_ignored(verifier: QuoteVerifier) -> None:
    check = verifier.check("坚持围绕中心，服务大局[1]")
    assert not check.found  # check() takes claim text as given …
    out, checks = verifier.verify("“坚持围绕中心，服务大局[1]”")
    assert checks[0].found and FLAG not in out  # … but extraction drops our own markers


def test_quotation_with_omission_matches_parts_in_order(verifier: QuoteVerifier) -> None:
    assert verifier.check("“履不必同……期于适足。”").found
    assert not verifier.check("“期于适足……履不必同”").found  # wrong order
    assert not verifier.check("“履不必同……坚持以人为本”").found  # parts from two different files


def test_normalize_folds_width_punctuation_and_space() -> None:
    assert normalize("召 开\u3000解放，思想。") == normalize("召开解放,思想.") == "召开解放,思想."
    assert normalize("“甲”「乙」『丙』‘丁’") == '"甲""乙""丙""丁"'
    assert normalize("发现问题——分析问题—解决") == "发现问题-分析问题-解决"
    assert normalize("一……二...三") == "一…二…三"
    assert normalize("（ＡＢ１２）！？；：") == "(AB12)!?;:"


def test_large_corpus_is_fast(documents: list[tuple[str, str]]) -> None:
    corpus = [(f"{n}-{name}", text) for n in range(200) for name, text in documents]
    assert sum(len(text) for _, text in corpus) > 4_500_000
    start = time.perf_counter()
    verifier = QuoteVerifier(corpus)
    built = time.perf_counter() - start
    claims = [
        "坚持围绕中心，服务大局；坚持以民为本",
        "思想政治工作是一切工作的生命线",
        "灯下黑",
        "完全不存在的一句话哈哈哈",
    ]
    start = time.perf_counter()
    results = [verifier.check(c).found for _ in range(5) for c in claims]
    per_claim = (time.perf_counter() - start) / len(results)
    assert results[:4] == [False, False, True, False]
    assert verifier.check("坚持以人为本").source == f"0-{PARTY_SCHOOL}"
    assert built < 5.0 and per_claim < 0.05, (built, per_claim)


def test_unpaired_underscores_are_text_not_markdown() -> None:
    v = QuoteVerifier([("a.html", '学习记录：<img src=x onerror="window.__xss_img=1">这是标签文字。')])
    text, checks = v.verify('学习记录：<img src=x onerror="window.__xss_img=1">')
    assert checks and all(c.found for c in checks), checks
    assert FLAG not in text
    text, checks = v.verify("**重点**：“这是标签文字”")
    assert all(c.found for c in checks)
