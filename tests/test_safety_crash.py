"""kill -9 during writes: a document is in the index whole or not at all; a re-run leaves no duplicate or orphan.

Real CLI subprocesses on a real Chroma directory, killed with SIGKILL; checked by fresh processes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_safety_common import (
    alive,
    big_text,
    children_of,
    env_for,
    inspect,
    kill9,
    start_cli,
    state_gen,
    wait_for,
)

from conftest import KNOWLEDGE, ROOT


def _expected_chunks(path: Path) -> int:
    from sizheng_bot.ingest.clean import clean_document
    from sizheng_bot.ingest.loaders import load
    from sizheng_bot.ingest.split import split_document

    return len(split_document(clean_document(load(path)), 350, 0))


def _consistent(snap: dict) -> None:  # type: ignore[type-arg]
    assert snap["unique"] and snap["same_ids"], snap
    assert snap["chroma"] == snap["lex"] == sum(snap["docs"].values()), snap
    assert not snap["journal"], snap
    assert [d for d in snap["lexical_dirs"] if d != "segments"] == [f"g{snap['gen']:06d}"], snap
    assert snap["segments"] == snap["used_segments"], snap  # no segment left by an interrupted write


def _kill_mid_write(data: Path, src: Path, after: float, reader=None) -> int:  # type: ignore[no-untyped-def]
    """Start `ingest src`, SIGKILL it ``after`` seconds into its Chroma writes; return the generation then."""
    gen = state_gen(data)
    proc = start_cli(data, "ingest", str(src))
    assert wait_for(lambda: (data / "journal.json").exists() or proc.poll() is not None, 240)
    t0 = time.perf_counter()
    if reader is not None:
        reader()
    time.sleep(max(0.0, after - (time.perf_counter() - t0)))
    assert proc.poll() is None, "ingest finished before it could be interrupted"
    kill9(proc)
    assert state_gen(data) == gen, "the kill came after the commit: the test did not interrupt a write"
    return gen


def test_kill_while_a_7000_chunk_file_is_written_then_rerun(tmp_path, built_data_dir) -> None:
    data = tmp_path / "data"
    shutil.copytree(built_data_dir, data)
    src = tmp_path / "src"
    src.mkdir()
    big = src / "大文件.txt"
    big.write_text(big_text(7600), encoding="utf-8")
    expected = _expected_chunks(big)
    assert expected >= 7000
    from sizheng_bot.assistant import Assistant

    from conftest import make_settings

    reader = Assistant.from_settings(make_settings(data))
    assert reader.search("谈心谈话", 3)

    def search_during_the_write() -> None:  # another process writes: this one keeps searching
        t0 = time.perf_counter()
        hits = reader.search("意识形态工作责任制", 3)
        assert hits and time.perf_counter() - t0 < 2.0
        assert (data / "journal.json").exists()

    _kill_mid_write(data, src, 1.5, search_during_the_write)
    snap = inspect(data, src)
    before, after = snap["before"], snap["after"]
    assert "大文件.txt" not in before["docs"]  # not half in: absent until complete
    assert len(before["docs"]) == 5
    assert snap["rerun"] == ["added"]  # never reported as unchanged
    assert after["docs"]["大文件.txt"] == expected
    _consistent(after)


def test_interrupted_update_keeps_the_old_version(tmp_path, built_data_dir) -> None:
    data = tmp_path / "data"
    shutil.copytree(built_data_dir, data)
    src = tmp_path / "src"
    src.mkdir()
    doc = src / "通知.txt"
    doc.write_text(big_text(40, seed=1, marker="甲版"), encoding="utf-8")
    first = inspect(data, src, "通知.txt")["after"]
    old_chunks = first["docs"]["通知.txt"]
    doc.write_text(big_text(1500, seed=2, marker="乙版"), encoding="utf-8")
    _kill_mid_write(data, src, 0.3)
    snap = inspect(data, src, "通知.txt")
    before, after = snap["before"], snap["after"]
    assert before["docs"]["通知.txt"] == old_chunks
    assert before["texts"] == first["texts"]
    assert snap["rerun"] == ["updated"]
    assert after["docs"]["通知.txt"] == _expected_chunks(doc)
    assert after["texts"] != first["texts"]
    _consistent(after)


# A crash at every step of a transaction: the script patches one step to SIGKILL its own process.
_CRASH = r"""
import os, signal, sys
from pathlib import Path
from sizheng_bot.assistant import Assistant
from sizheng_bot.config import Settings
from sizheng_bot.retrieval import commit, journal, lexical, store
point, op, target = sys.argv[1], sys.argv[2], sys.argv[3]
def die(*a, **k):
    os.kill(os.getpid(), signal.SIGKILL)
def after(cls, name):
    orig = getattr(cls, name)
    def wrapped(*a, **k):
        out = orig(*a, **k)
        die()
        return out
    setattr(cls, name, wrapped)
if point == "rows":
    after(commit.Transaction, "_write_rows")
elif point == "lexical":
    after(lexical.LexicalIndex, "save")
elif point == "committed":
    after(store.KnowledgeBase, "write_state")
elif point == "cleanup":
    journal.tidy = die
asst = Assistant.from_settings(Settings())
if op == "remove":
    asst.remove(target)
else:
    asst.ingest([Path(target)])
print("survived")
"""


@pytest.mark.parametrize(
    ("point", "op"),
    [("rows", "ingest"), ("lexical", "ingest"), ("committed", "ingest"), ("cleanup", "ingest"),
     ("cleanup", "remove")],
)  # fmt: skip
def test_kill_at_each_step_leaves_a_consistent_generation(
    tmp_path, built_data_dir, assistant, point, op
) -> None:
    data = tmp_path / "data"
    shutil.copytree(built_data_dir, data)
    name = "党校党群工作调研报告.txt"
    src = tmp_path / "src"
    src.mkdir()
    lex = assistant.kb.lexical()
    old = {
        "gen": lex.generation,
        "docs": {d.source: d.chunks for d in assistant.documents()},
        "texts": {name: sorted({c.text[:12] for c in lex.chunks if c.source == name})[:3]},
    }
    (src / name).write_text((KNOWLEDGE / name).read_text("utf-8") + "\n\n补充：丙版新增段落。", "utf-8")
    (src / "新文件.txt").write_text(big_text(30, seed=3, marker="丁版"), encoding="utf-8")
    target = name if op == "remove" else str(src)
    r = subprocess.run(
        [sys.executable, "-c", _CRASH, point, op, target],
        capture_output=True, text=True, env=env_for(data), cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert r.returncode == -9 and "survived" not in r.stdout, r.stderr[-2000:]
    snap = inspect(data, src if op == "ingest" else None, name, "新文件.txt")
    before = snap["before"]
    committed = point in ("committed", "cleanup")
    if op == "remove":
        assert name not in before["docs"]
    elif committed:  # the new generation, whole
        assert before["gen"] == old["gen"] + 1 and "新文件.txt" in before["docs"]
        assert before["docs"][name] == _expected_chunks(src / name)
    else:  # the previous generation, whole
        assert before["docs"] == old["docs"] and before["texts"][name] == old["texts"][name]
    end = snap.get("after", before)
    if op == "ingest":
        assert end["docs"].get("新文件.txt") == _expected_chunks(src / "新文件.txt")
        assert snap["rerun"] == (["unchanged", "unchanged"] if committed else ["updated", "added"])
    _consistent(end)


def test_kill_of_cli_leaves_no_worker_process(tmp_path, built_data_dir) -> None:
    data = tmp_path / "data"
    shutil.copytree(built_data_dir, data)
    src = tmp_path / "src"
    src.mkdir()
    (src / "大文件.txt").write_text(big_text(2500), encoding="utf-8")  # > 1.5 MB: tokeniser worker
    proc = start_cli(data, "ingest", str(src))
    seen: set[int] = set()

    def workers() -> bool:
        seen.update(children_of(proc.pid))
        return (data / "journal.json").exists() and any(alive(p) for p in children_of(proc.pid))

    assert wait_for(workers, 240), "no worker process was started"
    seen.update(children_of(proc.pid))
    kill9(proc)
    assert seen
    assert wait_for(lambda: not any(alive(p) for p in seen), 10), [p for p in seen if alive(p)]


def test_a_data_dir_of_the_previous_format_is_migrated(tmp_path) -> None:
    """Rows without a generation tag, state.json without a lexical directory, the old data/bm25 beside."""
    from sizheng_bot.assistant import Assistant
    from sizheng_bot.retrieval.dense import hashed_vectors

    from conftest import make_settings

    data = tmp_path / "data"
    asst = Assistant.from_settings(make_settings(data))
    texts = ["各支部要按时召开组织生活会。", "认真开展谈心谈话。", "按月开展主题党日活动。"]
    asst.kb.collection().add(
        ids=[f"old-{i}" for i in range(3)],
        documents=texts,
        metadatas=[
            {
                "source": "旧文档.txt",
                "title": "旧文档",
                "section": "",
                "page": -1,
                "position": i,
                "start": 0,
                "end": 0,
                "content_hash": f"c{i}",
                "file_hash": "f" * 64,
                "format": "txt",
            }
            for i in range(3)
        ],  # fmt: skip
        embeddings=hashed_vectors(texts),
    )
    (data / "state.json").write_text('{"generation": 4}', "utf-8")
    (data / "bm25").mkdir()
    (data / "bm25" / "meta.json").write_text('{"format": 1, "generation": 4}', "utf-8")
    again = Assistant.from_settings(make_settings(data))
    assert [(d.source, d.chunks) for d in again.documents()] == [("旧文档.txt", 3)]
    assert again.search("谈心谈话", 1)[0].source == "旧文档.txt"
    assert again.kb.file_hashes() == {"旧文档.txt": "f" * 64}
    assert not (data / "bm25").exists() and (data / "lexical" / "g000004" / "docs.json").exists()
    f = tmp_path / "旧文档.txt"
    f.write_text("新版本：按季度开展主题党日活动。", encoding="utf-8")
    assert again.ingest([f]).files[0].status == "updated"
    assert [c.text for c in again.kb.lexical().chunks if c.source == "旧文档.txt"] == [
        "新版本：按季度开展主题党日活动。"
    ]
    assert again.kb.collection().count() == 1
