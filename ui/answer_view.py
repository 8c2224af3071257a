"""A finished chat answer as the page shows it: status, the text with clickable [n], checkable sources."""

from __future__ import annotations

from sizheng_bot.types import Result
from ui.cite import link_markers
from ui.cite import sources_html as checkable_sources
from ui.render import md_safe, status_html, without_sources_section

COPY_BUTTON = '<span class="sz-copy" role="button" tabindex="0" title="复制回答和出处（纯文本）">复制</span>'


def answer_markdown(result: Result, original: dict[str, str] | None = None) -> str:
    """A finished chat answer: status line (with a copy button), the answer with clickable [n],
    warnings and the sources (passage with the supporting sentence marked)."""
    text = without_sources_section(result.text) if result.citations else result.text
    body = link_markers(md_safe(text.strip()), {c.n for c in result.citations})
    status = status_html(result).replace("</div>", " " + COPY_BUTTON + "</div>", 1)
    blocks = [status, body]
    src = checkable_sources(result.citations, result.text, original)
    if src:
        blocks.append(src)
    return "\n\n".join(blocks)
