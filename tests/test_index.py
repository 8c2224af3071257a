"""Knowledge base on disk: incremental ingest, replace, remove, bad files in a batch, BM25 rebuilt from Chroma."""

import shutil

import numpy as np

from sizheng_bot.assistant import Assistant

from conftest import KNOWLEDGE, make_settings


def _kb(tmp_path):
    return Assistant.from_settings(make_settings(tmp_path / "data"))


def test_reingest_unchanged_does_nothing(fresh_assistant) -> None:
    gen = fresh_assistant.kb.generation()
    rep = fresh_assistant.ingest()
    assert {f.status for f in rep.files} == {"unchanged"}
    assert fresh_assistant.kb.generation() == gen


def test_changed_file_replaces_its_chunks(tmp_path) -> None:
    asst = _kb(tmp_path)
    f = tmp_path / "通知.txt"
    f.write_text("一、工作要求\n各支部要按时召开组织生活会。请认真准备谈心谈话。\n", encoding="utf-8")
    assert asst.ingest([f]).files[0].status == "added"
    assert "组织生活会" in asst.search("组织生活会", 1)[0].text
    f.write_text("一、工作要求\n各支部要按月开展主题党日活动。\n", encoding="utf-8")
    assert asst.ingest([f]).files[0].status == "updated"
    texts = [c.text for c in asst.kb.lexical().chunks]
    assert any("主题党日" in t for t in texts)
    assert not any("组织生活会" in t for t in texts)  # old chunks gone


def test_remove_document(fresh_assistant) -> None:
    before = {d.source for d in fresh_assistant.documents()}
    assert "党校党群工作调研报告.txt" in before
    n = fresh_assistant.remove("knowledge/党校党群工作调研报告.txt")
    assert n > 0
    after = {d.source for d in fresh_assistant.documents()}
    assert after == before - {"党校党群工作调研报告.txt"}
    assert all(
        h.source != "党校党群工作调研报告.txt" for h in fresh_assistant.search("三坚持 围绕中心 以人为本", 10)
    )
    assert fresh_assistant.remove("不存在.txt") == 0


def test_bad_files_reported_rest_of_batch_indexed(tmp_path) -> None:
    asst = _kb(tmp_path)
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "好文件.txt").write_text("主题党日活动要有仪式感。组织党员重温入党誓词。", encoding="utf-8")
    (batch / "旧格式.doc").write_bytes(b"\xd0\xcf\x11\xe0binary")
    (batch / "坏的.pdf").write_bytes(b"%PDF-1.4\n garbage garbage")
    (batch / "空的.txt").write_bytes(b"")
    rep = asst.ingest([batch])
    by_name = {f.source: f for f in rep.files}
    assert by_name["好文件.txt"].status == "added"
    for bad in ("旧格式.doc", "坏的.pdf", "空的.txt"):
        assert by_name[bad].status == "failed"
        assert bad in (by_name[bad].error or "")
    assert "另存为" in (by_name["旧格式.doc"].error or "")
    assert [d.source for d in asst.documents()] == ["好文件.txt"]


def test_existing_index_survives_a_failing_batch(fresh_assistant, tmp_path) -> None:
    before = len(fresh_assistant.kb.lexical().chunks)
    bad = tmp_path / "扫描件.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    rep = fresh_assistant.ingest([bad])
    assert rep.files[0].status == "failed" and "OCR" in (rep.files[0].error or "")
    assert len(fresh_assistant.kb.lexical().chunks) == before


def test_bm25_rebuilt_from_chroma_when_missing_or_stale(fresh_assistant) -> None:
    data = fresh_assistant.settings.data_dir
    expected = [h.chunk_id for h in fresh_assistant.search("意识形态工作责任制", 5)]
    shutil.rmtree(data / "lexical")
    again = Assistant.from_settings(fresh_assistant.settings)
    assert [h.chunk_id for h in again.search("意识形态工作责任制", 5)] == expected
    assert any((data / "lexical").glob("g*/meta.json"))
    # simulate a write interrupted after Chroma changed: generation ahead of the BM25 side
    again.kb._bump()
    third = Assistant.from_settings(fresh_assistant.settings)
    assert [h.chunk_id for h in third.search("意识形态工作责任制", 5)] == expected


def test_hits_carry_source_title_section_page(assistant) -> None:
    hits = assistant.search("突出严肃性 聚焦工作重点", 3)
    h = hits[0]
    assert h.source == "市委党校机关思想政治工作调研报告.txt"
    assert h.section.startswith("三、对策建议 > （二）突出严肃性")
    assert h.title
    d = h.to_dict()
    assert set(d) == {"source", "title", "section", "page", "text", "score"}


def test_knowledge_dir_reserved_files_not_ingested(assistant) -> None:
    sources = {d.source for d in assistant.documents()}
    assert "domain_dict.txt" not in sources and "synonyms.txt" not in sources and "README.md" not in sources
    assert len(sources) == len(
        [p for p in KNOWLEDGE.glob("*.txt") if p.name not in {"domain_dict.txt", "synonyms.txt"}]
    )


def test_worker_process_tokens_match_in_process(tmp_path, assistant) -> None:
    """Large ingests tokenise in a worker process in flushes; the index must be identical."""
    from sizheng_bot.ingest.driver import ingest
    from sizheng_bot.retrieval.analyzer import Analyzer
    from sizheng_bot.retrieval.store import KnowledgeBase

    kb = KnowledgeBase(tmp_path / "data", Analyzer.from_files())
    rep = ingest(
        kb, [KNOWLEDGE], chunk_size=assistant.settings.ingest.chunk_size, flush_chars=5000, pool_min_bytes=0,
        parse_key=assistant.identity().parse_key,
    )
    assert not rep.failed
    ours = kb.lexical()
    ref = assistant.kb.lexical()
    assert [c.id for c in ours.chunks] == [c.id for c in ref.chunks]
    for view in ("word", "char"):  # same tokens, whichever process cut them
        q = ["谈心谈话", "党支部", "理论学习"] if view == "word" else ["谈心", "支部", "学习"]
        assert np.allclose(ours.scores(view, [(q, 1.0)]), ref.scores(view, [(q, 1.0)]), rtol=1e-6)


def test_search_does_not_wait_for_a_write(fresh_assistant) -> None:
    """Chat stays responsive during an upload: readers get the last consistent index."""
    import threading
    import time

    fresh_assistant.search("谈心谈话", 3)  # index loaded
    held = threading.Event()
    release = threading.Event()

    def writer() -> None:
        with fresh_assistant.kb.lock:
            held.set()
            release.wait(10)

    t = threading.Thread(target=writer)
    t.start()
    held.wait(5)
    t0 = time.perf_counter()
    hits = fresh_assistant.search("谈心谈话", 3)
    waited = time.perf_counter() - t0
    release.set()
    t.join()
    assert hits and waited < 2.0


def test_rows_are_packed_and_read_back_whole(fresh_assistant) -> None:
    """Rows keep only the filter keys plain (text and the rest packed in one key, no Chroma document);
    a rebuild from them gives back every chunk field, and a row of the old layout beside them reads too."""
    from sizheng_bot.retrieval.rebuild import rebuild
    from sizheng_bot.retrieval.rows import ROW, paged_get

    kb = fresh_assistant.kb
    got = next(paged_get(kb.collection(), ["documents", "metadatas"]))
    assert all(d is None for d in got["documents"])
    assert all(set(m) == {"source", "gen", "file_hash", ROW} for m in got["metadatas"])
    committed = list(kb.lexical().chunks)
    lex, stray = rebuild(kb, kb.generation(), {})
    assert list(lex.chunks) == committed and not stray
    assert {s: (d["hash"], d["chunks"]) for s, d in lex.docs.items()} == {
        s: (d["hash"], d["chunks"]) for s, d in kb.lexical().docs.items()
    }
    old = committed[0]
    kb.collection().add(
        ids=["old-layout"],
        documents=["旧格式的片段正文。"],
        metadatas=[{"source": "旧.txt", "title": "旧", "section": "一、", "page": 3, "position": 0, "start": 0,
                    "end": 9, "content_hash": "x1", "file_hash": "f" * 64, "format": "txt", "gen": 1, "ocr": True}],
        embeddings=[[1.0] * len(kb.collection().get(ids=[old.id], include=["embeddings"])["embeddings"][0])],
    )  # fmt: skip
    lex, _ = rebuild(kb, kb.generation(), {})
    legacy = [c for c in lex.chunks if c.source == "旧.txt"]
    assert [(c.text, c.section, c.page, c.ocr, c.content_hash) for c in legacy] == [("旧格式的片段正文。", "一、", 3, True, "x1")]
    assert (lex.docs["旧.txt"]["hash"], lex.docs["旧.txt"]["format"], lex.docs["旧.txt"]["chunks"]) == ("f" * 64, "txt", 1)


def test_token_pool_spreads_pieces_over_its_workers(assistant) -> None:
    """Several workers, fed pieces of about PIECE_CHARS: every item comes back once, cut as in-process."""
    from sizheng_bot.ingest.tokenpool import TokenPool, pieces

    texts = [c.text for c in assistant.kb.lexical().chunks]
    items = [(f"k{i}", t) for i, t in enumerate(texts)]
    runs = pieces(items, 2000)
    assert len(runs) > 2 and [x for r in runs for x in r] == items
    assert all(sum(len(t) for _, t in r) >= 2000 for r in runs[:-1])
    pool = TokenPool(assistant.kb.analyzer, workers=2)
    try:
        for r in runs[:2]:
            pool.submit(r)
        pool.submit([x for r in runs[2:] for x in r])
        got = pool.results()
    finally:
        pool.close()
    assert got == {k: assistant.kb.analyzer.words(t) for k, t in items}
