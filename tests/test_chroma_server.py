"""The store on a shared Chroma server: several processes, one committed generation, a lease lock."""

from __future__ import annotations

import json
import time

import pytest

from chroma_server import ChromaServer, chroma_binary
from test_safety_common import cli

from conftest import make_settings

pytestmark = pytest.mark.skipif(chroma_binary() is None, reason="no chroma binary beside the Python (pip chromadb)")


@pytest.fixture
def server(tmp_path):  # type: ignore[no-untyped-def]
    srv = ChromaServer(tmp_path / "chroma-server")
    yield srv
    srv.stop()


def _doc(d, name, text):  # type: ignore[no-untyped-def]
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_text(text, "utf-8")
    return d / name


def _asst(data, url, **kw):  # type: ignore[no-untyped-def]
    from sizheng_bot.assistant import Assistant

    return Assistant.from_settings(make_settings(data, chroma_url=url, chroma_poll=1.0, **kw))


def test_ingest_in_one_cli_is_found_by_another(tmp_path, server) -> None:  # type: ignore[no-untyped-def]
    url = {"SIZHENG_CHROMA_URL": server.url}
    first = _doc(tmp_path / "in", "谈心.txt", "谈心谈话制度要求支部书记每年同每名党员至少谈心一次。\n")
    r = cli(tmp_path / "a", "ingest", str(first), **url)
    assert r.returncode == 0, r.stderr
    r = cli(tmp_path / "b", "search", "谈心谈话", "--json", **url)  # B's own (empty) data dir
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["hits"][0]["source"] == "谈心.txt"
    # a long-lived reader (as an app process) that has already searched, then sees a later ingest
    reader = _asst(tmp_path / "c", server.url)
    assert {h.source for h in reader.search("主题党日 志愿服务")} <= {"谈心.txt"}
    later = _doc(tmp_path / "in2", "党日.txt", "主题党日活动每月固定一天开展，内容包括集中学习和志愿服务。\n")
    r = cli(tmp_path / "a", "ingest", str(later), **url)
    assert r.returncode == 0, r.stderr
    t0 = time.monotonic()
    while not any(h.source == "党日.txt" for h in reader.search("主题党日 志愿服务")):
        assert time.monotonic() - t0 < 10, "the other process's ingest did not become visible within 10 s"
        time.sleep(0.2)
    # B's local lexical cache is one generation old: a new CLI there rebuilds it and finds the new text
    r = cli(tmp_path / "b", "search", "主题党日", "--json", **url)
    assert json.loads(r.stdout)["hits"][0]["source"] == "党日.txt"
    r = cli(tmp_path / "a", "remove", "谈心.txt", **url)
    assert r.returncode == 0, r.stderr
    r = cli(tmp_path / "b", "list", "--json", **url)
    assert [d["source"] for d in json.loads(r.stdout)["documents"]] == ["党日.txt"]


def test_stale_reader_rebuilds_from_stored_tokens(tmp_path, server) -> None:  # type: ignore[no-untyped-def]
    writer = _asst(tmp_path / "w", server.url)
    writer.ingest([_doc(tmp_path / "in", "学习.txt", "“三会一课”制度是党的组织生活的基本制度。\n" * 3)])
    reader = _asst(tmp_path / "r", server.url)
    expected = {c.id for c in writer.kb.lexical().chunks}

    def no_jieba(*a, **k):  # type: ignore[no-untyped-def]
        raise AssertionError("the rebuild must reuse the tokens stored in the rows")

    words = reader.kb.analyzer.words
    reader.kb.analyzer.words = no_jieba  # type: ignore[method-assign]
    try:
        lex = reader.kb.lexical()
    finally:
        reader.kb.analyzer.words = words  # type: ignore[method-assign]
    assert {c.id for c in lex.chunks} == expected
    assert lex.generation == writer.kb.generation()
    assert reader.search("三会一课")[0].source == "学习.txt"


def test_knowledge_bases_on_one_server_are_separate(tmp_path, server) -> None:  # type: ignore[no-untyped-def]
    from sizheng_bot.assistant import registry

    registry(make_settings(tmp_path / "a", chroma_url=server.url)).create("青年理论学习")
    # the registry is on the server: another process with another data dir sees the new name
    names = registry(make_settings(tmp_path / "b", chroma_url=server.url)).load()
    assert "青年理论学习" in names
    a = _asst(tmp_path / "a", server.url)
    b = _asst(tmp_path / "b", server.url, kb="青年理论学习")
    a.ingest([_doc(tmp_path / "x", "谈心.txt", "谈心谈话制度要求支部书记每年同每名党员谈心。\n")])
    b.ingest([_doc(tmp_path / "y", "党日.txt", "主题党日活动每月固定一天开展志愿服务。\n")])
    assert [d.source for d in _asst(tmp_path / "c", server.url).documents()] == ["谈心.txt"]
    assert [d.source for d in _asst(tmp_path / "d", server.url, kb="青年理论学习").documents()] == ["党日.txt"]
    r = cli(tmp_path / "e", "kb", "delete", "青年理论学习", "--yes", SIZHENG_CHROMA_URL=server.url)
    assert r.returncode == 0, r.stderr
    assert "青年理论学习" not in registry(make_settings(tmp_path / "a", chroma_url=server.url)).load()
    assert [d.source for d in _asst(tmp_path / "f", server.url).documents()] == ["谈心.txt"]


def test_lease_lock_excludes_and_expires(tmp_path, server) -> None:  # type: ignore[no-untyped-def]
    from sizheng_bot.errors import IndexBusy
    from sizheng_bot.retrieval.server import ServerLock, connect, meta_collection

    client = connect(server.url)

    def meta():  # type: ignore[no-untyped-def]
        return meta_collection(client)

    one, two = ServerLock(meta, "default", lease=1.5), ServerLock(meta, "default", lease=1.5)
    one.acquire(0)
    assert two.busy() and not one.busy()
    with pytest.raises(IndexBusy, match="PID"):
        two.acquire(0.5)
    one.release()
    two.acquire(0)  # free again
    # a holder that keeps renewing keeps it past its lease
    time.sleep(2.0)
    assert one.busy()
    # a holder that dies (stops renewing, never releases) loses it after the lease
    assert two._stop is not None
    two._stop.set()
    two._depth = 0
    t0 = time.monotonic()
    one.acquire(5)
    assert 0.2 < time.monotonic() - t0 < 4
    one.release()


def test_interrupted_transaction_is_rolled_back_by_the_next_process(tmp_path, server) -> None:  # type: ignore[no-untyped-def]
    from sizheng_bot.retrieval.rows import paged_ids

    a = _asst(tmp_path / "a", server.url)
    a.ingest([_doc(tmp_path / "x", "谈心.txt", "谈心谈话制度要求支部书记每年同每名党员谈心。\n")])
    gen = a.kb.generation()
    tx = a.kb.transaction().__enter__()
    from sizheng_bot.types import Chunk

    c = Chunk(id="半截-0", source="半截.txt", title="半截", section="", text="写到一半的内容", position=0,
              page=None, start=0, end=7, content_hash="h-half")  # fmt: skip
    tx.put("半截.txt", [c], "f" * 64, "txt")
    tx._hold.__exit__(None, None, None)  # the process "dies": lease released, journal left on the server
    col = a.kb.collection()
    assert paged_ids(col, {"gen": gen + 1})  # the uncommitted rows are there
    b = _asst(tmp_path / "b", server.url)
    assert [d.source for d in b.documents()] == ["谈心.txt"]
    b.ingest([_doc(tmp_path / "y", "党日.txt", "主题党日活动每月固定一天开展志愿服务。\n")])  # a writer recovers
    assert not paged_ids(col, {"source": "半截.txt"})
    assert sorted(d.source for d in b.documents()) == ["党日.txt", "谈心.txt"]


def test_sigkill_during_a_server_ingest(tmp_path, server) -> None:  # type: ignore[no-untyped-def]
    """A writer killed mid-batch: readers keep the previous generation; the next writer takes the expired
    lease over, rolls the uncommitted rows back and ingests normally."""
    from sizheng_bot.retrieval.rows import paged_ids
    from test_safety_common import big_text, kill9, start_cli, wait_for

    env = {"SIZHENG_CHROMA_URL": server.url, "SIZHENG_CHROMA_LEASE": "3"}
    small = _doc(tmp_path / "in", "谈心.txt", "谈心谈话制度要求支部书记每年同每名党员谈心。\n")
    assert cli(tmp_path / "a", "ingest", str(small), **env).returncode == 0
    big = _doc(tmp_path / "big", "大文件.txt", big_text(4000, marker="大"))
    proc = start_cli(tmp_path / "a", "ingest", str(big), **env)
    reader = _asst(tmp_path / "r", server.url)
    col = reader.kb.collection()
    assert wait_for(lambda: len(paged_ids(col, {"source": "大文件.txt"})) > 0, 120), proc.stderr
    kill9(proc)
    assert [d.source for d in reader.documents()] == ["谈心.txt"]
    assert [h.source for h in reader.search("谈心谈话")][:1] == ["谈心.txt"]
    t0 = time.monotonic()
    r = cli(tmp_path / "b", "ingest", str(small), **env)  # waits for the dead writer's lease, then recovers
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - t0 < 60
    assert not paged_ids(col, {"source": "大文件.txt"})
    r = cli(tmp_path / "c", "list", "--json", **env)
    assert [d["source"] for d in json.loads(r.stdout)["documents"]] == ["谈心.txt"]


def test_a_deleted_and_recreated_kb_never_shows_an_old_cache(tmp_path, server) -> None:  # type: ignore[no-untyped-def]
    """Same name → same slug and generation numbers start again: the epoch keeps old caches out."""
    from sizheng_bot.assistant import registry

    reg = registry(make_settings(tmp_path / "a", chroma_url=server.url))
    reg.create("专题")
    a = _asst(tmp_path / "a", server.url, kb="专题")
    a.ingest([_doc(tmp_path / "x", "旧.txt", "旧版专题材料，关于作风建设的要求。\n")])
    reader = _asst(tmp_path / "r", server.url, kb="专题")
    assert [d.source for d in reader.documents()] == ["旧.txt"]  # reader now caches generation 1
    r = cli(tmp_path / "w", "kb", "delete", "专题", "--yes", SIZHENG_CHROMA_URL=server.url)
    assert r.returncode == 0, r.stderr
    reg.create("专题")
    b = _asst(tmp_path / "b", server.url, kb="专题")
    b.ingest([_doc(tmp_path / "y", "新.txt", "新版专题材料，关于调查研究的要求。\n")])
    assert b.kb.generation() == 1
    fresh = _asst(tmp_path / "r", server.url, kb="专题")  # a new process on the reader's data dir
    assert [d.source for d in fresh.documents()] == ["新.txt"]


def test_a_lapsed_lease_is_not_renewed_over_its_successor(tmp_path, server) -> None:  # type: ignore[no-untyped-def]
    """The heartbeat keeps a long writer's lease; a holder whose heartbeat stalled past the lease loses it
    for good: it neither renews over the newcomer's lease nor passes ``verify`` (the commit check)."""
    from sizheng_bot.retrieval.server import LeaseLost, ServerLock, connect, meta_collection

    client = connect(server.url)

    def meta():  # type: ignore[no-untyped-def]
        return meta_collection(client)

    one, two = ServerLock(meta, "default", lease=1.5), ServerLock(meta, "default", lease=1.5)
    one.acquire(0)
    time.sleep(3.2)  # a long write: more than two leases, the heartbeat renews
    one.verify()
    assert two.busy()
    assert one._stop is not None
    one._stop.set()  # the heartbeat stalls (a starved thread, an unreachable server)...
    time.sleep(1.7)  # ...past the lease
    two.acquire(2)
    assert not one.renew() and one.lost
    assert two.holder().get("token") == two.token  # the successor's lease was not overwritten
    with pytest.raises(LeaseLost, match="租约"):
        one.verify()
    one.release()  # deletes only its own record
    assert two.holder().get("token") == two.token
    two.verify()
    two.release()


def test_a_writer_whose_lease_lapsed_commits_nothing(tmp_path, server) -> None:  # type: ignore[no-untyped-def]
    from sizheng_bot.retrieval.rows import paged_ids
    from sizheng_bot.retrieval.server import LeaseLost
    from sizheng_bot.types import Chunk

    a = _asst(tmp_path / "a", server.url, chroma_lease=2)
    a.ingest([_doc(tmp_path / "x", "谈心.txt", "谈心谈话制度要求支部书记每年同每名党员谈心。\n")])

    def chunk(name: str, text: str) -> Chunk:
        return Chunk(id=f"{name}-0", source=name, title=name, section="", text=text, position=0,
                     page=None, start=0, end=len(text), content_hash=f"h-{name}")  # fmt: skip

    tx = a.kb.transaction().__enter__()
    tx.put("甲.txt", [chunk("甲.txt", "甲方案的内容，写在租约过期之前。")], "a" * 64, "txt")
    a.kb.proc_lock._stop.set()  # A's heartbeat stalls past its lease
    time.sleep(2.2)
    b = _asst(tmp_path / "b", server.url, chroma_lease=2)
    b.ingest([_doc(tmp_path / "y", "乙.txt", "主题党日活动每月固定一天开展志愿服务。\n")])  # takes over, recovers
    gen_b = b.kb.generation()
    with pytest.raises(LeaseLost):  # A's next rows are refused before they reach Chroma
        tx.put("丙.txt", [chunk("丙.txt", "丙方案的内容，写在租约过期之后。")], "c" * 64, "txt")
    with pytest.raises(LeaseLost):  # and so is its commit point; its rollback leaves B's rows alone
        tx.__exit__(None, None, None)
    col = b.kb.collection()
    assert not paged_ids(col, {"source": "丙.txt"}) and not paged_ids(col, {"source": "甲.txt"})
    assert paged_ids(col, {"source": "乙.txt"})
    assert b.kb.generation() == gen_b
    fresh = _asst(tmp_path / "c", server.url)
    assert sorted(d.source for d in fresh.documents()) == ["乙.txt", "谈心.txt"]
    assert [h.source for h in fresh.search("主题党日 志愿服务")][:1] == ["乙.txt"]


def test_a_server_ingest_takes_the_rows_tokens_from_the_workers(tmp_path, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """In server mode every row carries its chunk's tokens: they come from the token workers, not from a
    second jieba pass in the writing process (which doubled its CPU), and another process searches them."""
    from sizheng_bot.ingest.driver import ingest

    folder = tmp_path / "in"
    for i in range(6):
        _doc(folder, f"材料{i}.txt", f"第{i}号材料\n\n" + "主题党日活动每月固定一天开展，内容包括集中学习和志愿服务。\n" * 40)
    writer = _asst(tmp_path / "a", server.url)
    texts: list[str] = []
    real = writer.kb.analyzer.words
    monkeypatch.setattr(writer.kb.analyzer, "words", lambda text, *a, **k: texts.append(text) or real(text, *a, **k))
    report = ingest(writer.kb, sorted(folder.iterdir()), pool_min_bytes=0, flush_chars=2_000)
    assert all(f.status == "added" for f in report.files)
    chunks = writer.kb.all_chunks()
    assert len(chunks) >= 6
    bodies = {c.text for c in chunks}
    assert not [t for t in texts if t in bodies], "chunk texts were tokenised again in the writing process"
    reader = _asst(tmp_path / "b", server.url)
    assert reader.search("志愿服务")[0].source.startswith("材料")
