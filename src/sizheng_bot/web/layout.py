"""The page: five tabs wired to ``ui.handlers``. Layout and event wiring only.

No ``from __future__ import annotations`` here: ``gr.api`` reads the API functions' type hints at
run time to describe the endpoints.
"""

import time
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from sizheng_bot.errors import SizhengError
from sizheng_bot.ingest.loaders import SUPPORTED
from sizheng_bot.web import render
from sizheng_bot.web.handlers import Handlers
from sizheng_bot.web.theme import HEADER

EXAMPLE_QUESTIONS = (
    "谈心谈话怎么搞才不流于形式？",
    "机关思想政治工作存在哪些突出问题？",
    "如何做好年轻干部的思想政治工作？",
    "机关意识形态工作有哪些对策建议？",
)
OUTLINE_EXAMPLES = [
    ["用好谈心谈话这把“金钥匙”", "机关党支部全体党员", 15, ""],
    ["以高质量党建引领机关思想政治工作", "机关青年干部", 20, "结合本单位青年理论学习小组的做法"],
]
PLAN_EXAMPLES = [
    ["“谈心谈话促团结”主题党日", "支部全体党员", "座谈交流，半天", ""],
    ["意识形态工作专题学习", "机关全体干部", "专题辅导 + 分组研讨，2 小时", "突出网络阵地管理"],
]
UI: dict[str, Any] = {"api_visibility": "private"}  # page events: not part of the public API
KB_WRITE: dict[str, Any] = {
    "concurrency_id": "kb_write",
    "concurrency_limit": 1,
}  # uploads, deletes, rebuilds: one at a time


def build(h: Handlers) -> gr.Blocks:
    with gr.Blocks(title="思政助手", analytics_enabled=False) as demo:
        _api(h)  # first, so the public names ask/outline/plan are theirs (page events get suffixes)
        gr.HTML(HEADER)
        banner = gr.HTML(h.index_banner(), elem_id="sz-banner")
        with gr.Tabs():
            with gr.Tab("智能问答", id="ask"):
                _chat_tab(h)
            with gr.Tab("微党课提纲", id="outline"):
                _studio_tab(h, "outline")
            with gr.Tab("活动方案", id="plan"):
                _studio_tab(h, "plan")
            with gr.Tab("知识库", id="kb") as kb_tab:
                table, choice = _kb_tab(h, banner)
            with gr.Tab("系统状态", id="status") as status_tab:
                status = _status_tab(h)
        kb_tab.select(_doc_updates(h), None, [table, choice], **UI)
        status_tab.select(h.status, None, status, **UI)
        demo.load(_watch_index(h), None, banner, **UI).then(_doc_updates(h), None, [table, choice], **UI)
    return demo


# ---- 智能问答 -----------------------------------------------------------------------------------
def _chat_tab(h: Handlers) -> None:
    chatbot = gr.Chatbot(
        elem_id="sz-chatbot",
        label="对话",
        show_label=False,
        height=560,
        sanitize_html=True,
        latex_delimiters=[],
        feedback_options=None,
        buttons=["copy"],
        placeholder="**您好！我是思政助手。** 请在下方输入问题，或点击示例问题。每条回答都附有原文出处，可点击展开核对。",
    )
    history = gr.State([])
    with gr.Row():
        msg = gr.Textbox(
            placeholder="请输入问题，按回车发送；可以接着追问",
            show_label=False,
            scale=8,
            lines=1,
            max_lines=4,
            elem_id="sz-question",
        )
        send = gr.Button("提问", variant="primary", scale=1, min_width=100, elem_id="sz-send")
        clear = gr.Button("清空对话", variant="secondary", scale=1, min_width=100)
    gr.HTML('<div class="sz-examples-label">示例问题（点击即问）：</div>')
    with gr.Row(elem_classes="sz-examples"):
        buttons = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLE_QUESTIONS]
    outs = [chatbot, history, msg]
    send.click(h.chat, [msg, chatbot, history], outs, **UI)
    msg.submit(h.chat, [msg, chatbot, history], outs, **UI)
    for b, q in zip(buttons, EXAMPLE_QUESTIONS, strict=True):
        b.click(_ask_example(h, q), [chatbot, history], outs, **UI)
    clear.click(lambda: ([], [], ""), None, outs, queue=False, **UI)


def _ask_example(h: Handlers, question: str) -> Callable[..., Iterator[Any]]:
    def run(messages: list[dict[str, Any]], history: list[list[str]]) -> Iterator[Any]:
        yield from h.chat(question, messages, history)

    return run


# ---- 微党课提纲 / 活动方案 -------------------------------------------------------------------------
def _studio_tab(h: Handlers, task: str) -> None:
    outline = task == "outline"
    with gr.Row():
        with gr.Column(scale=2):
            topic = gr.Textbox(
                label="主题",
                placeholder="如：用好谈心谈话这把“金钥匙”" if outline else "如：“谈心谈话促团结”主题党日",
                elem_id=f"sz-{task}-topic",
            )
            audience = gr.Textbox(
                label="授课对象" if outline else "参加对象",
                placeholder="如：机关党支部全体党员",
                elem_id=f"sz-{task}-audience",
            )
            if outline:
                third: gr.Component = gr.Number(
                    label="时长（分钟）", value=15, minimum=5, maximum=90, precision=0
                )
            else:
                third = gr.Textbox(label="形式/时长", placeholder="如：座谈交流，半天")
            request = gr.Textbox(
                label="补充要求（可选）", lines=3, placeholder="可写下您的具体想法、重点或本单位情况"
            )
            gen = gr.Button(
                "生成提纲" if outline else "生成方案", variant="primary", elem_id=f"sz-{task}-gen"
            )
            examples = OUTLINE_EXAMPLES if outline else PLAN_EXAMPLES
            gr.Examples(
                examples,
                inputs=[topic, audience, third, request],
                example_labels=[f"{e[0]}（{e[1]}，{e[2]}{'分钟' if outline else ''}）" for e in examples],
                label="示例（点击填入）",
            )
        with gr.Column(scale=3):
            status = gr.HTML(elem_id=f"sz-{task}-status")
            text = gr.Textbox(
                label=("提纲" if outline else "方案") + "（可直接修改，导出时以修改后的内容为准）",
                lines=18,
                max_lines=30,
                interactive=True,
                buttons=["copy"],
                elem_id=f"sz-{task}-text",
            )
            formats = ["docx", "pptx", "md"] if outline else ["docx", "md"]
            labels = {"docx": "导出 Word", "pptx": "导出 PPT", "md": "导出 Markdown"}
            with gr.Row():
                btns = {f: gr.Button(labels[f], elem_id=f"sz-{task}-{f}") for f in formats}
            export_msg = gr.HTML()
            file_out = gr.File(label="下载文件", interactive=False, height=100, elem_id=f"sz-{task}-file")
            sources = gr.HTML(elem_id=f"sz-{task}-sources")
    result = gr.State(None)
    generate = h.outline if outline else h.plan
    gen.click(generate, [topic, audience, third, request], [text, status, sources, result], **UI)
    for fmt, b in btns.items():
        b.click(_exporter(h, task, fmt), [text, result], [file_out, export_msg], **UI)


def _exporter(h: Handlers, task: str, fmt: str) -> Callable[[str, Any], tuple[str | None, str]]:
    def run(text: str, result: Any) -> tuple[str | None, str]:
        return h.export(task, text, result, fmt)  # type: ignore[arg-type]

    return run


# ---- 知识库 -------------------------------------------------------------------------------------
def _kb_tab(h: Handlers, banner: gr.HTML) -> tuple[gr.Dataframe, gr.Dropdown]:
    rows, choices = h.doc_table()
    with gr.Row():
        with gr.Column(scale=2):
            files = gr.File(
                label="上传文档（可多选）",
                file_count="multiple",
                type="filepath",
                elem_id="sz-upload",
            )
            gr.HTML(
                render.notice(
                    f"支持 {'、'.join(SUPPORTED)}；单个文件不超过 {h.settings.web.max_upload_mb} MB。"
                    "选好文件后点击“上传并入库”，同名文件会被新版本替换。"
                )
            )
            upload = gr.Button("上传并入库", variant="primary", elem_id="sz-upload-btn")
            report = gr.HTML(elem_id="sz-upload-report")
        with gr.Column(scale=3):
            table = gr.Dataframe(
                value=rows,
                headers=render.DOC_HEADERS,
                datatype=["str", "str", "str", "number", "number"],
                interactive=False,
                wrap=True,
                column_widths=["32%", "34%", "8%", "12%", "14%"],
                label="已入库文档",
                elem_id="sz-doc-table",
            )
            with gr.Row():
                choice = gr.Dropdown(
                    choices=choices, value=None, label="选择文档", scale=3, elem_id="sz-doc-choice"
                )
                delete = gr.Button("删除所选文档", variant="stop", scale=1)
            rebuild = gr.Button("重建索引（重新扫描 knowledge/ 目录）", variant="secondary")
            kb_msg = gr.HTML()

    def do_upload(paths: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        html, rows, choices = h.upload(paths, _progress(progress, "正在入库"))
        return html, rows, gr.Dropdown(choices=choices, value=None), None, h.index_banner()

    def do_delete(source: str | None) -> tuple[Any, ...]:
        html, rows, choices = h.delete(source)
        return html, rows, gr.Dropdown(choices=choices, value=None), h.index_banner()

    def do_rebuild(progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        html, rows, choices = h.rebuild(_progress(progress, "正在重建索引"))
        return html, rows, gr.Dropdown(choices=choices, value=None), h.index_banner()

    upload.click(do_upload, files, [report, table, choice, files, banner], **UI, **KB_WRITE)
    delete.click(do_delete, choice, [kb_msg, table, choice, banner], **UI, **KB_WRITE)
    rebuild.click(do_rebuild, None, [kb_msg, table, choice, banner], **UI, **KB_WRITE)
    return table, choice


def _progress(progress: gr.Progress, verb: str) -> Callable[[int, int, str], None]:
    def update(i: int, n: int, name: str) -> None:
        progress((i, n), desc=f"{verb}：{name}" if name else "处理完成", unit="个文件")

    return update


def _doc_updates(h: Handlers) -> Callable[[], tuple[Any, Any]]:
    def run() -> tuple[Any, Any]:
        rows, choices = h.doc_table()
        return rows, gr.Dropdown(choices=choices)

    return run


# ---- 系统状态 -----------------------------------------------------------------------------------
def _status_tab(h: Handlers) -> gr.HTML:
    status = gr.HTML(h.status(), elem_id="sz-status")
    with gr.Row():
        refresh = gr.Button("刷新", variant="secondary")
        test = gr.Button("测试连接", variant="primary", elem_id="sz-test-llm")
    test_msg = gr.HTML()
    refresh.click(h.status, None, status, **UI)
    test.click(h.test_llm, None, test_msg, **UI)
    return status


def _watch_index(h: Handlers) -> Callable[[], Iterator[str]]:
    """Shows first-start indexing as a progress bar in the banner until the index is ready."""

    def run() -> Iterator[str]:
        while not h.job.ready:
            st = h.job.state()
            bar = f'<progress class="sz-progress" value="{st.current}" max="{max(st.total, 1)}"></progress>'
            yield render.notice(st.message, "info") + bar
            time.sleep(0.5)
        yield h.index_banner()

    return run


# ---- API (gradio_client) -------------------------------------------------------------------------
def _api(h: Handlers) -> None:
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
        raise gr.Error(str(exc)) from None
