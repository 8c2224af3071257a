"""The index knows how it was made: a change of chunking or dictionary re-chunks / re-tokenises."""

from __future__ import annotations

from pathlib import Path

from sizheng_bot.assistant import Assistant

from conftest import make_settings

TEXT = (
    "一、谈心谈话要经常化\n"
    + "党支部书记与党员每半年至少谈心一次，了解思想动态，帮助解决实际困难。" * 6
    + "\n二、主题党日要有仪式感\n"
    + "组织党员重温入党誓词，开展志愿服务，会后交流研讨，形成问题清单和整改措施。" * 6
)
WORD = "睦邻红心驿站"


def _doc(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir(exist_ok=True)
    (d / "支部工作要点.txt").write_text(TEXT + f"\n三、阵地建设\n依托{WORD}开展党员学习。", encoding="utf-8")
    return d


def test_changing_chunk_size_rechunks_unchanged_files(tmp_path: Path) -> None:
    docs, data = _doc(tmp_path), tmp_path / "data"
    first = Assistant.from_settings(make_settings(data, chunk_size=300)).ingest([docs])
    assert [f.status for f in first.files] == ["added"]
    again = Assistant.from_settings(make_settings(data, chunk_size=300)).ingest([docs])
    assert [f.status for f in again.files] == ["unchanged"]
    asst = Assistant.from_settings(make_settings(data, chunk_size=100))
    changed = asst.ingest([docs])
    assert [f.status for f in changed.files] == ["updated"]
    assert changed.files[0].chunks > first.files[0].chunks
    assert asst.stats().chunks == changed.files[0].chunks  # the old chunks are gone, not kept beside
    assert asst.stats().identity["chunk_size"] == 100


def test_changing_the_dictionary_retokenises_on_the_next_open(tmp_path: Path) -> None:
    docs, data = _doc(tmp_path), tmp_path / "data"
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("谈心谈话\n", encoding="utf-8")
    asst = Assistant.from_settings(make_settings(data, domain_dict=dictionary))
    asst.ingest([docs])
    before = asst.kb.lexical()
    assert not before.has_term("word", WORD)

    dictionary.write_text(f"谈心谈话\n{WORD} 20000\n", encoding="utf-8")
    reopened = Assistant.from_settings(make_settings(data, domain_dict=dictionary))
    lex = reopened.kb.lexical()
    assert lex.token_key == reopened.kb.analyzer.fingerprint != before.token_key
    assert lex.has_term("word", WORD)
    assert reopened.search(WORD)[0].source == "支部工作要点.txt"
    assert reopened.stats().identity["token_key"] == lex.token_key
