"""The public API (gradio_client): ask / outline / plan, each returning a Result dict.

Each takes an optional ``kb``: the knowledge base to answer from (default: the app's, ``SIZHENG_KB``).
No ``from __future__ import annotations`` here: ``gr.api`` reads the type hints at run time.
"""

from collections.abc import Callable
from typing import Any

import gradio as gr

from sizheng_bot.errors import SizhengError
from ui.handlers import Handlers
from ui.messages import plain_message
from ui.status import INDEX_WAIT_SECONDS, pairs


def add_api(h: Handlers) -> None:
    def ask(question: str, history: list[list[str]] | None = None, kb: str = "") -> dict[str, Any]:
        """知识库问答：返回 Result 字典（text、mode、status、citations、warnings 等）；kb 为知识库名称（可选）。"""
        if not kb:
            return _api_call(h.api_ask, question, history)
        return _api_call(lambda: _other(h, kb).ask(question, pairs(history)).to_dict())

    def outline(
        request: str, topic: str = "", audience: str = "", minutes: int = 0, kb: str = ""
    ) -> dict[str, Any]:
        """微党课提纲：request 为需求描述，其余为可选表单字段；kb 为知识库名称（可选）；返回 Result 字典。"""
        if not kb:
            return _api_call(h.api_outline, request, topic, audience, minutes)

        def run() -> dict[str, Any]:
            text = request.strip() or topic.strip()
            asst = _other(h, kb)
            return asst.outline(text, topic.strip() or None, audience.strip() or None, minutes or None).to_dict()

        return _api_call(run)

    def plan(request: str, theme: str = "", audience: str = "", form: str = "", kb: str = "") -> dict[str, Any]:
        """活动方案：request 为需求描述，其余为可选表单字段；kb 为知识库名称（可选）；返回 Result 字典。"""
        if not kb:
            return _api_call(h.api_plan, request, theme, audience, form)

        def run() -> dict[str, Any]:
            text = request.strip() or theme.strip()
            asst = _other(h, kb)
            return asst.plan(text, theme.strip() or None, audience.strip() or None, form.strip() or None).to_dict()

        return _api_call(run)

    gr.api(ask, api_name="ask")
    gr.api(outline, api_name="outline")
    gr.api(plan, api_name="plan")


def _other(h: Handlers, kb: str) -> Any:
    """The assistant of knowledge base ``kb`` (after the app's own first index, which it may share)."""
    h.job.wait(INDEX_WAIT_SECONDS)
    return h.asst.for_kb(kb.strip())


def _api_call(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    try:
        return fn(*args)
    except SizhengError as exc:
        raise gr.Error(plain_message(str(exc))) from None
