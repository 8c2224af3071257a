"""No ceiling: a knowledge base of 40,000+ chunks takes another file, and a stale lexical index is rebuilt
from Chroma (every read paged: a single read of all metadata binds more variables than SQLite allows)."""

from __future__ import annotations

import json
import shutil

import pytest

from test_safety_common import WORDS, cli

N_DOCS, PER_DOC = 41, 1000


@pytest.fixture(scope="module")
def big_kb(tmp_path_factory):  # type: ignore[no-untyped-def]
    """41,000 short chunks written straight through the store (parsing is not what is tested here)."""
    import random

    from sizheng_bot.retrieval.analyzer import Analyzer
    from sizheng_bot.retrieval.store import KnowledgeBase
    from sizheng_bot.types import Chunk

    data = tmp_path_factory.mktemp("big") / "data"
    kb = KnowledgeBase(data, Analyzer.from_files())
    rng = random.Random(3)
    with kb.transaction() as tx:
        for d in range(N_DOCS):
            source = f"材料{d:02d}.txt"
            chunks = [
                Chunk(
                    id=f"d{d:02d}-{i:05d}",
                    source=source,
                    title=source,
                    section="",
                    text="".join(rng.choice(WORDS) for _ in range(8)) + f"（{d}-{i}）。",
                    position=i,
                    content_hash=f"h{d}-{i}",
                )  # fmt: skip
                for i in range(PER_DOC)
            ]
            tx.put(source, chunks, f"{d:064x}", "txt")
    assert len(kb.lexical().chunks) == N_DOCS * PER_DOC
    return data


@pytest.mark.slow  # ~45 s to write 41,000 rows into Chroma, ~30 s for the checks
def test_a_file_added_to_a_40000_chunk_kb_is_searchable(big_kb, tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(big_kb, data)
    f = tmp_path / "驻村工作.txt"
    f.write_text("驻村第一书记要把高原牧区的党建工作与乡村振兴结合起来。", encoding="utf-8")
    r = cli(data, "ingest", str(f))
    assert r.returncode == 0 and "新增 1" in r.stdout, r.stderr[-2000:]
    hits = json.loads(cli(data, "search", "高原牧区驻村第一书记", "--json").stdout)["hits"]
    assert hits and hits[0]["source"] == "驻村工作.txt"
    again = cli(data, "ingest", str(f))  # the manifest answers without reading all metadata
    assert again.returncode == 0 and "未变 1" in again.stdout, again.stderr[-2000:]
    # the lexical index lost: stats and search rebuild it from Chroma, page by page
    shutil.rmtree(data / "lexical")
    st = cli(data, "stats", "--json")
    assert st.returncode == 0, st.stderr[-2000:]
    assert json.loads(st.stdout)["chunks"] == N_DOCS * PER_DOC + 1
