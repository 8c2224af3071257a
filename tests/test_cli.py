"""CLI contracts: JSON shapes, batch mode, eval output, one-line Chinese errors with non-zero exit."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import KNOWLEDGE, ROOT, SHARED_EVAL


def run(args, data_dir, check=True):
    env = {**os.environ, "SIZHENG_DATA_DIR": str(data_dir), "SIZHENG_KNOWLEDGE_DIR": str(KNOWLEDGE),
           "PYTHONPATH": str(ROOT / "src")}  # fmt: skip
    p = subprocess.run([sys.executable, "-m", "sizheng_bot.cli", *args], capture_output=True, text=True, env=env,
                       cwd=ROOT, timeout=120)  # fmt: skip
    if check:
        assert p.returncode == 0, p.stderr
    return p


@pytest.fixture(scope="module")
def data(built_data_dir, tmp_path_factory):
    d = tmp_path_factory.mktemp("cli") / "data"
    shutil.copytree(built_data_dir, d)
    return d


def test_search_json_shape(data) -> None:
    out = json.loads(run(["search", "谈心谈话怎么开展", "--k", "3", "--json"], data).stdout)
    assert len(out["hits"]) == 3
    for h in out["hits"]:
        assert set(h) == {"source", "title", "section", "page", "text", "score"}
        assert h["source"].endswith(".txt") and "/" not in h["source"]


def test_search_batch_one_line_per_input(data, tmp_path) -> None:
    f = tmp_path / "q.jsonl"
    f.write_text(
        '{"id": "a", "question": "意识形态工作责任制"}\n{"id": "b", "request": "写一份主题党日活动方案"}\n',
        "utf-8",
    )
    lines = run(["search", "--batch", str(f), "--k", "2"], data).stdout.strip().splitlines()
    objs = [json.loads(x) for x in lines]
    assert [o["id"] for o in objs] == ["a", "b"]
    assert all(len(o["hits"]) == 2 for o in objs)


@pytest.mark.skipif(not (SHARED_EVAL / "seed_dev.jsonl").exists(), reason="no shared/eval")
def test_eval_reports_metrics(data) -> None:
    out = json.loads(run(["eval", str(SHARED_EVAL / "seed_dev.jsonl"), "--k", "5"], data).stdout)
    assert out["items"] == 23
    for key in ("hit@5", "recall@5", "all_gold@5", "mrr"):
        assert 0.0 <= out[key] <= 1.0
    assert out["hit@5"] >= 0.95


def test_eval_crud_format_with_docs(tmp_path) -> None:
    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        json.dumps(
            {
                "doc_id": "crud-aaa",
                "title": "",
                "text": "2023-07-30，正文：湖北省春运发送旅客3465万人次，同比增长28%。",
            },
            ensure_ascii=False,
        )
        + "\n"
        + json.dumps(
            {
                "doc_id": "crud-bbb",
                "title": "",
                "text": "2023-08-01，正文：华中科技大学本科生线上报到时间为8月13日至16日。",
            },
            ensure_ascii=False,
        )
        + "\n",
        "utf-8",
    )
    qs = tmp_path / "q.jsonl"
    qs.write_text(
        json.dumps(
            {"id": "q1", "question": "华中科技大学本科生什么时候线上报到？", "gold_doc_ids": ["crud-bbb"]},
            ensure_ascii=False,
        )
        + "\n",
        "utf-8",
    )
    out = json.loads(run(["eval", str(qs), "--docs", str(docs)], tmp_path / "data").stdout)
    assert out["items"] == 1 and out["hit@5"] == 1.0 and out["mrr"] == 1.0


def test_ingest_list_stats_remove(tmp_path) -> None:
    d = tmp_path / "data"
    f = tmp_path / "支部通知.txt"
    f.write_text("一、活动安排\n本月开展主题党日活动。\n", encoding="utf-8")
    bad = tmp_path / "旧文件.wps"
    bad.write_bytes(b"xx")
    p = run(["ingest", str(f), str(bad)], d)
    assert "新增 1" in p.stdout and "失败 1" in p.stdout and "旧文件.wps" in p.stdout
    assert "支部通知.txt" in run(["list"], d).stdout
    st = json.loads(run(["stats", "--json"], d).stdout)
    assert st["documents"] == 1 and st["chunks"] >= 1
    assert "已删除" in run(["remove", "支部通知.txt"], d).stdout
    p = run(["remove", "支部通知.txt"], d, check=False)
    assert p.returncode != 0 and p.stderr.startswith("错误：") and len(p.stderr.strip().splitlines()) == 1


def test_errors_are_one_line_chinese(tmp_path) -> None:
    p = run(["ingest", str(tmp_path / "不存在的目录")], tmp_path / "data", check=False)
    assert p.returncode != 0
    assert p.stderr.strip().startswith("错误：") and "不存在" in p.stderr
    assert "Traceback" not in p.stderr
    p = run(["search", "--batch", str(tmp_path / "nofile.jsonl")], tmp_path / "data", check=False)
    assert p.returncode != 0 and "Traceback" not in p.stderr
