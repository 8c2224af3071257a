"""Conversation list, export and feedback behind the page (no gradio here).

The owner of a conversation is ``user:<login name>`` when login is on, else ``browser:<random id>``
(kept in the browser's localStorage).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from sizheng_bot.config import Settings
from sizheng_bot.history import HistoryStore
from sizheng_bot.history.codec import result_from_json
from sizheng_bot.history.export import conversation_result
from sizheng_bot.types import Result
from ui import render
from ui.files import ExportDir, safe_filename

log = logging.getLogger(__name__)
SECRET_WORDS = ("key", "auth", "password", "secret", "token")


def owner_of(browser_id: str | None, username: str | None) -> str:
    if username:
        return f"user:{username}"
    return f"browser:{browser_id}" if browser_id else ""


def settings_snapshot(settings: Settings, generation: int | None = None) -> dict[str, Any]:
    """The settings an answer was made with (no secrets), stored with its feedback."""
    data = {
        k: (str(v) if not isinstance(v, int | float | bool | type(None)) else v)
        for k, v in settings.model_dump().items()
        if not any(w in k for w in SECRET_WORDS)
    }
    data["mode"] = "llm" if settings.llm.enabled else "offline"
    if generation is not None:
        data["kb_generation"] = generation
    return data


class Conversations:
    def __init__(self, store: HistoryStore, exports: ExportDir, settings: Settings) -> None:
        self.store = store
        self.exports = exports
        self.settings = settings

    def choices(self, owner: str) -> list[tuple[str, str]]:
        """(label, id) pairs for the sidebar list, newest first."""
        return (
            [(f"{c.title}（{c.turns} 问）", c.id) for c in self.store.conversations(owner)] if owner else []
        )

    def rename(self, owner: str, conv_id: str | None, title: str) -> str:
        if not conv_id:
            return render.notice("请先在列表中选择一个对话。", "warn")
        if not title.strip():
            return render.notice("请先填写新名称。", "warn")
        self.store.rename(owner, conv_id, title)
        return render.notice("已重命名。", "ok")

    def delete(self, owner: str, conv_id: str | None) -> str:
        if not conv_id or not self.store.delete(owner, conv_id):
            return render.notice("请先在列表中选择要删除的对话。", "warn")
        return render.notice("对话已删除。", "ok")

    def export(
        self, owner: str, conv_id: str | None, fmt: str, clean: bool = False
    ) -> tuple[str | None, str]:
        info = self.store.get(conv_id, owner) if conv_id else None
        if info is None:
            return None, render.notice("请先提问，或在列表中选择一个对话。", "warn")
        turns = self.store.turns(info.id, owner)
        if not turns:
            return None, render.notice("这个对话还没有问答，无法导出。", "warn")
        try:
            result = conversation_result(info, turns, clean=clean)
            path = self.exports.write(result, fmt, safe_filename(info.title, "思政助手对话"))
        except Exception:
            log.exception("conversation export failed")
            return None, render.notice("导出失败，请稍后重试。", "error")
        return str(path), render.notice(f"已生成 {path.name}，点击下方文件名下载。", "ok")

    # ---- feedback ------------------------------------------------------------------------------
    def rate(
        self,
        owner: str,
        question: str,
        result: Result | dict[str, Any] | None,
        rating: int,
        conv_id: str | None = None,
        generation: int | None = None,
    ) -> tuple[int | None, str]:
        """Store a 👍 (+1) or 👎 (-1); returns (feedback id, message html)."""
        if result is None:
            return None, render.notice("请先生成内容，再评价。", "warn")
        res = result if isinstance(result, Result) else result_from_json(result)
        fid = self.store.add_feedback(
            owner or "anonymous",
            question,
            res,
            rating,
            settings_snapshot(self.settings, generation),
            conv_id=conv_id,
        )
        word = "有用" if rating > 0 else "有问题"
        return fid, render.notice(f"已记录：{word}。可在下方补充意见（选填）后点击“提交意见”。", "ok")

    def comment(self, owner: str, feedback_id: int | None, text: str) -> str:
        if not feedback_id:
            return render.notice("请先点 👍 或 👎，再提交意见。", "warn")
        if not text.strip():
            return render.notice("意见为空，未提交。", "warn")
        self.store.set_comment(owner or "anonymous", int(feedback_id), text)
        return render.notice("意见已提交，谢谢！管理员可导出反馈用于改进。", "ok")


def edited(result: Result | None, text: str) -> bool:
    """Whether the textbox differs from what was generated (so regenerating would lose edits)."""
    return result is not None and bool(text.strip()) and text.strip() != result.text.strip()


def with_text(result: Result | None, text: str) -> Result | None:
    return dataclasses.replace(result, text=text) if result is not None else None
