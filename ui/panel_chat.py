"""智能问答: the conversation list (sidebar column), the chat, 👍/👎 with a comment, export."""

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from ui import render
from ui.conversations import Conversations, owner_of
from ui.handlers import Handlers

EXAMPLE_QUESTIONS = (
    "谈心谈话怎么搞才不流于形式？",
    "机关思想政治工作存在哪些突出问题？",
    "如何做好年轻干部的思想政治工作？",
    "机关意识形态工作有哪些对策建议？",
)
UI: dict[str, Any] = {"api_visibility": "private"}
SCROLL_JS = "() => { window.szScrollToAnswer && window.szScrollToAnswer(); }"


def chat_tab(h: Handlers, conv: Conversations, demo: gr.Blocks, secret: str) -> gr.Dropdown:
    """The 智能问答 tab; returns its knowledge-base selector (hidden while there is only one)."""
    client = gr.BrowserState("", storage_key="sizheng_client", secret=secret)
    current = gr.BrowserState("", storage_key="sizheng_conversation", secret=secret)
    owner = gr.State("")
    turns = gr.State([])
    feedback_id = gr.State(None)
    with gr.Row(elem_id="sz-chat-row", equal_height=False):
        with gr.Column(scale=1, min_width=220, elem_id="sz-conv-col"):
            new = gr.Button("＋ 新对话", size="sm", variant="primary", elem_id="sz-conv-new")
            convs = gr.Radio(choices=[], value=None, label="对话记录（自动保存）", elem_id="sz-conv-list")
            with gr.Accordion("重命名 · 删除 · 导出", open=False, elem_id="sz-conv-manage"):
                title = gr.Textbox(label="新名称", max_lines=1, elem_id="sz-conv-title")
                rename = gr.Button("重命名", size="sm")
                delete = gr.Button("删除所选对话", size="sm", variant="stop", elem_id="sz-conv-delete")
                with gr.Group(visible=False) as confirm:
                    gr.HTML(render.notice("确定删除这个对话吗？删除后无法恢复。", "warn"))
                    with gr.Row():
                        yes = gr.Button("确认删除", size="sm", variant="stop", elem_id="sz-conv-delete-yes")
                        no = gr.Button("取消", size="sm")
                clean = gr.Checkbox(False, label="纯净讲稿（不含模式说明与出处）")
                with gr.Row():
                    to_docx = gr.Button("导出 Word", size="sm", elem_id="sz-conv-docx")
                    to_md = gr.Button("导出 Markdown", size="sm", elem_id="sz-conv-md")
                conv_msg = gr.HTML()
                conv_file = gr.File(label="下载文件", interactive=False, height=80, elem_id="sz-conv-file")
        with gr.Column(scale=4, min_width=280):
            choices = h.kb_choices()
            kb_pick = gr.Dropdown(
                choices=choices, value=[h.settings.kb], multiselect=True, visible=len(choices) > 1,
                label="在哪些知识库中提问（可多选；多选时出处注明知识库）", elem_id="sz-kb-ask",
            )  # fmt: skip
            chatbot = gr.Chatbot(
                elem_id="sz-chatbot",
                show_label=False,
                height="var(--sz-chat-h)",
                sanitize_html=True,
                latex_delimiters=[],
                autoscroll=False,  # our script scrolls to the START of a new answer
                buttons=[],  # the built-in copy copied raw HTML; each answer has its own 复制
                feedback_options=("Like", "Dislike"),
                placeholder="**您好！我是思政助手。** 请在下方输入问题，或点击示例问题。回答中的 [n] 可点击查看原文。",
            )
            with gr.Row(elem_id="sz-ask-row"):
                msg = gr.Textbox(
                    placeholder="请输入问题，按回车发送；可以接着追问",
                    show_label=False,
                    scale=8,
                    lines=1,
                    max_lines=4,
                    elem_id="sz-question",
                )
                send = gr.Button("提问", variant="primary", scale=1, min_width=80, elem_id="sz-send")
            with gr.Row(elem_classes="sz-examples", elem_id="sz-examples"):  # 示例问题（点击即问）
                buttons = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLE_QUESTIONS]
            with gr.Group(visible=False, elem_id="sz-fb-box") as fb_box:
                fb_msg = gr.HTML(elem_id="sz-fb-msg")
                with gr.Row():
                    fb_text = gr.Textbox(
                        placeholder="哪里不对？应该怎样回答？（选填）",
                        show_label=False,
                        scale=6,
                        elem_id="sz-fb-text",
                    )
                    fb_send = gr.Button("提交意见", scale=1, min_width=90, elem_id="sz-fb-send")

    def init(browser_id: str, conv_id: str, request: gr.Request) -> tuple[Any, ...]:
        browser_id = browser_id or uuid.uuid4().hex
        who = owner_of(browser_id, getattr(request, "username", None))
        if conv_id and conv.store.get(conv_id, who) is None:
            conv_id = ""
        msgs, hist = h.load_conversation(who, conv_id)
        return browser_id, who, conv_id, _radio(conv, who, conv_id), msgs, hist

    def refresh(who: str, conv_id: str) -> Any:
        return _radio(conv, who, conv_id)

    def pick(who: str, conv_id: str | None) -> tuple[Any, ...]:
        msgs, hist = h.load_conversation(who, conv_id)
        return msgs, hist, conv_id or "", gr.Group(visible=False)

    def start_new() -> tuple[Any, ...]:
        return [], [], "", gr.Radio(value=None), ""

    def like(hist: list[dict[str, Any]], who: str, conv_id: str, data: gr.LikeData) -> tuple[Any, ...]:
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        turn = hist[int(index) // 2] if isinstance(index, int) and 0 <= int(index) // 2 < len(hist) else None
        if turn is None or not turn.get("r") or data.liked not in (True, False):
            return None, gr.Group(visible=False), ""
        fid, note = conv.rate(
            who, turn["q"], turn["r"], 1 if data.liked else -1, conv_id, h.asst.kb.generation()
        )
        return fid, gr.Group(visible=True), note

    demo.load(init, [client, current], [client, owner, current, convs, chatbot, turns], **UI).then(
        None, None, None, js=SCROLL_JS
    )
    outs = [chatbot, turns, msg, current]
    ins = [msg, chatbot, turns, owner, current, kb_pick]
    for event in (send.click, msg.submit):
        event(h.chat, ins, outs, show_progress="hidden", **UI).then(refresh, [owner, current], convs, **UI)
    for b, q in zip(buttons, EXAMPLE_QUESTIONS, strict=True):
        b.click(_ask(h, q), ins[1:], outs, show_progress="hidden", **UI).then(
            refresh, [owner, current], convs, **UI
        )
    convs.input(pick, [owner, convs], [chatbot, turns, current, fb_box], **UI).then(
        None, None, None, js=SCROLL_JS
    )
    new.click(start_new, None, [chatbot, turns, current, convs, msg], **UI)
    chatbot.clear(start_new, None, [chatbot, turns, current, convs, msg], **UI)  # the 🗑 starts a new one
    rename.click(conv.rename, [owner, current, title], conv_msg, **UI).then(
        refresh, [owner, current], convs, **UI
    )
    delete.click(lambda: gr.Group(visible=True), None, confirm, **UI)
    no.click(lambda: gr.Group(visible=False), None, confirm, **UI)
    yes.click(conv.delete, [owner, current], conv_msg, **UI).then(
        lambda: ([], [], "", gr.Group(visible=False)), None, [chatbot, turns, current, confirm], **UI
    ).then(refresh, [owner, current], convs, **UI)
    for fmt, b in (("docx", to_docx), ("md", to_md)):
        b.click(_exporter(conv, fmt), [owner, current, clean], [conv_file, conv_msg], **UI)
    chatbot.like(like, [turns, owner, current], [feedback_id, fb_box, fb_msg], **UI)
    fb_send.click(conv.comment, [owner, feedback_id, fb_text], fb_msg, **UI).then(
        lambda: "", None, fb_text, **UI
    )
    return kb_pick


def _radio(conv: Conversations, who: str, conv_id: str | None) -> Any:
    choices = conv.choices(who)
    value = conv_id if conv_id and any(c[1] == conv_id for c in choices) else None
    return gr.Radio(choices=choices, value=value)


def _ask(h: Handlers, question: str) -> Callable[..., Iterator[Any]]:
    def run(
        messages: list[dict[str, Any]], hist: list[dict[str, Any]], who: str, conv_id: str, kbs: list[str] | None
    ) -> Iterator[Any]:
        yield from h.chat(question, messages, hist, who, conv_id, kbs)

    return run


def _exporter(conv: Conversations, fmt: str) -> Callable[[str, str, bool], tuple[str | None, str]]:
    def run(who: str, conv_id: str, clean: bool) -> tuple[str | None, str]:
        return conv.export(who, conv_id, fmt, clean)

    return run
