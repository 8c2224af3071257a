"""The page: a header (with 课堂演示 mode) and five tabs, each built by its panel module.

No ``from __future__ import annotations`` in the panel modules: ``gr.api`` and gradio's event
wiring read type hints (``gr.Request``, ``gr.LikeData``, ``gr.Progress``) at run time.
"""

from typing import Any

import gradio as gr

from ui.api import add_api
from ui.conversations import Conversations
from ui.handlers import Handlers
from ui.panel_chat import EXAMPLE_QUESTIONS, chat_tab
from ui.panel_kb import doc_updates, kb_refresh, kb_tab, status_tab, watch_index
from ui.panel_studio import OUTLINE_EXAMPLES, PLAN_EXAMPLES, studio_tab
from ui.theme import HEADER

__all__ = ["EXAMPLE_QUESTIONS", "OUTLINE_EXAMPLES", "PLAN_EXAMPLES", "build"]
UI: dict[str, Any] = {"api_visibility": "private"}
PRESENT_JS = "(on) => { document.body.classList.toggle('sz-present', !!on); }"


def build(h: Handlers, secret: str = "") -> gr.Blocks:
    conv = Conversations(h.history, h.exports, h.settings)
    # delete_cache: gradio's copies of uploads and downloads older than a day go, checked hourly
    with gr.Blocks(title="思政助手", analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        add_api(h)  # first, so the public names ask/outline/plan are theirs (page events get suffixes)
        with gr.Row(elem_id="sz-top", equal_height=True):
            gr.HTML(HEADER, elem_id="sz-header-box")
            present = gr.Checkbox(False, label="课堂演示模式", elem_id="sz-present", min_width=170, scale=0)
        banner = gr.HTML(h.index_banner(), elem_id="sz-banner")
        with gr.Tabs():
            with gr.Tab("智能问答", id="ask") as ask_page:
                kb_pick = chat_tab(h, conv, demo, secret)
            with gr.Tab("微党课提纲", id="outline"):
                studio_tab(h, conv, "outline")
            with gr.Tab("活动方案", id="plan"):
                studio_tab(h, conv, "plan")
            with gr.Tab("知识库", id="kb") as kb:
                table, choice, target = kb_tab(h, banner, kb_pick)
            with gr.Tab("系统状态", id="status") as status_page:
                status = status_tab(h)
        present.change(None, present, None, js=PRESENT_JS, **UI)
        # the knowledge bases may change elsewhere (CLI, another process): the selectors follow on load
        # and whenever the 智能问答 or 知识库 tab is opened
        selectors = ([kb_pick, target], [kb_pick, target])
        ask_page.select(kb_refresh(h), *selectors, **UI)
        kb.select(kb_refresh(h), *selectors, **UI).then(doc_updates(h), target, [table, choice], **UI)
        status_page.select(h.status, None, status, **UI)
        demo.load(watch_index(h), None, banner, **UI).then(kb_refresh(h), *selectors, **UI).then(
            doc_updates(h), target, [table, choice], **UI
        )
    return demo
