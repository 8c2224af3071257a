"""Answer metrics on hand-made results: each metric can fail."""

from __future__ import annotations

from sizheng_bot.evaluation.answers import (
    evaluate_answers,
    invented_dates,
    percentiles,
    score_item,
    sections_present,
)
from sizheng_bot.types import Citation, QuoteCheck, Result

CHUNK = "二是提高应对危机能力。制定应急预案,组织模拟演练,让机关工作人员在面对突发事件时能够冷静应对。"
DOC = "加强机关思想政治工作的研究_平昌县.txt"
ITEM = {"id": "d06", "kind": "howto", "question": "平时该怎么练？", "answer_points": ["应急预案", "模拟演练", "冷静应对"],
        "gold": [{"doc": DOC, "evidence": "二是提高应对危机能力。制定应急预案,组织模拟演练,让机关工作人员 在面对突发事件时能够冷静应对"}]}  # fmt: skip


def cite(quote: str, source: str = DOC, n: int = 1) -> Citation:
    return Citation(n, source, "t", "s", None, quote)


def test_answerable_item_scores_points_and_gold_citations() -> None:
    good = Result("要制定应急 预案，组织模拟演练[1]。", "offline", "answered", citations=[cite(CHUNK)])
    d = score_item(ITEM, good, [CHUNK])
    assert d["coverage"] == 2 / 3 and d["missing"] == ["冷静应对"]  # whitespace inside a point is ignored
    assert d["gold_cited"] and d["valid_citations"] == 1
    bad = Result(
        "要制定应急预案。",
        "offline",
        "answered",
        citations=[cite("不在知识库里的话"), cite(CHUNK, "别的.txt")],
    )
    d = score_item(ITEM, bad, [CHUNK])
    assert d["valid_citations"] == 1 and not d["gold_cited"]


def test_sections_of_outlines_and_plans() -> None:
    outline = "\n".join(["# 题", "授课对象：党员", "时长：约15分钟", "## 教学目标", "## 一、导入（约2分钟）",
                         "## 二、甲", "## 三、乙", "## 四、丙", "## 互动讨论", "## 结语", "## 参考资料"])  # fmt: skip
    assert sections_present("outline", outline) == (1.0, [])
    share, missing = sections_present(
        "outline", outline.replace("## 互动讨论\n", "").replace("## 四、丙\n", "")
    )
    assert share < 1.0 and set(missing) == {"互动讨论", "三个主体部分"}
    plan = "# 方案\n## 一、活动目的\n## 二、参加对象\n## 三、时间地点\n## 四、活动流程\n## 五、职责分工\n## 六、工作要求\n## 七、效果评估\n## 参考依据"
    assert sections_present("plan", plan) == (1.0, [])
    assert sections_present("plan", plan.replace("职责分工", "分工"))[1] == ["职责分工"]


def test_dates_must_come_from_cited_passages() -> None:
    cited = Result("活动定于2023年7月1日举行。xx年以来……", "offline", "answered",
                   citations=[cite("2023年7月1日,机关工委组织……")])  # fmt: skip
    assert invented_dates(cited) == []
    invented = Result("时间：2024年3月5日；或者7月1日", "offline", "answered", citations=[cite(CHUNK)])
    assert invented_dates(invented) == ["2024年3月5日", "7月1日"]


def test_summary_over_all_groups_and_latency() -> None:
    items = [
        ITEM,
        {"id": "u1", "kind": "unanswerable", "question": "多少人？", "gold": []},
        {"id": "o1", "kind": "out_of_scope", "question": "天气？", "gold": []},
        {"id": "dt", "kind": "plan", "request": "方案", "must_cover": ["送理论", "社会服务实践"], "gold": []},
    ]
    results = {
        "d06": Result("应急预案 模拟演练 冷静应对[1]", "offline", "answered", citations=[cite(CHUNK)]),
        "u1": Result("知识库中未找到", "offline", "not_found"),
        "o1": Result("超出范围", "offline", "answered"),
        "dt": Result("# x\n送理论", "offline", "answered", quotes=[QuoteCheck("编的话", False)]),
    }
    s = evaluate_answers(items, lambda it: results[it["id"]], [CHUNK]).summary()
    assert s["answer_point_coverage"] == 1.0 and s["gold_cited_rate"] == 1.0
    assert s["not_found_rate"] == 1.0 and s["refusal_rate"] == 0.0
    assert s["must_cover_coverage"] == 0.5 and s["unverified_quotes"] == 1 and s["draft_sections"] < 1.0
    assert s["citation_validity"] == 1.0 and set(s["latency_ms"]) == {"ask", "plan"}


def test_percentiles() -> None:
    p = percentiles([float(x) for x in range(1, 101)])
    assert (p["n"], p["p50"], p["p95"], p["max"]) == (100, 50.5, 95.0, 100.0)
    assert percentiles([]) == {}


def test_confusion_matrix_floor_and_crud_items() -> None:
    from sizheng_bot.evaluation.answers import normalise_item, paste_floor
    from sizheng_bot.types import Hit

    crud = {"id": "c1", "question": "多少人？多少钱？", "sub_answers": ["12人", "3万元"]}
    assert normalise_item(crud)["kind"] == "multi" and normalise_item(crud)["answer_points"] == [
        "12人",
        "3万元",
    ]
    items = [crud, {"id": "u1", "kind": "unanswerable", "question": "多少人？", "gold": []}]
    results = {
        "c1": Result("共12人[1]", "offline", "not_found"),
        "u1": Result("原文未写明", "offline", "partial"),
    }
    s = evaluate_answers(items, lambda it: results[it["id"]], [CHUNK], lambda q: ["共12人，3万元"]).summary()
    assert s["confusion"]["answerable"]["not_found"] == 1 and s["confusion"]["unanswerable"]["partial"] == 1
    assert s["answerable_not_found"] == 1 and s["not_found_with_answer_in_top5"] == 1
    assert s["declined_rate"] == 1.0 and s["not_found_rate"] == 0.0 and s["answer_point_coverage"] == 0.5
    hit = Hit("h", CHUNK, 1.0, DOC, "t", "s", None)
    floor = paste_floor(lambda q, k: [hit] * k, lambda q: "不答" if "天气" in q else None)
    assert floor({"question": "天气？"}).status == "refused"
    pasted = floor({"question": "怎么练？"})
    assert pasted.text.count(CHUNK) == 3 and len(pasted.citations) == 3


def test_the_bm25_peer_over_documents_rebuilt_from_chunks() -> None:
    from sizheng_bot.evaluation.peer import Bm25JiebaPeer, documents_of
    from sizheng_bot.types import Chunk

    chunks = [
        Chunk("b1", "b.txt", "b", "", "第二段：支部每季度召开一次组织生活会。", 1),
        Chunk("b0", "b.txt", "b", "", "第一段：谈心谈话每年至少一次。", 0),
        Chunk("a0", "a.txt", "a", "", "主题党日活动每月开展一次。", 0),
    ]
    docs = dict(documents_of(chunks))
    assert docs["b.txt"].index("第一段") < docs["b.txt"].index("第二段")  # in chunk order
    peer = Bm25JiebaPeer.from_texts([("b.txt", docs["b.txt"]), ("a.txt", docs["a.txt"])], chunk_size=20)
    top = peer.search("组织生活会多久召开一次", 1)
    assert top[0].source == "b.txt" and "组织生活会" in top[0].text
    assert Bm25JiebaPeer.from_texts([]).search("任何问题", 3) == []
