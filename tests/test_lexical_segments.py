"""The segment-based lexical index: BM25 equal to bm25s's, across segments, tombstones, merges, updates,
and a knowledge base of the previous lexical format reopened (rebuilt once from Chroma)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import bm25s
import numpy as np
import pytest

from sizheng_bot.assistant import Assistant
from sizheng_bot.ingest.driver import ingest
from sizheng_bot.retrieval import lexwrite
from sizheng_bot.retrieval.lexical import LexicalIndex
from sizheng_bot.retrieval.rows import paged_ids

from conftest import KNOWLEDGE, make_settings

QUERIES = ["谈心谈话制度", "党支部 标准化 规范化 建设", "青年干部 理论学习 调研", "机关党建 观摩 推进会 交流"]


def _reference(lex: LexicalIndex, analyzer) -> tuple[bm25s.BM25, bm25s.BM25]:  # type: ignore[no-untyped-def]
    """bm25s over the same live chunks, tokenised as the index does it."""
    word = [[*analyzer.words(f"{c.title} {c.section}"), *analyzer.words(c.text)] for c in lex.chunks]
    char = [analyzer.bigrams(f"{c.section} {c.text}") for c in lex.chunks]
    ref_w, ref_c = bm25s.BM25(k1=1.2, b=0.75), bm25s.BM25(k1=1.2, b=0.75)
    ref_w.index(word, show_progress=False)
    ref_c.index(char, show_progress=False)
    return ref_w, ref_c


def _assert_same_as_bm25s(lex: LexicalIndex, analyzer) -> None:  # type: ignore[no-untyped-def]
    ref_w, ref_c = _reference(lex, analyzer)
    for q in QUERIES:
        orig, extra = analyzer.query_terms(q)
        ours = lex.scores("word", [(orig, 1.0), (extra, 0.3)])
        theirs = np.zeros(len(lex), dtype=np.float32)
        for terms, w in ((orig, 1.0), (extra, 0.3)):
            ids = ref_w.get_tokens_ids(list(terms))
            if ids:
                theirs += w * ref_w.get_scores_from_ids(ids)
        assert ours.max() > 0
        np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=2e-5)
        big = analyzer.bigrams(q)
        np.testing.assert_allclose(
            lex.scores("char", [(big, 1.0)]), ref_c.get_scores_from_ids(ref_c.get_tokens_ids(big)), rtol=2e-4, atol=2e-5
        )


def _consistent(asst: Assistant) -> None:
    lex = asst.kb.lexical()
    ids = paged_ids(asst.kb.collection())
    assert len(ids) == len(set(ids)) == len(lex)
    assert set(ids) == {c.id for c in lex.chunks}
    assert {d.source: d.chunks for d in asst.documents()} == {
        s: sum(1 for c in lex.chunks if c.source == s) for s in {c.source for c in lex.chunks}
    }
    assert all(lex.chunks[lex.pos[c.id]] == c for c in lex.chunks)


def test_scores_equal_bm25s_on_the_shipped_reports(assistant) -> None:
    lex = assistant.kb.lexical()
    assert len(lex) > 50
    _assert_same_as_bm25s(lex, assistant.kb.analyzer)


def test_segments_tombstones_and_merges_keep_bm25s_scores(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(lexwrite, "MAX_SEGMENTS", 3)
    monkeypatch.setattr(lexwrite, "MERGE_FACTOR", 2)
    src = tmp_path / "src"
    shutil.copytree(KNOWLEDGE, src)
    asst = Assistant.from_settings(make_settings(tmp_path / "data"))
    rep = ingest(asst.kb, [src], chunk_size=asst.settings.ingest.chunk_size, flush_chars=3000,
                 parse_key=asst.identity().parse_key)  # fmt: skip
    assert not rep.failed
    lex = asst.kb.lexical()
    assert 2 <= len(lex.segments) <= 3  # many flushed batches, merged down
    _assert_same_as_bm25s(lex, asst.kb.analyzer)
    _consistent(asst)

    # an update and a removal: tombstones in the kept segments, the new version in a new one
    doc = sorted(p for p in src.glob("*.txt") if p.name not in {"domain_dict.txt", "synonyms.txt"})[0]
    doc.write_text(doc.read_text("utf-8")[:900] + "\n新增一段：黄浦江畔试点台账登记。", encoding="utf-8")
    gone = next(d.source for d in asst.documents() if d.source != doc.name)
    assert asst.ingest([doc]).files[0].status == "updated"
    assert asst.remove(gone) > 0
    lex = asst.kb.lexical()
    assert lex.dead or len(lex.segments) < 3
    assert gone not in {c.source for c in lex.chunks} and gone not in lex.docs
    assert any("黄浦江畔" in c.text for c in lex.chunks if c.source == doc.name)
    _assert_same_as_bm25s(lex, asst.kb.analyzer)
    _consistent(asst)

    # a fresh process sees the same generation from disk
    again = Assistant.from_settings(make_settings(tmp_path / "data"))
    assert [c.id for c in again.kb.lexical().chunks] == [c.id for c in lex.chunks]
    assert again.search("黄浦江畔试点台账", 1)[0].source == doc.name


def test_a_full_merge_drops_the_dead_chunks(tmp_path) -> None:
    asst = Assistant.from_settings(make_settings(tmp_path / "data"))
    asst.ingest([KNOWLEDGE])
    names = [d.source for d in sorted(asst.documents(), key=lambda d: d.chunks)]
    for s in names[1:]:  # keep the smallest: the segment is then mostly dead
        asst.remove(s)
    lex = asst.kb.lexical()
    assert not lex.dead  # the only segment became mostly dead: rewritten without them
    assert sum(s.n for s in lex.segments) == len(lex) == sum(d.chunks for d in asst.documents())
    _assert_same_as_bm25s(lex, asst.kb.analyzer)
    _consistent(asst)
    used = set(lex.segments[0].path.parent.iterdir())
    assert used == {s.path for s in lex.segments}  # replaced segments are removed after the commit


def test_a_format_2_knowledge_base_is_rebuilt_once(tmp_path, assistant, caplog) -> None:
    data = tmp_path / "data"
    shutil.copytree(assistant.kb.data_dir, data)
    state = json.loads((data / "state.json").read_text("utf-8"))
    old = data / "lexical" / state["lexical"]
    shutil.rmtree(data / "lexical")
    old.mkdir(parents=True)  # what format 2 left: bm25s models, chunks.json, tokens.json, docs.json
    meta = {"format": 2, "generation": state["generation"], "chunks": 1, "token_key": assistant.kb.analyzer.fingerprint}
    (old / "meta.json").write_text(json.dumps(meta), "utf-8")
    (old / "tokens.json").write_text("{}", "utf-8")
    caplog.set_level(logging.INFO, logger="sizheng_bot")
    again = Assistant.from_settings(make_settings(data))
    lex = again.kb.lexical()
    assert "in format 2 (now 3): rebuilt once from Chroma" in caplog.text
    assert [c.id for c in lex.chunks] == [c.id for c in assistant.kb.lexical().chunks]
    assert [h.chunk_id for h in again.search("谈心谈话制度", 5)] == [h.chunk_id for h in assistant.search("谈心谈话制度", 5)]
    assert LexicalIndex.saved_generation(data / "lexical" / state["lexical"]) == state["generation"]
    _consistent(again)


@pytest.mark.parametrize("view", ["word", "char"])
def test_unknown_terms_and_empty_queries_score_zero(assistant, view) -> None:
    lex = assistant.kb.lexical()
    assert not lex.scores(view, [(["不存在的词语甲乙丙"], 1.0)]).any()
    assert not lex.scores(view, []).any() and len(lex.scores(view, [])) == len(lex)


def test_order_of_chunks_groups_each_document_in_position_order(assistant) -> None:
    lex = assistant.kb.lexical()
    seen: dict[str, int] = {}
    last = ""
    for c in lex.chunks:
        if c.source != last:
            assert c.source not in seen  # contiguous
            last = c.source
        assert c.position > seen.get(c.source, -1)
        seen[c.source] = c.position
    assert Path(lex.segments[0].path).parent.name == "segments"


def test_a_reader_keeps_its_generation_when_a_writer_deletes_the_files(tmp_path, assistant) -> None:
    """Another process's commit removes replaced segments and old generation directories: a reader that
    opened them before still scores, reads chunks, ids and the manifest."""
    data = tmp_path / "data"
    shutil.copytree(assistant.kb.data_dir, data)
    state = json.loads((data / "state.json").read_text("utf-8"))
    lex = LexicalIndex.load(data / "lexical" / state["lexical"])
    shutil.rmtree(data / "lexical")
    assert lex.scores("word", [(["谈心谈话"], 1.0)]).max() > 0
    assert lex.chunks[len(lex) - 1].id in lex.pos and len(lex.docs) == len(assistant.documents())
