"""Several knowledge bases: a registry mapping each display name (any language) to a stable slug.

The slug names the knowledge base's Chroma collections (``kb_<slug>``: Chroma accepts only 3–512 chars of
``[a-zA-Z0-9._-]``) and its directory ``<data>/kbs/<slug>/`` (lexical index, state, journal, write lock).
The knowledge base ``default`` is the data directory itself, so the single-KB layout of earlier versions
keeps working unchanged as ``default``. Renaming changes only the display name; the slug stays.
The registry is ``<data>/kbs.json`` (written atomically under a file lock), or, with a Chroma server, a
record in the server's ``sizheng_meta`` collection so that every process on the server sees the same list.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sizheng_bot.errors import SizhengError

DEFAULT = "default"
REGISTRY = "kbs.json"
KBS_DIR = "kbs"
_RECORD = "registry"
_NAME_MAX = 64


def slugify(name: str) -> str:
    """An ASCII slug: the name itself when it already is one, else its ASCII part plus a hash."""
    low = name.strip().lower()
    ascii_part = re.sub(r"[^a-z0-9]+", "-", low).strip("-")[:32].strip("-")
    if ascii_part == low and len(ascii_part) >= 3:
        return ascii_part
    digest = hashlib.sha1(name.strip().encode("utf-8")).hexdigest()[:10]
    return f"{ascii_part}-{digest}" if ascii_part else f"kb-{digest}"


def display_name(name: str) -> str:
    """How a knowledge base is named to users (the default one in Chinese)."""
    return "默认知识库" if name == DEFAULT else name


def kb_dir(data_dir: Path, slug: str) -> Path:
    return Path(data_dir) if slug == DEFAULT else Path(data_dir) / KBS_DIR / slug


def collection_prefix(slug: str) -> str:
    """``""`` for the default knowledge base (its collections keep their old names), else ``kb_<slug>_``."""
    return "" if slug == DEFAULT else f"kb_{slug}_"


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise SizhengError("知识库名称不能为空")
    if len(name) > _NAME_MAX or any(ch in name for ch in "/\\\n\t"):
        raise SizhengError(f"知识库名称“{name[:_NAME_MAX]}”不合适：最多 {_NAME_MAX} 个字符，且不能含 / \\ 或换行")
    return name


class Registry:
    """Display name → slug. ``meta`` (a callable returning the server's meta collection) selects the server."""

    def __init__(self, data_dir: Path, meta: Callable[[], Any] | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.meta = meta

    @property
    def path(self) -> Path:
        return self.data_dir / REGISTRY

    def load(self) -> dict[str, str]:
        raw: Any = None
        if self.meta is not None:
            got = self.meta().get(ids=[_RECORD], include=["documents"])
            raw = json.loads(got["documents"][0]) if got["ids"] else None
        else:
            try:
                raw = json.loads(self.path.read_text("utf-8"))
            except (OSError, ValueError):
                raw = None
        names = dict(raw.get("kbs", {})) if isinstance(raw, dict) else {}
        return {DEFAULT: DEFAULT, **{str(k): str(v) for k, v in names.items() if k != DEFAULT}}

    def _save(self, names: dict[str, str]) -> None:
        body = json.dumps({"format": 1, "kbs": names}, ensure_ascii=False)
        if self.meta is not None:
            self.meta().upsert(ids=[_RECORD], documents=[body], metadatas=[{"kind": "registry"}], embeddings=[[1.0]])
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(REGISTRY + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def slug(self, name: str) -> str:
        """The slug of an existing knowledge base; a Chinese error listing the known ones otherwise."""
        names = self.load()
        if name in names:
            return names[name]
        known = "、".join(names)
        raise SizhengError(f"知识库“{name}”不存在（现有：{known}）。可用 sizheng-bot kb create {name} 新建")

    def create(self, name: str) -> str:
        name = check_name(name)
        names = self.load()
        if name in names:
            raise SizhengError(f"知识库“{name}”已存在")
        slug = slugify(name)
        taken = set(names.values())
        n = 2
        while slug in taken or slug == DEFAULT:
            slug = f"{slugify(name)}-{n}"
            n += 1
        names[name] = slug
        self._save(names)
        return slug

    def rename(self, old: str, new: str) -> str:
        new = check_name(new)
        names = self.load()
        slug = self.slug(old)
        if old == DEFAULT:
            raise SizhengError("默认知识库 default 不能改名")
        if new in names:
            raise SizhengError(f"知识库“{new}”已存在")
        names = {new if k == old else k: v for k, v in names.items()}
        self._save(names)
        return slug

    def forget(self, name: str) -> str:
        slug = self.slug(name)
        if name == DEFAULT:
            raise SizhengError("默认知识库 default 不能删除（可逐个删除其中的文档）")
        names = self.load()
        names.pop(name, None)
        self._save(names)
        return slug
