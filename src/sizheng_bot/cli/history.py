"""`sizheng-bot history list|export` and `sizheng-bot feedback export`: the stored conversations and feedback."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from sizheng_bot.config import Settings
from sizheng_bot.errors import SizhengError
from sizheng_bot.history import HistoryStore


def add_history_parsers(sub: Any) -> None:
    s = sub.add_parser("history", help="已保存的对话：list 列出，export 导出为 .docx/.md")
    hs = s.add_subparsers(dest="history_cmd", required=True)
    ls = hs.add_parser("list", help="列出对话（最新的在前）")
    ls.add_argument("--owner", help="只列出某个用户（登录名）或浏览器的对话")
    ls.add_argument("--json", action="store_true")
    ex = hs.add_parser("export", help="导出一个对话")
    ex.add_argument("id", help="对话编号（history list 中的编号，可只写前几位）")
    ex.add_argument("--docx", metavar="FILE", help="导出为 Word（公文格式）")
    ex.add_argument("--md", metavar="FILE", help="导出为 Markdown")
    ex.add_argument("--clean", action="store_true", help="不含模式说明与参考来源（纯净讲稿）")
    f = sub.add_parser("feedback", help="用户反馈（👍/👎）：export 导出为评测集（eval --answers 可读）")
    fs = f.add_subparsers(dest="feedback_cmd", required=True)
    fe = fs.add_parser("export", help="导出为 JSON lines（seed_dev 格式，附用户意见与原回答）")
    fe.add_argument("--out", metavar="FILE", help="写入文件（默认输出到屏幕）")
    fe.add_argument("--only", choices=("up", "down"), help="只导出 👍 或 👎")


def run_history(args: argparse.Namespace, settings: Settings) -> int:
    store = HistoryStore(settings.data_dir)
    if args.history_cmd == "list":
        convs = store.conversations(args.owner)
        if args.json:
            for c in convs:
                row = {"id": c.id, "owner": c.owner, "title": c.title, "turns": c.turns}
                print(json.dumps(row | {"updated": _when(c.updated)}, ensure_ascii=False))
        elif not convs:
            print("还没有保存的对话。")
        for c in [] if args.json else convs:
            print(f"{c.id[:8]}  {_when(c.updated)}  {c.turns:>3} 问  {c.title}  （{c.owner}）")
        return 0
    return _export(store, args)


def _export(store: HistoryStore, args: argparse.Namespace) -> int:
    from sizheng_bot.export import write_docx, write_markdown
    from sizheng_bot.history.export import conversation_result

    info = store.get(args.id)
    if info is None:
        raise SizhengError(f"找不到对话“{args.id}”（或编号不唯一）：请用 sizheng-bot history list 查看编号")
    result = conversation_result(info, store.turns(info.id), clean=args.clean)
    if not (args.docx or args.md):
        sys.stdout.write(result.text)
        return 0
    if args.docx:
        print(f"已导出：{write_docx(result, args.docx)}")
    if args.md:
        print(f"已导出：{write_markdown(result, args.md)}")
    return 0


def run_feedback(args: argparse.Namespace, settings: Settings) -> int:
    from sizheng_bot.history.export import feedback_item

    items = [feedback_item(fb) for fb in HistoryStore(settings.data_dir).feedback()]
    if args.only:
        items = [i for i in items if i["feedback"] == args.only]
    lines = "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(lines, encoding="utf-8")
        print(f"已导出 {len(items)} 条反馈：{args.out}", file=sys.stderr)
    else:
        sys.stdout.write(lines)
    return 0


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))
