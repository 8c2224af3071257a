"""The conversation/feedback store (real SQLite file), conversation export and feedback → eval items."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from docx import Document

from sizheng_bot.evaluation.answers import evaluate_answers
from sizheng_bot.evaluation.retrieval import item_query, load_items
from sizheng_bot.export import export_bytes
from sizheng_bot.history import HistoryStore
from sizheng_bot.history.export import conversation_result, feedback_item

from conftest import ROOT


def test_conversations_are_per_owner_and_survive_a_new_store(tmp_path: Path, assistant: Any) -> None:
    store = HistoryStore(tmp_path)
    r1 = assistant.ask("谈心谈话怎么搞才不流于形式？")
    cid = store.add_turn("browser:a", None, "谈心谈话怎么搞才不流于形式？", r1)
    store.add_turn("browser:a", cid, "那青年干部呢？", assistant.ask("如何做好年轻干部的思想政治工作？"))
    again = HistoryStore(tmp_path)  # a restart: a new process opens the same file
    [info] = again.conversations("browser:a")
    assert info.turns == 2 and info.title.startswith("谈心谈话")
    turns = again.turns(cid, "browser:a")
    assert turns[0].result.citations[0].chunk_id == r1.citations[0].chunk_id  # everything round-trips
    assert again.conversations("browser:b") == [] and again.turns(cid, "browser:b") == []
    assert not again.rename("browser:b", cid, "x") and again.rename("browser:a", cid, "谈心谈话专题")
    assert again.get(cid[:6]).title == "谈心谈话专题"  # a prefix works for the CLI
    assert not again.delete("browser:b", cid) and again.delete("browser:a", cid)
    assert again.conversations() == [] and again.turns(cid) == []


def test_conversation_export_renumbers_sources_and_clean_drops_them(tmp_path: Path, assistant: Any) -> None:
    store = HistoryStore(tmp_path)
    cid = store.add_turn(
        "u", None, "谈心谈话怎么搞才不流于形式？", assistant.ask("谈心谈话怎么搞才不流于形式？")
    )
    store.add_turn(
        "u", cid, "机关意识形态工作有哪些对策建议？", assistant.ask("机关意识形态工作有哪些对策建议？")
    )
    turns = store.turns(cid)
    result = conversation_result(store.get(cid), turns)
    n1, n2 = len(turns[0].result.citations), len(turns[1].result.citations)
    assert [c.n for c in result.citations] == list(range(1, n1 + n2 + 1))
    assert f"[{n1 + 1}]" in result.text.split("## 2. 问")[1]  # the second answer's [1] became [n1+1]
    doc = Document(__import__("io").BytesIO(export_bytes(result, "docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "1. 问：谈心谈话怎么搞才不流于形式？" in text and "参考来源" in text
    clean = conversation_result(store.get(cid), turns, clean=True)
    assert not clean.citations and "[1]" not in clean.text and "离线摘编模式：" not in clean.text


def test_feedback_export_is_an_eval_set(tmp_path: Path, assistant: Any) -> None:
    store = HistoryStore(tmp_path)
    good = assistant.ask("谈心谈话怎么搞才不流于形式？")
    bad = assistant.ask("机关意识形态工作有哪些对策建议？")
    store.add_feedback("u", "谈心谈话怎么搞才不流于形式？", good, 1, {"mode": "offline"})
    fid = store.add_feedback("u", "机关意识形态工作有哪些对策建议？", bad, -1, {"mode": "offline"})
    assert store.set_comment("u", fid, "没提网络阵地") and not store.set_comment("other", fid, "x")
    items = [feedback_item(f) for f in store.feedback()]
    up, down = items
    assert up["kind"] == "howto" and up["gold"] and up["gold"][0]["doc"] == good.citations[0].source
    assert up["answer_points"] and all(
        p.replace(" ", "") in good.text.replace(" ", "") for p in up["answer_points"]
    )
    assert down["kind"] == "needs_review" and down["suggested_kind"] == "howto" and down["gold"] == []
    assert down["needs_review"] and down["comment"] == "没提网络阵地"
    path = tmp_path / "fb.jsonl"
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), "utf-8")
    loaded = load_items(path)
    report = evaluate_answers(
        loaded, lambda it: assistant.ask(item_query(it)), [c.text for c in assistant.kb.all_chunks()]
    )
    summary = report.summary()
    assert json.dumps(summary)  # the eval runs on the unit's own feedback
    assert summary["items"] == 2 and summary["answer_point_coverage"] == 1.0  # approved answer still passes
    assert summary["gold_cited_rate"] == 1.0


def test_cli_history_and_feedback_commands(tmp_path: Path, assistant: Any) -> None:
    data = tmp_path / "data"
    store = HistoryStore(data)
    res = assistant.ask("谈心谈话怎么搞才不流于形式？")
    cid = store.add_turn("user:书记", None, "谈心谈话怎么搞才不流于形式？", res)
    store.add_feedback("user:书记", "谈心谈话怎么搞才不流于形式？", res, 1, {})
    env = {"SIZHENG_DATA_DIR": str(data), "PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}

    def cli(*args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "sizheng_bot.cli", *args], env=env, capture_output=True,
                             text=True, timeout=120)  # fmt: skip
        assert out.returncode == 0, out.stderr
        return out.stdout

    assert cid[:8] in cli("history", "list") and "user:书记" in cli("history", "list", "--owner", "user:书记")
    cli(
        "history", "export", cid[:8], "--docx", str(tmp_path / "对话.docx"), "--md", str(tmp_path / "对话.md")
    )
    assert "谈心谈话怎么搞才不流于形式" in (tmp_path / "对话.md").read_text("utf-8")
    assert Document(str(tmp_path / "对话.docx")).paragraphs
    lines = cli("feedback", "export").splitlines()
    assert json.loads(lines[0])["feedback"] == "up"
    bad = subprocess.run([sys.executable, "-m", "sizheng_bot.cli", "history", "export", "nope"], env=env,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert bad.returncode == 2 and "找不到对话" in bad.stderr
