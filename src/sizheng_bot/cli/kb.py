"""`sizheng-bot kb list|create|rename|delete`: the knowledge bases of one data directory or Chroma server."""

from __future__ import annotations

import argparse
import json
import sys

from sizheng_bot.config import Settings
from sizheng_bot.errors import SizhengError


def run_kb(args: argparse.Namespace, settings: Settings) -> int:
    """list | create NAME | rename NAME NEW | delete NAME [--yes]."""
    from sizheng_bot.assistant import open_kb, registry
    from sizheng_bot.retrieval.analyzer import Analyzer

    reg = registry(settings)
    if args.action == "list":
        names = reg.load()
        if args.json:
            rows = [{"name": n, "slug": s, "current": n == settings.kb} for n, s in names.items()]
            print(json.dumps({"kbs": rows}, ensure_ascii=False))
        for n, s in names.items() if not args.json else ():
            print(f"{'*' if n == settings.kb else ' '} {n}\t{s}")
        return 0
    if not args.name:
        raise SizhengError(f"请给出知识库名称，例如：sizheng-bot kb {args.action} 党建资料")
    if args.action == "create":
        slug = reg.create(args.name)
        print(f"已新建知识库“{args.name}”（{slug}）。入库：sizheng-bot --kb {args.name} ingest 文件或目录")
    elif args.action == "rename":
        if not args.new_name:
            raise SizhengError(f"请给出新名称，例如：sizheng-bot kb rename {args.name} 新名称")
        reg.rename(args.name, args.new_name)
        print(f"已将知识库“{args.name}”改名为“{args.new_name}”")
    elif args.action == "delete":
        reg.slug(args.name)
        if args.name == "default":
            reg.forget(args.name)  # raises the Chinese refusal
        if not args.yes:
            if not sys.stdin.isatty():
                raise SizhengError(f"删除知识库“{args.name}”需要确认：请在终端中运行，或加 --yes")
            answer = input(f"确认删除知识库“{args.name}”及其全部文档？此操作不可撤销。输入 yes 确认：")
            if answer.strip().lower() not in ("yes", "y"):
                print("已取消")
                return 1
        kb = open_kb(settings.model_copy(update={"kb": args.name}), Analyzer())
        kb.destroy()
        reg.forget(args.name)
        print(f"已删除知识库“{args.name}”")
    return 0
