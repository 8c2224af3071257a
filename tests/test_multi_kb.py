"""Asking over several knowledge bases: hits merged on one scale, sources named by knowledge base."""

from __future__ import annotations

import json

from test_safety_common import cli

from conftest import make_settings

TALK = (
    "党支部谈心谈话制度\n\n一、基本要求\n支部书记每季度至少同每名党员谈心谈话一次，谈话前列出提纲，谈话后建立台账，"
    "跟踪问效，确保谈心谈话不流于形式。\n"
)
DAY = (
    "主题党日活动安排\n\n一、活动内容\n主题党日每月固定一天开展，内容包括集中学习、重温入党誓词和志愿服务，"
    "活动结束后形成记录并报机关党委备案。\n"
)
SHARED = "工作要点\n\n一、总体要求\n本年度工作要点：坚持学习制度，每月组织一次集中学习，每季度开展一次专题研讨。\n"


def _write(d, name, text):  # type: ignore[no-untyped-def]
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_text(text, "utf-8")
    return d / name


def _two_kbs(tmp_path):  # type: ignore[no-untyped-def]
    from sizheng_bot.assistant import Assistant, registry

    data = tmp_path / "data"
    settings = make_settings(data)
    for name in ("谈心资料", "党日资料"):
        registry(settings).create(name)
    asst = Assistant.from_settings(settings)
    asst.for_kb("谈心资料").ingest([_write(tmp_path / "a", "制度.txt", TALK), _write(tmp_path / "a", "要点.txt", SHARED)])
    asst.for_kb("党日资料").ingest([_write(tmp_path / "b", "安排.txt", DAY), _write(tmp_path / "b", "要点.txt", SHARED)])
    return asst


def test_ask_in_two_knowledge_bases_cites_each_source_with_its_kb(tmp_path) -> None:  # type: ignore[no-untyped-def]
    asst = _two_kbs(tmp_path)
    both = asst.for_kbs(["谈心资料", "党日资料"])
    assert both is asst.for_kbs(["谈心资料", "党日资料"])  # cached
    assert asst.for_kbs(["谈心资料"]) is asst.for_kb("谈心资料")  # one name: the plain assistant
    # the knowledge base that holds most of the words wins, whichever is listed first (each one's best
    # passage scores the same within it: 支部书记 alone is the best the other has to offer)
    for names in (["谈心资料", "党日资料"], ["党日资料", "谈心资料"]):
        hits = asst.for_kbs(names).search("支部书记 主题党日 重温入党誓词 志愿服务", 3)
        assert hits[0].source == "【党日资料】安排.txt", [h.source for h in hits]
        hits = asst.for_kbs(names).search("主题党日 谈心谈话 台账 提纲", 3)
        assert hits[0].source == "【谈心资料】制度.txt", [h.source for h in hits]
    r = both.ask("主题党日每月开展哪些活动？")
    assert r.status in ("answered", "partial")
    assert r.citations and r.citations[0].source == "【党日资料】安排.txt"
    assert "【党日资料】安排.txt" in r.text  # the sources section names the knowledge base
    r = both.ask("支部书记多久同党员谈心谈话一次？")
    assert r.citations and r.citations[0].source == "【谈心资料】制度.txt"
    assert "每季度" in r.text
    # the same file in both: the passage once, not twice
    hits = both.search("本年度工作要点 集中学习 专题研讨", 5)
    assert sum("要点.txt" in h.source for h in hits) == 1
    docs = sorted(d.source for d in both.documents())
    assert docs == ["【党日资料】安排.txt", "【党日资料】要点.txt", "【谈心资料】制度.txt", "【谈心资料】要点.txt"]
    # one knowledge base alone does not see the other's documents
    assert all("安排" not in c.source for c in asst.for_kb("谈心资料").ask("主题党日每月开展哪些活动？").citations)


def test_an_ingest_into_one_member_is_seen_by_the_set(tmp_path) -> None:  # type: ignore[no-untyped-def]
    asst = _two_kbs(tmp_path)
    both = asst.for_kbs(["谈心资料", "党日资料"])
    assert not any("新增" in h.source for h in both.search("青年理论学习小组 读书分享", 3))
    asst.for_kb("党日资料").ingest([_write(tmp_path / "c", "新增.txt", "青年理论学习小组每月举办一次读书分享会。\n")])
    assert both.search("青年理论学习小组 读书分享", 3)[0].source == "【党日资料】新增.txt"


def test_cli_ask_with_several_kb(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _two_kbs(tmp_path)
    data = tmp_path / "data"
    r = cli(data, "ask", "主题党日每月开展哪些活动？", "--kb", "谈心资料", "--kb", "党日资料", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["citations"][0]["source"] == "【党日资料】安排.txt"
    r = cli(data, "--kb", "谈心资料", "--kb", "党日资料", "list")
    assert r.returncode == 2 and "只有 ask、outline、plan" in r.stderr
    r = cli(data, "ask", "主题党日每月开展哪些活动？", "--kb", "谈心资料", "--kb", "没有这个", "--json")
    assert r.returncode == 2 and "没有这个" in r.stderr and "不存在" in r.stderr


def test_page_handlers_upload_into_one_and_ask_in_several(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sizheng_bot.assistant import Assistant
    from ui.handlers import Handlers
    from ui.startup import IndexJob

    asst = Assistant.from_settings(make_settings(tmp_path / "data", upload_process=False))
    h = Handlers(asst, IndexJob(asst).run_now())
    assert [v for _, v in h.kb_choices()] == ["default"] and h.kb_choices()[0][0] == "默认知识库"
    msg, made = h.create_kb("党日资料")
    assert made == "党日资料" and "已新建" in msg
    msg, made = h.create_kb("党日资料")
    assert made is None and "已存在" in msg
    assert h.create_kb("  ")[1] is None
    assert [v for _, v in h.kb_choices()] == ["default", "党日资料"]
    up = _write(tmp_path / "up", "安排.txt", DAY)
    html, rows, names = h.upload([str(up)], kb="党日资料")
    assert "成功 1 个" in html and names == ["安排.txt"]
    assert "安排.txt" not in h.doc_table()[1] and h.doc_table("党日资料")[1] == ["安排.txt"]
    assert h.originals_of("党日资料").path("安排.txt") is not None and h.originals.path("安排.txt") is None
    question = "主题党日每月开展哪些活动？"
    alone = [m for m, *_ in h.chat(question, [], [], kbs=["default"])][-1][-1]["content"]
    assert "安排.txt" not in alone
    both = [m for m, *_ in h.chat(question, [], [], kbs=["default", "党日资料"])][-1][-1]["content"]
    assert "【党日资料】安排.txt" in both and "下载原文件" in both  # the original is linked under its KB
    msg, _, names = h.delete("安排.txt", "党日资料")
    assert "已删除" in msg and names == [] and h.originals_of("党日资料").path("安排.txt") is None
