"""HTML: visible text only, block-level tags end blocks, h1-h6 give heading levels."""

from __future__ import annotations

import codecs
import logging
import re
from html.parser import HTMLParser

from sizheng_bot.errors import LoadError
from sizheng_bot.ingest.loaders.text import decode_text, first_title_line, plausible
from sizheng_bot.types import Block, Document

log = logging.getLogger(__name__)

_SKIP = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "select"}
_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "section", "article", "header",
    "footer", "nav", "aside", "main", "blockquote", "pre", "hr", "form", "figure", "figcaption", "caption",
    "address", "fieldset", "details", "summary", "body", "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_WS = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title = ""
        self._buf: list[str] = []
        self._skip: list[str] = []
        self._level: int | None = None
        self._in_title = False
        self._pre = 0
        self._row_cells = 0

    def _flush(self) -> None:
        raw = "".join(self._buf)
        text = raw.strip() if self._pre else _WS.sub(" ", raw).strip()
        if text:
            self.blocks.append(Block(text, level=self._level))
        self._buf = []
        self._level = None
        self._row_cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag == "body" and "head" in self._skip:  # an unclosed <head> ends at <body>
            self._skip = [t for t in self._skip if t != "head"]
        if tag in _SKIP:
            self._skip.append(tag)
            return
        if tag in _BLOCK:
            self._flush()
        if tag in _HEADINGS:
            self._level = _HEADINGS[tag]
        elif tag == "pre":
            self._pre += 1
        elif tag in ("td", "th"):
            if self._row_cells and not self._skip:
                self._buf.append(" | ")
            self._row_cells += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK and not self._skip:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIP:
            if tag in self._skip:
                while self._skip and self._skip.pop() != tag:
                    pass
            return
        if tag in _BLOCK:
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self._buf.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _normalize_codec(name: str) -> str | None:
    try:
        codec = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    return "gb18030" if codec in ("gb2312", "gbk") else codec


def decode_html(data: bytes, source: str) -> tuple[str, str]:
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        m = _CHARSET.search(data[:4096])
        declared = _normalize_codec(m.group(1).decode("ascii", "ignore")) if m else None
        if declared:
            try:
                text = data.decode(declared)
            except UnicodeDecodeError:
                log.info("%s: declared charset %s does not decode; detecting", source, declared)
            else:
                if plausible(text):
                    return text, declared
    return decode_text(data, source)


def load_html(data: bytes, source: str) -> Document:
    if not data.strip():
        raise LoadError(source, "文件为空，没有可读取的文字", "请检查文件内容后重新上传")
    text, encoding = decode_html(data, source)
    parser = _TextExtractor()
    try:
        parser.feed(text)
        parser.close()
    except Exception as exc:  # html.parser is lenient; this is a last resort
        raise LoadError(source, "网页文件无法解析", "请在浏览器中打开后另存为 .txt 或 .pdf 再上传") from exc
    if not parser.blocks:
        raise LoadError(
            source, "网页中没有可见的文字内容", "请确认保存的是完整网页（而不是空白页或纯图片页面）"
        )
    title = _WS.sub(" ", parser.title).strip()
    if not title:
        headings = [b.text for b in parser.blocks if b.level is not None]
        title = headings[0] if headings else first_title_line([b.text for b in parser.blocks])
    return Document(source=source, title=title, blocks=parser.blocks, format="html", encoding=encoding)
