"""`sizheng-bot eval`: retrieval or answer evaluation of a dev set (an edge: it prints to stderr)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sizheng_bot.config import Settings
from sizheng_bot.errors import SizhengError


def run_eval(args: argparse.Namespace, settings: Settings, assistant: Any, out: Callable[[Any], None]) -> int:
    """Retrieval evaluation of a set (its documents ingested into a knowledge base of their own when
    they are not in this one), or with ``--answers`` the answer evaluation."""
    from sizheng_bot.evaluation.retrieval import evaluate_retrieval, load_items

    asst = assistant(settings)
    if args.answers:
        from sizheng_bot.cli.tasks import answer_eval

        if not Path(args.answers).exists():
            raise SizhengError(f"评测文件不存在：{args.answers}")
        out(answer_eval(asst, Path(args.answers), args.details))
        return 0
    if not args.file:
        raise SizhengError(
            "请给出评测文件，例如：sizheng-bot eval seed_dev.jsonl 或 sizheng-bot eval --answers seed_dev.jsonl"
        )
    items = load_items(Path(args.file))
    docs = Path(args.docs) if args.docs else _docs_beside(Path(args.file), items, asst)
    if docs is not None and docs.is_dir():
        asst = _folder_assistant(assistant, settings, docs, args.exclude)
    elif docs is not None:
        corpus = _materialise_corpus(docs, settings.data_dir / f"corpus_{docs.stem}")
        asst.ingest([corpus])
    report = evaluate_retrieval(items, asst.search, args.k)
    out(report.summary() | ({"details": report.details} if args.details else {}))
    return 0


def _docs_beside(evalset: Path, items: list[dict[str, Any]], asst: Any) -> Path | None:
    """A document-folder set (gold ``doc`` names files) whose documents are not in the knowledge base:
    its folder beside the set (``X_dev.jsonl`` → ``../X-dev/`` or ``./X_dev/``), when there is one."""
    gold = {Path(g["doc"]).name for it in items for g in it.get("gold") or [] if "doc" in g}
    if not gold or gold <= {d.source for d in asst.documents()}:
        return None
    stem = evalset.stem
    for cand in (evalset.parent.parent / stem.replace("_", "-"), evalset.parent / stem, evalset.parent.parent / stem):
        if cand.is_dir():
            print(f"评测文档目录：{cand}（可用 --docs 指定）", file=sys.stderr)
            return cand
    return None


def _folder_assistant(assistant: Any, settings: Settings, folder: Path, exclude: str) -> Any:
    """An assistant over its own knowledge base holding only ``folder``'s documents (minus ``exclude``)."""
    import fnmatch

    from sizheng_bot.ingest.driver import iter_files

    name = folder.resolve().name
    local = {"data_dir": settings.data_dir / f"eval_{name}", "kb": "default", "chroma_url": ""}
    asst = assistant(settings.model_copy(update=local))
    pats = [p for p in exclude.split(",") if p.strip()]
    files = [f for f in iter_files([folder]) if not any(fnmatch.fnmatch(f.name.lower(), p.strip().lower()) for p in pats)]
    report = asst.ingest(files)
    for f in report.failed:
        print(f"未能入库：{f.error}", file=sys.stderr)
    return asst


def _materialise_corpus(jsonl: Path, out_dir: Path) -> Path:
    """CRUD-RAG documents as one `<doc_id>.txt` file each (so a hit's source names its id)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for line in jsonl.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            f = out_dir / f"{d['doc_id']}.txt"
            text = (d.get("title") + "\n" if d.get("title") else "") + d["text"]
            if not f.exists() or f.read_text(encoding="utf-8") != text:
                f.write_text(text, encoding="utf-8")
    return out_dir
