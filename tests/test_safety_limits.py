"""Bounded work per file, a second writer, a full disk: clear Chinese failures, the index intact."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_safety_common import big_text, cli, env_for, inspect, start_cli, state_gen, wait_for

from conftest import ROOT, make_settings


def _asst(data: Path, **kw):  # type: ignore[no-untyped-def]
    from sizheng_bot.assistant import Assistant

    return Assistant.from_settings(make_settings(data, **kw))


def test_cli_refuses_a_file_over_the_size_limit_by_name(tmp_path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "超大文件.txt").write_text(big_text(1300), encoding="utf-8")  # ~1.2 MB
    (src / "小文件.txt").write_text("主题党日活动要有仪式感。组织党员重温入党誓词。", encoding="utf-8")
    r = cli(tmp_path / "data", "ingest", str(src), SIZHENG_MAX_FILE_MB="1")
    assert r.returncode == 0, r.stderr
    assert "新增 1" in r.stdout and "失败 1" in r.stdout
    assert "超大文件.txt：文件大小 1.2 MB，超过单个文件上限 1 MB" in r.stdout
    assert "SIZHENG_MAX_FILE_MB" in r.stdout


def test_same_setting_limits_the_web_upload(tmp_path) -> None:
    s = make_settings(tmp_path, max_file_mb=3)
    assert s.ingest.max_file_mb == 3  # the web's upload check reads the same field
    os.environ["SIZHENG_MAX_UPLOAD_MB"] = "7"  # the old variable still works
    try:
        from sizheng_bot.config import Settings

        assert Settings(_env_file=None).ingest.max_file_mb == 7
    finally:
        del os.environ["SIZHENG_MAX_UPLOAD_MB"]


def test_text_length_and_parse_time_limits_refuse_by_name_rest_continues(tmp_path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "长文.txt").write_text(big_text(100), encoding="utf-8")  # ~33k characters
    (src / "短文.txt").write_text("谈心谈话要坦诚相见。" * 5, encoding="utf-8")
    asst = _asst(tmp_path / "data", max_file_chars=20_000)
    rep = {f.source: f for f in asst.ingest([src]).files}
    assert rep["短文.txt"].status == "added"
    assert rep["长文.txt"].status == "failed"
    assert "长文.txt：正文约 3 万字，超过单个文件上限 2 万字" in (rep["长文.txt"].error or "")

    # a file parsed in a child process that exceeds its time budget is stopped and named
    asst = _asst(tmp_path / "data2", isolate_parse_mb=0.01, parse_timeout=0.05)
    t0 = time.perf_counter()
    rep = {f.source: f for f in asst.ingest([src]).files}
    assert time.perf_counter() - t0 < 30
    assert rep["短文.txt"].status == "added"  # below the isolation size: parsed in-process
    assert rep["长文.txt"].status == "failed"
    assert "长文.txt：解析超过 0.05 秒仍未完成，已中止" in (rep["长文.txt"].error or "")
    assert [d.source for d in asst.documents()] == ["短文.txt"]


def test_parse_memory_budget(tmp_path) -> None:
    from sizheng_bot.ingest.budget import Limits, parse_file

    f = tmp_path / "大.txt"
    f.write_text(big_text(3000), encoding="utf-8")
    ok = parse_file(f, f.name, 350, 0, Limits(isolate_bytes=0), f.stat().st_size)
    assert len(ok.chunks) > 2500
    from sizheng_bot.errors import LoadError

    with pytest.raises(LoadError, match="大.txt：解析所需内存超过上限 64 MB"):
        parse_file(f, f.name, 350, 0, Limits(isolate_bytes=0, parse_memory_mb=64), f.stat().st_size)


def test_a_batch_is_one_generation_with_one_lexical_update(tmp_path, built_data_dir, monkeypatch) -> None:
    from sizheng_bot.retrieval.lexical import LexicalIndex

    data = tmp_path / "data"
    shutil.copytree(built_data_dir, data)
    src = tmp_path / "src"
    src.mkdir()
    for i in range(6):
        (src / f"通知{i}.txt").write_text(big_text(3, seed=i, marker=f"件{i}"), encoding="utf-8")
    asst = _asst(data)
    gen = asst.kb.generation()
    asst.kb.lexical()
    builds = []
    real = LexicalIndex.save

    def counted(self, *a, **k):  # type: ignore[no-untyped-def]
        builds.append(1)
        return real(self, *a, **k)

    monkeypatch.setattr(LexicalIndex, "save", counted)
    rep = asst.ingest([src])
    assert [f.status for f in rep.files] == ["added"] * 6
    assert asst.kb.generation() == gen + 1 and len(builds) == 1
    assert sorted(p.name for p in (data / "lexical").iterdir()) == [f"g{gen + 1:06d}", "segments"]


# ---- a second writer ----------------------------------------------------------------------------
def test_second_writer_fails_fast_naming_the_holder_then_waits(tmp_path, built_data_dir) -> None:
    data = tmp_path / "data"
    shutil.copytree(built_data_dir, data)
    a_src, b_src = tmp_path / "a", tmp_path / "b"
    a_src.mkdir()
    b_src.mkdir()
    (a_src / "甲.txt").write_text(big_text(1500, seed=5), encoding="utf-8")
    (b_src / "乙.txt").write_text(big_text(20, seed=6, marker="乙"), encoding="utf-8")
    first = start_cli(data, "ingest", str(a_src))
    lock = data / "write.lock"

    def holder() -> dict:  # type: ignore[type-arg]
        try:
            return json.loads(lock.read_text("utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    assert wait_for(lambda: holder().get("pid") == first.pid, 60)
    fast = cli(data, "ingest", str(b_src), SIZHENG_WRITE_LOCK_TIMEOUT="0.5")
    assert fast.returncode == 2
    assert f"正由另一个进程写入（PID {first.pid}，自 " in fast.stderr
    assert "Traceback" not in fast.stderr and "Error" not in fast.stderr.replace("错误", "")
    waiter = start_cli(data, "ingest", str(b_src), SIZHENG_WRITE_LOCK_TIMEOUT="240")
    out_a, err_a = first.communicate(timeout=300)
    out_b, err_b = waiter.communicate(timeout=300)
    assert first.returncode == 0 and waiter.returncode == 0, (err_a, err_b)
    if "等待其完成" not in err_b:  # the waiter may have started after the first one finished
        assert state_gen(data) >= 3
    else:
        assert f"PID {first.pid}" in err_b
    assert "新增 1" in out_a and "新增 1" in out_b
    snap = inspect(data)["before"]
    assert {"甲.txt", "乙.txt"} <= set(snap["docs"])
    assert snap["chroma"] == snap["lex"] and snap["same_ids"]


def test_lock_left_by_a_dead_process_is_taken_over(tmp_path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    data = tmp_path / "data"
    data.mkdir()
    (data / "write.lock").write_text(json.dumps({"pid": dead.pid, "since": "2026-01-01 00:00:00"}), "utf-8")
    (tmp_path / "a.txt").write_text("组织生活会要开出质量。", encoding="utf-8")
    t0 = time.perf_counter()
    rep = _asst(data, write_lock_timeout=0).ingest([tmp_path / "a.txt"])
    assert rep.files[0].status == "added" and time.perf_counter() - t0 < 20
    assert (data / "write.lock").read_text("utf-8") == ""  # released


# ---- a full disk ----------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):  # type: ignore[no-untyped-def]
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {r.stderr.decode(errors='replace').strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(path: Path) -> None:
    with path.open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * (1 << 20))
                fh.flush()
        except OSError:
            pass


_NO_PREFLIGHT = r"""
import json, sys
from pathlib import Path
from sizheng_bot.assistant import Assistant
from sizheng_bot.config import Settings
from sizheng_bot.retrieval.commit import Transaction
Transaction._preflight = lambda self, extra: None  # let the writes run into the full disk itself
rep = Assistant.from_settings(Settings()).ingest([Path(sys.argv[1])])
print(json.dumps([f.__dict__ for f in rep.files], ensure_ascii=False))
"""


def test_disk_full_mid_write_old_index_searchable_exact_report(small_disk, tmp_path, built_data_dir) -> None:
    data = small_disk / "data"
    shutil.copytree(built_data_dir, data)
    src = tmp_path / "src"
    src.mkdir()
    (src / "甲.txt").write_text(big_text(300, seed=8), encoding="utf-8")
    (src / "乙.txt").write_text(big_text(300, seed=9), encoding="utf-8")
    before = state_gen(data)
    filler = small_disk / "filler"
    _fill(filler)
    os.truncate(filler, filler.stat().st_size - 3 * 1024 * 1024)  # 3 MB left: not enough for both
    try:
        r = subprocess.run(
            [sys.executable, "-c", _NO_PREFLIGHT, str(src)],
            capture_output=True, text=True, env=env_for(data), cwd=ROOT, timeout=300,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr[-3000:]
        files = {f["source"]: f for f in json.loads(r.stdout.strip().splitlines()[-1])}
        assert {f["status"] for f in files.values()} == {"failed"}  # exactly: neither went in
        for name, f in files.items():
            assert f["error"].startswith(f"{name}：磁盘空间不足") and "约需" in f["error"], f
        assert "均未入库，原有知识库未受影响" in files["甲.txt"]["error"]
        assert state_gen(data) == before
        assert not [p for p in (data / "lexical").iterdir() if p.name.endswith(".tmp")]
        hit = cli(data, "search", "谈心谈话", "--json")  # the old index, while the disk is still full
        assert hit.returncode == 0 and json.loads(hit.stdout)["hits"], hit.stderr
    finally:
        filler.unlink()
    rerun = cli(data, "ingest", str(src))
    assert rerun.returncode == 0 and "新增 2" in rerun.stdout, rerun.stderr
    snap = inspect(data)["before"]
    assert snap["chroma"] == snap["lex"] and snap["same_ids"] and not snap["journal"]


def test_disk_too_small_refused_before_writing(small_disk, tmp_path, built_data_dir) -> None:
    data = small_disk / "data"
    shutil.copytree(built_data_dir, data)
    src = tmp_path / "src"
    src.mkdir()
    (src / "大.txt").write_text(big_text(4000, seed=4), encoding="utf-8")  # needs ~60 MB
    rep = _asst(data).ingest([src])
    f = rep.files[0]
    assert f.status == "failed" and "磁盘空间不足" in (f.error or "") and "约需" in (f.error or "")
    assert not (data / "journal.json").exists()
    assert not [p for p in (data / "lexical").iterdir() if p.name.endswith(".tmp")]
    assert len(_asst(data).documents()) == 5
