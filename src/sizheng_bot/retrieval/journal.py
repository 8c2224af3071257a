"""The write journal: what an interrupted transaction left, rolled back or finished by the next writer."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sizheng_bot.retrieval.lexical import FORMAT_VERSION, SEGMENTS, LexicalIndex
from sizheng_bot.retrieval.rows import delete_ids, paged_ids
from sizheng_bot.retrieval.store import LEGACY_BM25, KnowledgeBase

log = logging.getLogger(__name__)

JOURNAL = "journal.json"


def gen_dir(gen: int) -> str:
    return f"g{gen:06d}"


def journal_path(kb: KnowledgeBase) -> Path:
    return kb.data_dir / JOURNAL


def has_journal(kb: KnowledgeBase) -> bool:
    if kb.server:
        return kb.records.get(f"journal:{kb.slug}") is not None
    return journal_path(kb).exists()


def clear_journal(kb: KnowledgeBase) -> None:
    if kb.server:
        kb.records.delete(f"journal:{kb.slug}")
    else:
        journal_path(kb).unlink(missing_ok=True)


def _read_journal(kb: KnowledgeBase) -> dict[str, Any] | None:
    """The journal, None when there is none; raises ValueError when it is unreadable."""
    if kb.server:
        return kb.records.get(f"journal:{kb.slug}")
    path = journal_path(kb)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ValueError(str(exc)) from exc
    if not isinstance(data, dict):
        raise ValueError("not an object")
    return data


def write_journal(kb: KnowledgeBase, data: dict[str, Any]) -> None:
    if kb.server:
        kb.records.put(f"journal:{kb.slug}", data)
        return
    path = journal_path(kb)
    tmp = path.with_name(JOURNAL + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def drop_generation(kb: KnowledgeBase, gen: int) -> None:
    """Undo an uncommitted generation: its rows and its lexical directory."""
    if kb.exists():
        for col in kb.collections():
            delete_ids(col, paged_ids(col, {"gen": gen}))
    for name in (gen_dir(gen), gen_dir(gen) + ".tmp"):
        shutil.rmtree(kb.lexical_root / name, ignore_errors=True)


def tidy(kb: KnowledgeBase) -> None:
    """Remove lexical directories and segments the committed generation does not name, and temp files
    of failed writes."""
    keep = kb.state().lexical
    used: set[str] = set()
    if keep:
        used = {str(n) for n in LexicalIndex.saved_meta(kb.lexical_root / keep).get("segments", []) or []}  # type: ignore[attr-defined]
    if kb.lexical_root.exists():
        for d in kb.lexical_root.iterdir():
            if d.name == SEGMENTS and d.is_dir():
                for seg in d.iterdir():
                    if seg.name not in used:
                        shutil.rmtree(seg, ignore_errors=True) if seg.is_dir() else seg.unlink(missing_ok=True)
            elif d.name != keep:
                shutil.rmtree(d, ignore_errors=True) if d.is_dir() else d.unlink(missing_ok=True)
    if keep:
        shutil.rmtree(kb.data_dir / LEGACY_BM25, ignore_errors=True)
        shutil.rmtree(kb.data_dir / (LEGACY_BM25 + ".tmp"), ignore_errors=True)
    for name in ("state.json.tmp", JOURNAL + ".tmp"):
        (kb.data_dir / name).unlink(missing_ok=True)


def recover(kb: KnowledgeBase) -> None:
    """Inside ``kb.writing()``: finish or undo a transaction a crash interrupted (cheap when there is none)."""
    try:
        j = _read_journal(kb)
        if j is None:
            return
        gen = int(j["generation"])
    except (ValueError, KeyError, TypeError):
        log.warning("unreadable journal of %s: removed", kb.data_dir)
        clear_journal(kb)
        return
    if j.get("status") == "commit" and kb.generation() == gen:
        log.info("finishing the clean-up of generation %d after an interruption", gen)
        kb.notify("上次写入在提交后被中断，正在完成收尾清理（已提交的内容不受影响）")
        if kb.exists():
            for col in kb.collections():
                delete_ids(col, list(j.get("old_ids", [])))
    else:
        log.info("rolling back generation %d, interrupted before its commit", gen)
        kb.notify("上次写入未完成即被中断，正在撤销其未提交的部分（此前的知识库内容不受影响）")
        drop_generation(kb, gen)
    tidy(kb)
    clear_journal(kb)


def repair(kb: KnowledgeBase, progress: Callable[[int, int], None] | None = None) -> LexicalIndex:
    """Inside ``kb.writing()``: rebuild the committed generation's lexical index from Chroma."""
    from sizheng_bot.retrieval.rebuild import rebuild

    st = kb.state()
    cache = LexicalIndex.load_tokens(kb.data_dir / LEGACY_BM25, kb.analyzer.fingerprint)
    if st.lexical:
        old = LexicalIndex.saved_meta(kb.lexical_root / st.lexical).get("format")
        if old is not None and old != FORMAT_VERSION:
            log.info(
                "lexical index of %s is in format %s (now %d): rebuilt once from Chroma",
                kb.data_dir, old, FORMAT_VERSION,
            )  # fmt: skip
            kb.notify("知识库的检索索引为旧版格式，正在从已入库内容重建一次（内容不变）……")
        cache |= LexicalIndex.load_tokens(kb.lexical_root / st.lexical, kb.analyzer.fingerprint)
    log.info("rebuilding the lexical index from Chroma (generation %d)", st.generation)
    lex, stray = rebuild(kb, st.generation, cache | kb._primed, progress)
    kb._primed = {}
    if stray:
        delete_ids(kb.collection(), stray)
    name = gen_dir(st.generation)
    lex.save(kb.lexical_root / name)
    kb.write_state(st.generation, name)
    tidy(kb)
    return lex
