"""Export a Result to Markdown, Word (.docx, official-document layout) and PowerPoint (.pptx, 微党课)."""

from __future__ import annotations

from dataclasses import replace

from sizheng_bot.errors import SizhengError
from sizheng_bot.export.docx import docx_bytes, write_docx
from sizheng_bot.export.markdown import to_markdown, write_markdown
from sizheng_bot.export.pptx import pptx_bytes, write_pptx
from sizheng_bot.export.sources import cited_names, lecture_text
from sizheng_bot.types import Result

__all__ = [
    "FORMATS",
    "clean_result",
    "export_bytes",
    "to_markdown",
    "write_docx",
    "write_markdown",
    "write_pptx",
]

FORMATS = {"md": "md", "markdown": "md", "docx": "docx", "word": "docx", "pptx": "pptx", "ppt": "pptx"}


def clean_result(result: Result) -> Result:
    """The result as a clean 讲稿: no mode note, no [n] markers, no sources (the user's edits kept)."""
    return replace(result, text=lecture_text(result.text, cited_names(result)), citations=[])


def export_bytes(result: Result, fmt: str, title: str | None = None, clean: bool = False) -> bytes:
    """The file content for ``fmt`` ("md", "docx" or "pptx"; a leading dot and case are ignored).

    ``clean``: without the mode note and the sources (see ``clean_result``).
    """
    if clean:
        result = clean_result(result)
    kind = FORMATS.get(fmt.strip().lstrip(".").lower())
    if kind == "md":
        return to_markdown(result).encode("utf-8")
    if kind == "docx":
        return docx_bytes(result, title)
    if kind == "pptx":
        return pptx_bytes(result, title)
    raise SizhengError(f"不支持的导出格式“{fmt}”，可选：md、docx、pptx。")
