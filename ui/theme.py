"""A projector-friendly look: large type, high contrast, Party red accents, no web fonts (works offline)."""

from __future__ import annotations

import gradio as gr

# System CJK fonts only: a web font would be fetched from the internet (and fail offline).
FONTS = (
    "PingFang SC",
    "Microsoft YaHei",
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
    "Source Han Sans SC",
    "ui-sans-serif",
    "system-ui",
    "sans-serif",
)
MONO = ("ui-monospace", "Consolas", "monospace")

TEXT_SIZE = gr.themes.Size(
    name="sizheng_text", xxs="12px", xs="14px", sm="16px", md="18px", lg="20px", xl="24px", xxl="30px"
)


def theme() -> gr.themes.Base:
    return gr.themes.Default(
        primary_hue=gr.themes.colors.red,
        secondary_hue=gr.themes.colors.amber,
        neutral_hue=gr.themes.colors.stone,
        text_size=TEXT_SIZE,
        font=FONTS,
        font_mono=MONO,
    ).set(
        body_text_size="18px",
        button_large_text_size="20px",
        button_primary_background_fill="#b71c1c",
        button_primary_background_fill_hover="#8e1212",
        button_primary_text_color="#ffffff",
    )


CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto; font-size: 18px; }
.sz-header { display: flex; align-items: baseline; gap: 16px; padding: 10px 4px 2px 4px;
  border-bottom: 3px solid #b71c1c; margin-bottom: 6px; }
.sz-header h1 { color: #b71c1c; font-size: 30px; margin: 0; letter-spacing: 2px; }
.sz-header span { color: #555; font-size: 17px; }
.sz-notice { padding: 8px 12px; border-radius: 6px; font-size: 17px; line-height: 1.6; }
.sz-notice.sz-info { background: #fff8e1; color: #6d4c00; }
.sz-notice.sz-ok { background: #eef7ee; color: #1b5e20; }
.sz-notice.sz-warn { background: #fff3e0; color: #8a4b00; }
.sz-notice.sz-error { background: #fdecea; color: #8e1212; }
.sz-progress { width: 100%; height: 16px; accent-color: #b71c1c; margin-top: 4px; }
.sz-badge { display: inline-block; padding: 1px 10px; border-radius: 12px; font-size: 15px;
  font-weight: 600; margin-right: 6px; }
.sz-badge.sz-offline { background: #e3f2fd; color: #0d47a1; }
.sz-badge.sz-llm { background: #f3e5f5; color: #6a1b9a; }
.sz-badge.sz-status { background: #fff3e0; color: #8a4b00; }
.sz-quote-stat { font-size: 15px; color: #1b5e20; }
.sz-warnings { background: #fff3e0; border-left: 4px solid #ef6c00; padding: 6px 12px; margin: 8px 0;
  border-radius: 4px; }
.sz-warnings ul { margin: 4px 0 0 0; }
.sz-sources { margin-top: 10px; border-top: 1px dashed #bbb; padding-top: 6px; }
.sz-sources-title { font-weight: 600; color: #7a1f1f; margin-bottom: 4px; }
.sz-source { margin: 4px 0; }
.sz-source summary { cursor: pointer; color: #7a1f1f; }
.sz-source-meta { font-size: 15px; color: #666; margin: 4px 0 2px 18px; }
.sz-passage { background: #faf7f2; border-left: 3px solid #c9a227; padding: 6px 10px; margin: 2px 0 6px 18px;
  line-height: 1.7; white-space: normal; }
.sz-report table, .sz-kv { border-collapse: collapse; width: 100%; font-size: 17px; }
.sz-report td, .sz-report th, .sz-kv td, .sz-kv th { border: 1px solid #ddd; padding: 6px 10px;
  text-align: left; vertical-align: top; }
.sz-kv th { width: 22%; background: #faf7f2; white-space: nowrap; }
.sz-report tr.sz-failed td { background: #fdecea; }
.sz-examples button { font-size: 16px !important; }
#sz-chatbot { font-size: 18px; }
#sz-chatbot .message-content, #sz-chatbot .prose { font-size: 18px !important; line-height: 1.75; }
#sz-doc-table, #sz-doc-table * { font-family: inherit !important; font-size: 16px; }
.sz-report tr.sz-added td:nth-child(2), .sz-report tr.sz-updated td:nth-child(2) { color: #1b5e20; }
.sz-report tr.sz-failed td:nth-child(2) { color: #8e1212; font-weight: 600; }
textarea { font-size: 18px !important; line-height: 1.7 !important; }
"""

HEADER = (
    '<div class="sz-header"><h1>思政助手</h1>'
    "<span>机关思想政治工作知识库 · 答案附原文出处 · 离线可用</span></div>"
)
