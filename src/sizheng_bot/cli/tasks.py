"""The task side of the CLI (ask / outline / plan / eval --answers): running, rendering, exporting.

Pure helpers that return strings and data; ``cli.py`` (the only module that prints) shows them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sizheng_bot.answer.guard import classify
from sizheng_bot.answer.terms import warm_up
from sizheng_bot.errors import SizhengError
from sizheng_bot.evaluation.answers import evaluate_answers, paste_floor, task_of
from sizheng_bot.evaluation.retrieval import item_query, load_items
from sizheng_bot.types import Result

if TYPE_CHECKING:
    from sizheng_bot.assistant import Assistant

EXPORT_FLAGS = {"ask": ("docx", "md"), "outline": ("docx", "pptx", "md"), "plan": ("docx", "md")}
EXAMPLES = {
    "ask": "sizheng-bot ask 谈心谈话怎么开展才不流于形式？",
    "outline": "sizheng-bot outline 给青年干部讲15分钟的微党课，主题是谈心谈话",
    "plan": "sizheng-bot plan 组织党员到社区开展志愿服务的主题党日",
}


def add_task_parsers(sub: Any) -> None:
    """The ask / outline / plan subcommands with their options."""
    helps = {
        "ask": "提问（离线摘编或大模型作答，均附出处）",
        "outline": "起草微党课提纲",
        "plan": "起草活动方案",
    }
    for task, hlp in helps.items():
        s = sub.add_parser(task, help=hlp)
        s.add_argument("text", nargs="?", help="问题或需求")
        s.add_argument("--json", action="store_true", help="输出 JSON")
        s.add_argument("--batch", help="JSON lines 文件：{id, question|request}，每行输出一个 JSON 结果")
        if task != "ask":
            s.add_argument("--audience", help="授课对象/参加对象")
        if task == "outline":
            s.add_argument("--topic", help="题目/主题")
            s.add_argument("--minutes", type=int, help="时长（分钟）")
        if task == "plan":
            s.add_argument("--theme", help="活动主题")
            s.add_argument("--form", help="活动形式/时长，如 半天、2小时")
        for fmt in EXPORT_FLAGS[task]:
            s.add_argument(f"--{fmt}", metavar="FILE", help=f"同时导出为 .{fmt} 文件")


def run_task(asst: Assistant, task: str, text: str, args: argparse.Namespace, item: dict[str, Any]) -> Result:
    """One request; a batch item's own fields (topic, audience, minutes, form…) win over the flags."""

    def opt(name: str) -> Any:
        return item.get(name) if item.get(name) is not None else getattr(args, name, None)

    history = [tuple(t) for t in item.get("history") or []]
    if task == "outline":
        return asst.outline(text, opt("topic"), opt("audience"), opt("minutes"), history=history)
    if task == "plan":
        return asst.plan(text, opt("theme") or opt("topic"), opt("audience"), opt("form"), history=history)
    return asst.ask(text, history=history)


def require_text(task: str, text: str | None) -> str:
    if not text or not text.strip():
        raise SizhengError(f"请给出问题或需求，例如：{EXAMPLES[task]}")
    return text


def render_text(result: Result) -> str:
    """What a person reads in the terminal: the markdown text, the checks, then any warnings."""
    lines = [result.text.rstrip()]
    if result.quotes:
        lines += ["", f"引文核验：共 {result.quotes_checked} 处，已核实 {result.quotes_verified} 处"
                  + (f"，未核实 {result.quotes_unverified} 处" if result.quotes_unverified else "")]  # fmt: skip
    mode = "大模型" if result.mode == "llm" else "离线摘编"
    lines.append(f"（{mode}模式）")
    lines += [f"提示：{w}" for w in result.warnings]
    return "\n".join(lines)


def export_result(result: Result, args: argparse.Namespace, task: str) -> list[str]:
    """Write the files asked for with --docx/--pptx/--md; the Chinese lines to show."""
    from sizheng_bot.export import write_docx, write_markdown, write_pptx

    writers = {"docx": write_docx, "pptx": write_pptx, "md": write_markdown}
    done = []
    for fmt in EXPORT_FLAGS[task]:
        path = getattr(args, fmt, None)
        if path:
            target = writers[fmt](result, Path(path))  # type: ignore[operator]
            done.append(f"已导出：{target}")
    return done


FLOOR_KEYS = ("confusion", "answer_point_coverage", "median_chars", "not_found_rate", "declined_rate",
              "refusal_rate")  # fmt: skip
FLOOR = "BM25+jieba 同行检索（300 字切块）前 3 个切块原样粘贴（issue 10 的底线，同一文档、同一次运行）"
FLOOR_OURS = "本系统检索前 3 个切块原样粘贴（更严的参照，同一知识库、同一次运行）"


def answer_eval(
    asst: Assistant,
    path: Path,
    details: bool,
    peer_documents: Sequence[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """`eval --answers FILE`: run every item of a seed-format file and score the answers, beside two
    floors of the same run: ``floor`` (the issue's: the guard, then the top 3 chunks of the plain
    BM25+jieba peer pasted whole; the peer indexes ``peer_documents``, by default each document's text
    rebuilt from the knowledge base) and ``floor_ours`` (the same with our own retriever's top 3)."""
    from sizheng_bot.evaluation.peer import Bm25JiebaPeer, documents_of

    items = load_items(path)

    def run(item: dict[str, Any]) -> Result:
        task = task_of(item)
        text = item_query(item)
        if task == "outline":
            return asst.outline(text)
        if task == "plan":
            return asst.plan(text)
        return asst.ask(text)

    asst.search("预热", 1)  # load the index, the tokenizer and the verifier before timing
    asst.verifier()
    warm_up(asst.analyzer)  # and the part-of-speech table the answer decision uses
    chunks = list(asst.kb.lexical().chunks)
    texts = [c.text for c in chunks]

    def top5(query: str) -> list[str]:
        return [h.text for h in asst.search(query, 5)]

    report = evaluate_answers(items, run, texts, top5)
    peer = Bm25JiebaPeer.from_texts(peer_documents if peer_documents is not None else documents_of(chunks))
    floors = {}
    for key, method, search in (("floor", FLOOR, peer.search), ("floor_ours", FLOOR_OURS, asst.search)):
        s = evaluate_answers(items, paste_floor(search, refusal), texts).summary()
        floors[key] = {"method": method} | {k: s[k] for k in FLOOR_KEYS}
    return report.summary() | floors | ({"details": report.details} if details else {})


def refusal(text: str) -> str | None:
    """The guard's message when it refuses ``text``, else None (the floor refuses what the guard refuses)."""
    decision = classify(text)
    return None if decision.ok else decision.message
