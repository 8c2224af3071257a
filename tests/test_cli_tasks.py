"""CLI contracts of ask / outline / plan / eval --answers: JSON shape, batch, exports, errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from docx import Document
from pptx import Presentation

from conftest import KNOWLEDGE, ROOT, SHARED_EVAL

RESULT_KEYS = {"task", "text", "mode", "status", "citations", "warnings", "quotes_checked", "quotes_verified",
               "quotes_unverified", "unverified_quotes"}  # fmt: skip


def run(args: list[str], data_dir, check: bool = True) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "SIZHENG_DATA_DIR": str(data_dir), "SIZHENG_KNOWLEDGE_DIR": str(KNOWLEDGE),
           "SIZHENG_LLM_BASE_URL": "", "SIZHENG_LLM_MODEL": "", "PYTHONPATH": str(ROOT / "src")}  # fmt: skip
    p = subprocess.run([sys.executable, "-m", "sizheng_bot.cli", *args], capture_output=True, text=True,
                       env=env, cwd=ROOT, timeout=120)  # fmt: skip
    if check:
        assert p.returncode == 0, p.stderr
    return p


@pytest.fixture(scope="module")
def data(built_data_dir, tmp_path_factory):  # type: ignore[no-untyped-def]
    d = tmp_path_factory.mktemp("cli_tasks") / "data"
    shutil.copytree(built_data_dir, d)
    return d


def test_ask_json_is_the_result_type(data) -> None:  # type: ignore[no-untyped-def]
    out = json.loads(
        run(["ask", "碰到突发状况，机关干部老是手忙脚乱，平时该怎么练？", "--json"], data).stdout
    )
    assert set(out) == RESULT_KEYS
    assert (out["task"], out["mode"], out["status"]) == ("ask", "offline", "answered")
    assert out["citations"] and out["quotes_unverified"] == 0
    for c in out["citations"]:
        assert set(c) == {"n", "source", "title", "section", "page", "quote"}
        assert c["source"].endswith(".txt") and "/" not in c["source"] and c["quote"]
        assert f"[{c['n']}]" in out["text"]


def test_outline_text_and_exports(data, tmp_path) -> None:  # type: ignore[no-untyped-def]
    docx, pptx = tmp_path / "提纲.docx", tmp_path / "提纲.pptx"
    p = run(["outline", "讲讲谈心谈话", "--minutes", "10", "--audience", "青年干部", "--docx", str(docx),
             "--pptx", str(pptx)], data)  # fmt: skip
    assert p.stdout.startswith("# 谈心谈话——青年干部微党课") and "时长：约10分钟" in p.stdout
    assert "引文核验" in p.stdout and "（离线摘编模式）" in p.stdout
    assert "已导出" in p.stderr
    assert "谈心谈话" in "\n".join(par.text for par in Document(str(docx)).paragraphs)
    assert len(Presentation(str(pptx)).slides) >= 3


def test_plan_batch_prints_one_result_per_line_with_its_id(data, tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "plans.jsonl"
    f.write_text(
        '{"id": "p1", "request": "组织党员到结对社区开展志愿服务的主题党日"}\n'
        '{"id": "p2", "request": "写一份读书分享活动方案", "form": "半天"}\n',
        "utf-8",
    )
    objs = [json.loads(x) for x in run(["plan", "--batch", str(f)], data).stdout.strip().splitlines()]
    assert [o["id"] for o in objs] == ["p1", "p2"]
    assert all(o["task"] == "plan" and o["status"] == "answered" and "【待定】" in o["text"] for o in objs)
    assert "活动时长：半天" in objs[1]["text"]


def test_missing_text_is_a_one_line_chinese_error(data) -> None:  # type: ignore[no-untyped-def]
    p = run(["ask"], data, check=False)
    assert (
        p.returncode != 0
        and p.stderr.startswith("错误：请给出问题或需求")
        and len(p.stderr.splitlines()) == 1
    )


@pytest.mark.skipif(not (SHARED_EVAL / "seed_dev.jsonl").exists(), reason="no shared/eval")
def test_eval_answers_reports_the_metrics(data) -> None:  # type: ignore[no-untyped-def]
    out = json.loads(run(["eval", "--answers", str(SHARED_EVAL / "seed_dev.jsonl")], data).stdout)
    assert out["items"] == 30
    assert out["answer_point_coverage"] >= 0.8 and out["citation_validity"] == 1.0
    assert out["unverified_quotes"] == 0 and out["refusal_rate"] == 1.0 and out["declined_rate"] >= 0.75
    # issue 10: the confusion matrix of the four outcomes and the paste-top-3 floor from the same run
    assert set(out["confusion"]) == {"answerable", "unanswerable", "out_of_scope"}
    assert set(out["confusion"]["answerable"]) == {"answered", "partial", "not_found", "refused"}
    assert out["confusion"]["out_of_scope"]["refused"] == 3 and out["answerable_not_found"] == 0
    assert out["floor"]["answer_point_coverage"] is not None and out["median_chars"] <= 1000
    # the floor is the plain BM25+jieba peer's top 3; our own retriever's top 3 is printed beside it
    assert "BM25" in out["floor"]["method"] and "本系统" in out["floor_ours"]["method"]
    assert out["floor_ours"]["answer_point_coverage"] >= out["floor"]["answer_point_coverage"]
    assert out["answer_point_coverage"] >= out["floor"]["answer_point_coverage"] + 0.10
    assert out["must_cover_coverage"] >= 0.75 and out["draft_sections"] == 1.0 and out["invented_dates"] == 0
    assert set(out["latency_ms"]) == {"ask", "outline", "plan"}
