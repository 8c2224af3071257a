"""Embeddings: fail fast offline, the real bundled model path, and the model-free vector."""

import time

import numpy as np
import pytest

from sizheng_bot.assistant import Assistant
from sizheng_bot.errors import EmbeddingUnavailable
from sizheng_bot.retrieval.dense import DenseEmbedder, hashed_vectors

from conftest import make_settings


def test_uncached_hub_model_fails_fast_and_clearly() -> None:
    t0 = time.perf_counter()
    with pytest.raises(EmbeddingUnavailable) as err:
        DenseEmbedder("BAAI/bge-small-zh-v1.5")
    assert time.perf_counter() - t0 < 2.0
    assert "BAAI/bge-small-zh-v1.5" in str(err.value) and "离线" in str(err.value)


def test_bad_local_path_fails_fast(tmp_path) -> None:
    (tmp_path / "notamodel").mkdir()
    with pytest.raises(EmbeddingUnavailable):
        DenseEmbedder(str(tmp_path / "notamodel"))


def test_assistant_carries_on_without_unavailable_model(tmp_path) -> None:
    t0 = time.perf_counter()
    asst = Assistant.from_settings(make_settings(tmp_path / "d", embed_model="BAAI/bge-small-zh-v1.5"))
    assert time.perf_counter() - t0 < 3.0
    assert "不可用" in asst.embed_status
    f = tmp_path / "a.txt"
    f.write_text("谈心谈话要做到五必谈。", encoding="utf-8")
    assert asst.ingest([f]).files[0].status == "added"
    assert asst.search("五必谈", 1)


def test_hashed_vectors_are_deterministic_and_normalised() -> None:
    v = hashed_vectors(["机关思想政治工作", "机关思想政治工作", "天气预报"])
    assert np.allclose(v[0], v[1])
    assert np.isclose(np.linalg.norm(v[0]), 1.0)
    assert float(v[0] @ v[2]) < float(v[0] @ v[1])


@pytest.mark.slow
def test_real_bundled_model_embeds_and_serves_dense_search(tmp_path) -> None:
    """The real sentence-transformers path with the offline MiniLM package (English, so weight 0 by default)."""
    asst = Assistant.from_settings(make_settings(tmp_path / "d", embed_model="minilm", embed_weight=1.0))
    assert asst.kb.dense is not None and not asst.kb.dense.chinese
    f = tmp_path / "a.txt"
    f.write_text(
        "会议记录\n\nParty branch meeting notes.\n\n谈心谈话要做到五必谈。\n\n主题党日活动要有仪式感。",
        encoding="utf-8",
    )
    asst.ingest([f])
    assert asst.kb.missing_dense() == []
    vec = asst.kb.dense.embed_query("branch meeting")
    assert vec.shape == (384,)
    hits = asst.search("branch meeting notes", 2)
    assert hits and "Party branch" in hits[0].text
