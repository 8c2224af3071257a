"""`sizheng-bot` command line: a thin edge over Assistant. The only library module that prints."""

from __future__ import annotations

import os

# The hub clients read their offline switches at import time: set them before anything imports them.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from sizheng_bot.config import Settings  # noqa: E402
from sizheng_bot.errors import SizhengError  # noqa: E402

Handler = Callable[[argparse.Namespace, Settings], int]
COMMANDS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        COMMANDS[name] = fn
        return fn

    return deco


def _assistant(settings: Settings):  # type: ignore[no-untyped-def]
    from sizheng_bot.assistant import Assistant

    return Assistant.from_settings(settings)


def _out(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def _progress_bar(enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled:
        return None, lambda: None
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def update(i: int, n: int, name: str) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=n, desc="入库", unit="个文件", file=sys.stderr, leave=False)
        b = bar["bar"]
        b.n = i
        b.set_postfix_str(name[:30], refresh=True)

    return update, lambda: bar.get("bar") and bar["bar"].close()


@command("ingest")
def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    paths = [Path(p) for p in args.paths] or [settings.knowledge_dir]
    for p in paths:
        if not p.exists():
            raise SizhengError(f"路径不存在：{p}")
    progress, close = _progress_bar(sys.stderr.isatty() and not args.json)

    def notice(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    try:
        report = _assistant(settings).ingest(paths, progress, notice=notice)
    finally:
        close()
    if args.json:
        _out({"seconds": round(report.seconds, 3), "files": [f.__dict__ for f in report.files]})
    else:
        counts: dict[str, int] = {}
        for f in report.files:
            counts[f.status] = counts.get(f.status, 0) + 1
        labels = {"added": "新增", "updated": "更新", "unchanged": "未变", "failed": "失败"}
        summary = "，".join(f"{labels.get(s, s)} {n}" for s, n in counts.items()) or "没有文件"
        print(f"入库完成（{report.seconds:.1f} 秒）：{summary}")
        for f in report.failed:
            print(f"  ✗ {f.error}")
        for f in report.files:
            if f.note:
                print(f"  ℹ {f.source}：{f.note}")
    return 1 if report.files and len(report.failed) == len(report.files) else 0


@command("remove")
def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    n = _assistant(settings).remove(args.path)
    if not n:
        raise SizhengError(f"知识库中没有文档 {Path(args.path).name}（可用 sizheng-bot list 查看）")
    print(f"已删除 {Path(args.path).name}（{n} 个片段）")
    return 0


@command("list")
def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    docs = _assistant(settings).documents()
    if args.json:
        _out({"documents": [d.__dict__ for d in docs]})
        return 0
    if not docs:
        print("知识库为空。先运行：sizheng-bot ingest")
    for d in docs:
        print(f"{d.source}\t{d.chunks} 个片段\t{d.chars} 字\t{d.title}")
    return 0


@command("stats")
def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    st = _assistant(settings).stats()
    if args.json:
        _out(st.__dict__)
    else:
        print(
            f"文档 {st.documents} 篇，片段 {st.chunks} 个，共 {st.chars} 字\n数据目录：{st.data_dir}\n向量模型：{st.embed_status}"
        )
        ident = st.identity or {}
        print(
            f"索引标识：切块 {ident.get('chunk_size')} 字、重叠 {ident.get('chunk_overlap_sentences')} 句、"
            f"读取器版本 {ident.get('loader_version')}（{ident.get('parse_key')}）；"
            f"分词 {ident.get('token_key')}（词典 {ident.get('domain_dict')}，同义词表 {ident.get('synonyms')}）"
        )
    return 0


def _read_batch(path: str) -> list[dict[str, Any]]:
    items = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise SizhengError(f"{path} 第 {n} 行不是合法的 JSON") from exc
        if not (obj.get("question") or obj.get("request")):
            raise SizhengError(f"{path} 第 {n} 行缺少 question 或 request 字段")
        items.append(obj)
    return items


@command("search")
def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    asst = _assistant(settings)
    if args.batch:
        for item in _read_batch(args.batch):
            hits = asst.search(item.get("question") or item.get("request"), args.k)
            _out({"id": item.get("id"), "hits": [h.to_dict() for h in hits]})
        return 0
    if not args.query:
        raise SizhengError("请给出检索内容，例如：sizheng-bot search 谈心谈话怎么开展")
    hits = asst.search(args.query, args.k)
    if args.json:
        _out({"hits": [h.to_dict() for h in hits]})
        return 0
    if not hits:
        print("未检索到相关内容。")
    for i, h in enumerate(hits, 1):
        page = f" {h.page_label}" if h.page else ""
        print(f"[{i}] {h.source}{page} · {h.section or h.title}  (score {h.score:.3f})\n    {h.text}\n")
    return 0


def _task(args: argparse.Namespace, settings: Settings, task: str) -> int:
    from sizheng_bot.cli.tasks import export_result, render_text, require_text, run_task

    asst = _assistant(settings)
    if len(getattr(args, "kbs", [])) > 1:  # several --kb: answer from all of them, sources say which
        asst = asst.for_kbs(args.kbs)
    if args.batch:
        items = _read_batch(args.batch)
        for item in items:
            text = str(item.get("question") or item.get("request"))
            _out({"id": item.get("id"), **run_task(asst, task, text, args, item).to_dict()})
        return 0
    text = require_text(task, args.text)
    result = run_task(asst, task, text, args, {})
    for line in export_result(result, args, task):
        print(line, file=sys.stderr)
    if args.json:
        _out(result.to_dict())
    else:
        print(render_text(result))
    return 0


@command("ask")
def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    return _task(args, settings, "ask")


@command("outline")
def cmd_outline(args: argparse.Namespace, settings: Settings) -> int:
    return _task(args, settings, "outline")


@command("plan")
def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    return _task(args, settings, "plan")


@command("eval")
def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from sizheng_bot.cli.evaluate import run_eval

    return run_eval(args, settings, _assistant, _out)


@command("history")
def cmd_history(args: argparse.Namespace, settings: Settings) -> int:
    from sizheng_bot.cli.history import run_history

    return run_history(args, settings)


@command("feedback")
def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    from sizheng_bot.cli.history import run_feedback

    return run_feedback(args, settings)


@command("kb")
def cmd_kb(args: argparse.Namespace, settings: Settings) -> int:
    from sizheng_bot.cli.kb import run_kb

    return run_kb(args, settings)


@command("serve")
def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Gradio app (the web package inside this distribution)."""
    from ui.app import main as serve

    serve()
    return 0


KB_HELP = "使用的知识库（默认 SIZHENG_KB 或 default）；ask/outline/plan 可重复 --kb，同时在几个知识库中查找"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sizheng-bot", description="思政助手：机关思想政治工作知识库助手（离线优先）"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="输出调试日志")
    p.add_argument("--kb", action="append", default=None, help=KB_HELP)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("ingest", help="文档入库（默认 knowledge/）")
    s.add_argument("paths", nargs="*")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("remove", help="从知识库删除一个文档")
    s.add_argument("path")
    for name, hlp in (("list", "列出已入库文档"), ("stats", "知识库统计")):
        s = sub.add_parser(name, help=hlp)
        s.add_argument("--json", action="store_true")
    s = sub.add_parser("search", help="检索知识库")
    s.add_argument("query", nargs="?")
    s.add_argument("--k", type=int, default=None)
    s.add_argument("--json", action="store_true")
    s.add_argument("--batch", help="JSON lines 文件：{id, question|request}")
    s = sub.add_parser("eval", help="检索评测（seed_dev 或 CRUD-RAG 格式）；--answers 评测回答")
    s.add_argument("file", nargs="?")
    s.add_argument(
        "--answers", metavar="FILE", help="回答评测（seed_dev 格式）：覆盖率、引用、引文核验、拒答"
    )
    s.add_argument("--k", type=int, default=5)
    s.add_argument(
        "--docs",
        help="评测文档：CRUD-RAG 文档 jsonl（按 <doc_id>.txt 入库）或文档目录（入库到独立的知识库）；"
        "不给时，若评测集所指文档不在知识库中，则使用评测集旁的同名目录（如 realdocs_dev.jsonl → ../realdocs-dev/）",
    )
    s.add_argument("--exclude", default="*.md", help="文档目录中不入库的文件（通配符，逗号分隔；默认 *.md 说明文件）")
    s.add_argument("--details", action="store_true")
    from sizheng_bot.cli.tasks import add_task_parsers

    add_task_parsers(sub)
    from sizheng_bot.cli.history import add_history_parsers

    add_history_parsers(sub)
    sub.add_parser("serve", help="启动网页界面（默认 http://127.0.0.1:7860）")
    s = sub.add_parser("kb", help="管理知识库：list | create 名称 | rename 名称 新名称 | delete 名称")
    s.add_argument("action", choices=["list", "create", "rename", "delete"])
    s.add_argument("name", nargs="?")
    s.add_argument("new_name", nargs="?")
    s.add_argument("--yes", action="store_true", help="删除时不再确认")
    s.add_argument("--json", action="store_true")
    for sp in sub.choices.values():  # --kb after the command as well as before it
        sp.add_argument("--kb", action="append", default=argparse.SUPPRESS, help=KB_HELP)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:  # some libraries set DEBUG on their own loggers at import
        handler.setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        args.kbs = list(dict.fromkeys(getattr(args, "kb", None) or []))
        if len(args.kbs) > 1 and args.cmd not in ("ask", "outline", "plan"):
            raise SizhengError(f"只有 ask、outline、plan 可以同时指定多个 --kb（{args.cmd} 只能用一个知识库）")
        settings = Settings(**({"kb": args.kbs[0]} if args.kbs else {}))
        return COMMANDS[args.cmd](args, settings)
    except SizhengError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except Exception as exc:  # pydantic validation errors etc.: one line, no traceback
        print(f"错误：{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
