"""微党课提纲 / 活动方案: form, editable draft (regenerating over an edit asks first), export, 👍/👎."""

from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from sizheng_bot.types import Result
from ui import render
from ui.conversations import Conversations, edited, owner_of, with_text
from ui.handlers import Handlers

OUTLINE_EXAMPLES = [
    ["用好谈心谈话这把“金钥匙”", "机关党支部全体党员", 15, ""],
    ["以高质量党建引领机关思想政治工作", "机关青年干部", 20, "结合本单位青年理论学习小组的做法"],
]
PLAN_EXAMPLES = [
    ["“谈心谈话促团结”主题党日", "支部全体党员", "座谈交流，半天", ""],
    ["意识形态工作专题学习", "机关全体干部", "专题辅导 + 分组研讨，2 小时", "突出网络阵地管理"],
]
UI: dict[str, Any] = {"api_visibility": "private"}


def studio_tab(h: Handlers, conv: Conversations, task: str) -> None:
    outline = task == "outline"
    with gr.Row():
        with gr.Column(scale=2, min_width=280):
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
            with gr.Group(visible=False, elem_id=f"sz-{task}-confirm") as confirm:
                gr.HTML(render.notice("文本框里的内容已修改过。重新生成会覆盖您的修改，确定吗？", "warn"))
                with gr.Row():
                    overwrite = gr.Button(
                        "覆盖并重新生成", variant="stop", size="sm", elem_id=f"sz-{task}-overwrite"
                    )
                    keep = gr.Button("保留我的修改", size="sm", elem_id=f"sz-{task}-keep")
            examples = OUTLINE_EXAMPLES if outline else PLAN_EXAMPLES
            gr.Examples(
                examples,
                inputs=[topic, audience, third, request],
                example_labels=[f"{e[0]}（{e[1]}，{e[2]}{'分钟' if outline else ''}）" for e in examples],
                label="示例（点击填入）",
            )
        with gr.Column(scale=3, min_width=280):
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
                btns = {f: gr.Button(labels[f], elem_id=f"sz-{task}-{f}", min_width=100) for f in formats}
            clean = gr.Checkbox(False, label="纯净讲稿（不含模式说明与参考来源）", elem_id=f"sz-{task}-clean")
            export_msg = gr.HTML()
            file_out = gr.File(label="下载文件", interactive=False, height=100, elem_id=f"sz-{task}-file")
            with gr.Row(elem_classes="sz-rate-row"):
                up = gr.Button("👍 有用", size="sm", min_width=80, elem_id=f"sz-{task}-up")
                down = gr.Button("👎 有问题", size="sm", min_width=80, elem_id=f"sz-{task}-down")
            with gr.Group(visible=False) as fb_box:
                fb_msg = gr.HTML()
                with gr.Row():
                    fb_text = gr.Textbox(placeholder="哪里需要改进？（选填）", show_label=False, scale=6)
                    fb_send = gr.Button("提交意见", scale=1, min_width=90)
            sources = gr.HTML(elem_id=f"sz-{task}-sources")
    result = gr.State(None)
    go = gr.State(False)
    feedback_id = gr.State(None)
    generate = h.outline if outline else h.plan
    form = [topic, audience, third, request]
    outs = [text, status, sources, result]

    def ask_first(current: str, res: Result | None) -> tuple[Any, bool]:
        needs = edited(res, current)
        return gr.Group(visible=needs), not needs

    def generate_if(ok: bool, *args: Any) -> Iterator[Any]:
        if not ok:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        yield from generate(*args)

    gen.click(ask_first, [text, result], [confirm, go], **UI).then(generate_if, [go, *form], outs, **UI)
    overwrite.click(lambda: gr.Group(visible=False), None, confirm, **UI).then(generate, form, outs, **UI)
    keep.click(lambda: gr.Group(visible=False), None, confirm, **UI)
    for fmt, b in btns.items():
        b.click(_exporter(h, task, fmt), [text, result, clean], [file_out, export_msg], **UI)

    def rate(score: int) -> Callable[..., tuple[Any, ...]]:
        def run(current: str, res: Result | None, what: str, request: gr.Request) -> tuple[Any, ...]:
            who = owner_of("", getattr(request, "username", None)) or "browser"
            fid, note = conv.rate(who, what, with_text(res, current), score, None, h.asst.kb.generation())
            return fid, gr.Group(visible=fid is not None), note

        return run

    up.click(rate(1), [text, result, topic], [feedback_id, fb_box, fb_msg], **UI)
    down.click(rate(-1), [text, result, topic], [feedback_id, fb_box, fb_msg], **UI)

    def comment(fid: int | None, words: str, request: gr.Request) -> str:
        return conv.comment(owner_of("", getattr(request, "username", None)) or "browser", fid, words)

    fb_send.click(comment, [feedback_id, fb_text], fb_msg, **UI)


def _exporter(h: Handlers, task: str, fmt: str) -> Callable[[str, Any, bool], tuple[str | None, str]]:
    def run(text: str, result: Any, clean: bool) -> tuple[str | None, str]:
        return h.export(task, text, result, fmt, clean)  # type: ignore[arg-type]

    return run
