"""知识库 (upload in batches, delete with confirmation, rebuild) and 系统状态 panels."""

import time
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from sizheng_bot.ingest.loaders import SUPPORTED
from ui import render
from ui.handlers import Handlers

UI: dict[str, Any] = {"api_visibility": "private"}
KB_WRITE: dict[str, Any] = {"concurrency_id": "kb_write", "concurrency_limit": 1}  # one write at a time


def kb_tab(h: Handlers, banner: gr.HTML, kb_pick: gr.Dropdown) -> tuple[gr.Dataframe, gr.Dropdown, gr.Dropdown]:
    """The 知识库 tab; returns the document table, the document choice and the upload target selector."""
    rows, choices = h.doc_table()
    kbs = h.kb_choices()
    with gr.Row():
        with gr.Column(scale=2, min_width=280):
            target = gr.Dropdown(
                choices=kbs, value=h.settings.kb, visible=len(kbs) > 1, label="上传到知识库（下方列表显示它的文档）",
                elem_id="sz-kb-upload",
            )  # fmt: skip
            files = gr.File(
                label="上传文档（可多选）", file_count="multiple", type="filepath", elem_id="sz-upload"
            )
            gr.HTML(
                render.notice(
                    f"支持 {'、'.join(SUPPORTED)}；单个文件不超过 {h.settings.ingest.max_file_mb} MB。"
                    "选好文件后点击“上传并入库”，同名文件会被新版本替换。"
                )
            )
            upload = gr.Button("上传并入库", variant="primary", elem_id="sz-upload-btn")
            report = gr.HTML(elem_id="sz-upload-report")
        with gr.Column(scale=3, min_width=280):
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
                delete = gr.Button("删除所选文档", variant="stop", scale=1, elem_id="sz-doc-delete")
            with gr.Group(visible=False, elem_id="sz-doc-confirm") as confirm:
                ask = gr.HTML()
                with gr.Row():
                    yes = gr.Button("确认删除", variant="stop", size="sm", elem_id="sz-doc-delete-yes")
                    no = gr.Button("取消", size="sm")
            rebuild = gr.Button("重建索引（重新扫描 knowledge/ 目录）", variant="secondary")
            kb_msg = gr.HTML(elem_id="sz-kb-msg")
            with gr.Accordion("新建知识库", open=False, elem_id="sz-kb-new-box"):
                new_name = gr.Textbox(
                    label="知识库名称", max_lines=1, placeholder="如：青年理论学习", elem_id="sz-kb-new-name"
                )
                create = gr.Button("新建", size="sm", elem_id="sz-kb-new-btn")
                new_msg = gr.HTML(elem_id="sz-kb-new-msg")

    def do_upload(paths: list[str] | None, kb: str | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        html, rows, choices = h.upload(paths, _progress(progress, "正在入库"), cleanup=True, kb=kb)
        return html, rows, gr.Dropdown(choices=choices, value=None), None, h.index_banner()

    def ask_delete(source: str | None) -> tuple[Any, ...]:
        if not source:
            return gr.Group(visible=False), "", render.notice("请先在下拉框中选择要删除的文档。", "warn")
        text = f"确定从知识库删除“{source}”吗？它的全部切块和保存的原文件都会删除，无法恢复。"
        return gr.Group(visible=True), render.notice(text, "warn"), ""

    def do_delete(source: str | None, kb: str | None) -> tuple[Any, ...]:
        html, rows, choices = h.delete(source, kb)
        return html, rows, gr.Dropdown(choices=choices, value=None), h.index_banner(), gr.Group(visible=False)

    def do_rebuild(kb: str | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        html, rows, choices = h.rebuild(_progress(progress, "正在重建索引"), kb)
        return html, rows, gr.Dropdown(choices=choices, value=None), h.index_banner()

    def do_create(name: str | None, picked: list[str] | None, current: str | None) -> tuple[Any, ...]:
        msg, made = h.create_kb(name)
        ask_sel, up_sel = kb_refresh(h)(picked, made or current)
        return msg, "" if made else name, ask_sel, up_sel

    # one progress indicator per batch: on the report only, not on every output
    upload.click(
        do_upload, [files, target], [report, table, choice, files, banner], show_progress_on=[report], **UI,
        **KB_WRITE,
    )  # fmt: skip
    delete.click(ask_delete, choice, [confirm, ask, kb_msg], **UI)
    no.click(lambda: gr.Group(visible=False), None, confirm, **UI)
    yes.click(
        do_delete,
        [choice, target],
        [kb_msg, table, choice, banner, confirm],
        show_progress_on=[kb_msg],
        **UI,
        **KB_WRITE,
    )
    rebuild.click(
        do_rebuild, target, [kb_msg, table, choice, banner], show_progress_on=[kb_msg], **UI, **KB_WRITE
    )
    target.input(doc_updates(h), target, [table, choice], **UI)
    create.click(do_create, [new_name, kb_pick, target], [new_msg, new_name, kb_pick, target], **UI).then(
        doc_updates(h), target, [table, choice], **UI
    )
    return table, choice, target


def kb_refresh(h: Handlers) -> Callable[[list[str] | None, str | None], tuple[Any, Any]]:
    """Both selectors from the registry as it is now (kept selections that still exist; the app's own
    knowledge base otherwise); shown only when there is more than one knowledge base."""

    def run(picked: list[str] | None, target: str | None) -> tuple[Any, Any]:
        choices = h.kb_choices()
        names = [v for _, v in choices]
        many = len(names) > 1
        picked = [k for k in picked or [] if k in names] or [h.settings.kb]
        target = target if target in names else h.settings.kb
        return (
            gr.Dropdown(choices=choices, value=picked, visible=many),
            gr.Dropdown(choices=choices, value=target, visible=many),
        )

    return run


def _progress(progress: gr.Progress, verb: str) -> Callable[[int, int, str], None]:
    def update(i: int, n: int, name: str) -> None:
        progress((i, n), desc=f"{verb}：{name}" if name else "处理完成", unit="个文件")

    return update


def doc_updates(h: Handlers) -> Callable[[str | None], tuple[Any, Any]]:
    def run(kb: str | None) -> tuple[Any, Any]:
        rows, choices = h.doc_table(kb)
        return rows, gr.Dropdown(choices=choices, value=None)

    return run


def status_tab(h: Handlers) -> gr.HTML:
    status = gr.HTML(h.status(), elem_id="sz-status")
    with gr.Row():
        refresh = gr.Button("刷新", variant="secondary")
        test = gr.Button("测试连接", variant="primary", elem_id="sz-test-llm")
    test_msg = gr.HTML()
    gr.HTML(api_help(h), elem_id="sz-api-help")
    refresh.click(h.status, None, status, **UI)
    test.click(h.test_llm, None, test_msg, **UI)
    return status


def api_help(h: Handlers) -> str:
    """How to call the assistant from a program (replaces gradio's English API page)."""
    host = "127.0.0.1" if h.settings.web.host in ("0.0.0.0", "::") else h.settings.web.host
    login = ', auth=("用户名", "密码")' if h.settings.web.credentials() else ""
    code = (
        "from gradio_client import Client\n"
        f'client = Client("http://{host}:{h.settings.web.port}/"{login})\n'
        'r = client.predict(question="谈心谈话怎么搞才不流于形式？", api_name="/ask")\n'
        'print(r["text"], r["citations"])\n'
        '# 另有 api_name="/outline"（request, topic, audience, minutes）与 "/plan"（request, theme, audience, form）'
    )
    return (
        '<details class="sz-api"><summary>通过 API 使用（程序调用）</summary>'
        f"<p>三个接口均返回与页面相同的结果字典（text、mode、status、citations 等）。</p><pre>{render.esc(code)}</pre></details>"
    )


def watch_index(h: Handlers) -> Callable[[], Iterator[str]]:
    """Shows first-start indexing as a progress bar in the banner until the index is ready."""

    def run() -> Iterator[str]:
        while not h.job.ready:
            st = h.job.state()
            bar = f'<progress class="sz-progress" value="{st.current}" max="{max(st.total, 1)}"></progress>'
            yield render.notice(st.message, "info") + bar
            time.sleep(0.5)
        yield h.index_banner()

    return run
