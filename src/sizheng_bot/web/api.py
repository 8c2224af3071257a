"""The public API (gradio_client): ask / outline / plan, each returning a Result dict.

No ``from __future__ import annotations`` here: ``gr.api`` reads the type hints at run time.
"""

from collections.abc import Callable
from typing import Any

import gradio as gr

from sizheng_bot.errors import SizhengError
from sizheng_bot.web.handlers import Handlers
from sizheng_bot.web.messages import plain_message


def add_api(h: Handlers) -> None:
    def ask(question: str, history: list[list[str]] | None = None) -> dict[str, Any]:
        """知识库问答：返回 Result 字典（text、mode、status、citations、warnings 等）。"""
        return _api_call(h.api_ask, question, history)

    def outline(request: str, topic: str = "", audience: str = "", minutes: int = 0) -> dict[str, Any]:
        """微党课提纲：request 为需求描述，其余为可选表单字段；返回 Result 字典。"""
        return _api_call(h.api_outline, request, topic, audience, minutes)

    def plan(request: str, theme: str = "", audience: str = "", form: str = "") -> dict[str, Any]:
        """活动方案：request 为需求描述，其余为可选表单字段；返回 Result 字典。"""
        return _api_call(h.api_plan, request, theme, audience, form)

    gr.api(ask, api_name="ask")
    gr.api(outline, api_name="outline")
    gr.api(plan, api_name="plan")


def _api_call(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    try:
        return fn(*args)
    except SizhengError as exc:
        raise gr.Error(plain_message(str(exc))) from None
