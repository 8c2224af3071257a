"""Cleaning of extracted text: whitespace artifacts, website boilerplate, visual line wraps.

The cleaned text is what gets indexed and cited, so only whitespace, line joins, markup markers
(``**``, leading bullets) and boilerplate lines are touched; punctuation width is never changed.
Width folding for *matching* lives in :mod:`sizheng_bot.text.forms` and is never stored.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sizheng_bot.text import CN_DIGITS, is_heading
from sizheng_bot.text.forms import MASK
from sizheng_bot.types import Block, Document

# CJK ideographs plus CJK/full-width punctuation, quotes, dashes, ellipsis and the middle dot.
_CJK = (
    r"\u00b7\u2010-\u2027\u2030-\u205e\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3100-\u312f"
    r"\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f\uff01-\uffef"
)
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Spaces next to CJK go, except around the " | " table-cell separator the loaders produce.
_CJK_SPACE = re.compile(rf"(?<!\|)[ \t]+(?=[{_CJK}])|(?<=[{_CJK}])[ \t]+(?!\|)")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_MULTI_SPACE = re.compile(r" {2,}")
_NEWLINES = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_HSPACE = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")

# --- boilerplate -------------------------------------------------------------------------------
_B = r"^[-*•·|｜\s]*"  # optional bullet/pipe before a banner
_E = r"\s*[|｜]?\s*$"  # optional trailing pipe
_DATE = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
_BANNER = re.compile(
    "|".join(
        (
            rf"^[-*•·|｜]\s*{_DATE}\s*(?:发布|上传|更新|发表)?{_E}",  # - 2021-04-17 发布 |
            rf"^{_DATE}\s*(?:(?:发布|上传|更新|发表)\s*[|｜]?|[|｜])\s*$",  # a bare date stays (落款日期)
            rf"{_B}\d+(?:\.\d+)?\s*(?i:KB|MB|GB|K|M|B|字节){_E}",  # - 37.5 KB |
            rf"{_B}(?:共\s*)?\d{{1,4}}\s*页{_E}",  # - 7页
            r"^[-—–]\s*\d{1,4}\s*[-—–]$|^\d{1,4}\s*/\s*\d{1,4}$",  # page footers: - 3 -, 3/7
            r"^\d{4}/\d{1,2}/\d{1,2}\s+\d{1,2}:\d{2}\s+\S[^。，；！？]{0,80}$",  # a browser print's header: time + page title
            r"^第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$",
            rf"^(?:发布|更新|上传|发表)?(?:时间|日期)\s*[:：]\s*{_DATE}\s*$",  # 时间:2022-05-27 09:40:00
            r"^(?:浏览|阅读|点击)(?:次数|量)?\s*[:：]?\s*\d+\s*次?$",
            r"^(?:查看更多|文档介绍|展开全文|阅读全文|点击查看全文|显示全部|收起全文|返回顶部|返回首页"
            r"|相关推荐|相关文章|热门推荐|猜你喜欢|打印本页|关闭窗口|分享到[:：]?.{0,20}"
            r"|上一篇[:：].*|下一篇[:：].*)$",
        )
    )
)
# Site notices (upload disclaimers, repost notices, customer-service ads).
_NOTICE = re.compile(
    r"网友上传|用户上传|不代表本站|本站不保证|本站不予受理|申明敬告|免责声明|版权归原作者|如有侵权|侵权请联系"
    r"|请注明出处|转载请注明|可咨询客服|下载后可编辑|扫码关注"
)
_META_LABEL = re.compile(r"(?:来源|作者|时间|日期|浏览|阅读|点击|编辑|责编|字数)\s*[:：]")
_TAILS = ("查看更多", "展开全文", "阅读全文", "点击查看全文", "显示全部")
_BULLET = re.compile(r"^[-*+•●▪◆■]\s+|^[•●▪◆■]")

# --- structure ---------------------------------------------------------------------------------
_NUM = CN_DIGITS
_LIST_START = re.compile(rf"^(?:[{_NUM}]{{1,3}}是|第[{_NUM}]{{1,3}}[,，、]|[-*•●])")
_SENTENCE_END = frozenset('。！？!?；;：:…”’"』」》.')
_PROSE = "。！？；;!?"
_CONTINUES_END = re.compile(rf"[{_HAN}，,、]")
_CONTINUES_START = re.compile(rf"[{_HAN}A-Za-z0-9]")
_INLINE_HEADING = re.compile(rf"(?<=[。！？；;!?])[ ]+(?=[{_NUM}]{{1,3}}、|[（(][{_NUM}]{{1,3}}[)）])")
_HEADING_BODY = re.compile(rf"^([{_NUM}]{{1,3}}、[ ]*[^\s，,。；;：:！？!?、“”\"]{{2,30}})[ ]+(?=[{_HAN}])")
_TITLE_PUNCT = re.compile(r"[。，,；;！？!?]")


def remove_cjk_spaces(text: str) -> str:
    """Drop spaces/tabs next to CJK characters or CJK punctuation; keep them between Latin words/numbers."""
    return _CJK_SPACE.sub("", text)


def is_boilerplate(line: str) -> bool:
    """True for website chrome: upload/repost notices, date/size/page banners, UI labels."""
    s = line.strip()
    if not s or len(s) > 300:
        return False
    if _BANNER.match(s) or _NOTICE.search(s):
        return True
    return len(s) <= 80 and ("：" in s or ":" in s) and len(_META_LABEL.findall(s)) >= 2


def strip_markup(line: str) -> str:
    """Remove markdown emphasis markers and a leading list bullet, keeping the text."""
    if "**" in line:
        line = line.replace("**", "")
    m = _BULLET.match(line)
    return (line[m.end() :] if m else line).strip()


def _strip_tail(line: str) -> str:
    """Remove a trailing "查看更多"-style link glued to the end of a content line."""
    s = line.rstrip(" >»›")
    for tail in _TAILS:
        if s.endswith(tail):
            return s[: -len(tail)].rstrip()
    return line


def split_inline_headings(line: str) -> list[str]:
    """Split a very long extracted line before ``一、``/``（一）`` headings that follow a sentence end."""
    if len(line) < 150 or not any(p + " " in line for p in _PROSE):
        return [line]
    out: list[str] = []
    for part in _INLINE_HEADING.split(line):
        m = _HEADING_BODY.match(part)
        out.extend((m.group(1), part[m.end() :]) if m else (part,))
    return out


@dataclass
class _Line:
    text: str
    page: int | None = None
    level: int | None = None
    group: int = 0  # lines of one group are separated by single line breaks only
    table: bool = False
    width: int = 0  # display width of the last physical line
    group_width: int = 0  # widest line of the group


def _width(text: str) -> int:
    """Approximate display width: 2 for CJK (3 UTF-8 bytes), 1 for ASCII."""
    return (len(text.encode("utf-8", "surrogatepass")) + len(text)) // 2


def _should_join(prev: _Line, cur: _Line) -> bool:
    if prev.level is not None or cur.level is not None or prev.table or cur.table or prev.page != cur.page:
        return False
    a, b = prev.text, cur.text
    if a[-1] in _SENTENCE_END or is_heading(a) or is_heading(b) or _LIST_START.match(b):
        return False
    if prev.group == cur.group:  # a visual wrap: the previous line runs (nearly) full width
        return prev.width >= max(16, 0.6 * cur.group_width)
    # across a blank line only when a prose paragraph was clearly cut mid-sentence
    return bool(
        len(a) >= 20
        and any(p in a for p in _PROSE)
        and _CONTINUES_END.match(a[-1])
        and _CONTINUES_START.match(b)
    )


def _join(a: str, b: str) -> str:
    sep = "" if _CJK_CHAR.match(a[-1]) or _CJK_CHAR.match(b) else " "
    return a + sep + b


def _rejoin(lines: Iterable[_Line]) -> list[_Line]:
    out: list[_Line] = []
    for line in lines:
        if out and _should_join(out[-1], line):
            prev = out[-1]
            prev.text = _join(prev.text, line.text)
            prev.width = line.width
        else:
            out.append(line)
    return out


def _group_widths(lines: list[_Line]) -> list[_Line]:
    widest: dict[int, int] = {}
    for line in lines:
        line.width = _width(line.text)
        widest[line.group] = max(widest.get(line.group, 0), line.width)
    for line in lines:
        line.group_width = widest[line.group]
    return lines


def rejoin_lines(lines: list[str]) -> list[str]:
    """Join visually wrapped lines into paragraphs; blank lines separate paragraphs."""
    items: list[_Line] = []
    group = 0
    for raw in lines:
        text = raw.strip()
        if not text:
            group += 1
            continue
        items.append(_Line(text, group=group, table="\t" in text or " | " in text))
    return [line.text for line in _rejoin(_group_widths(items))]


def _running_lines(blocks: list[Block]) -> set[str]:
    """Short lines that open or close most pages of a paged document (running headers/footers)."""
    paged = [b for b in blocks if b.page is not None]
    counts: Counter[str] = Counter()
    for block in paged:
        lines = [" ".join(x.split()) for x in block.text.split("\n") if x.strip()]
        counts.update({line for line in (lines[:1] + lines[-1:]) if len(line) <= 40})
    return {line for line, n in counts.items() if n >= max(3, len(paged) // 2)}


class _LineStream:
    """Turns blocks into cleaned-but-unjoined lines; drops boilerplate and a repeated title."""

    def __init__(self, running: set[str]) -> None:
        self.group = 0
        self.prev = ""
        self.seen = 0
        self.running = running

    def _dedupe(self, line: str) -> str:
        """Drop a title repeated at the top of the document (alone or glued to the first paragraph)."""
        prev, self.prev = self.prev, line
        self.seen += 1
        if prev and len(prev) <= 60 and self.seen <= 20 and _CONTINUES_START.match(prev):
            if line == prev:
                return ""
            if line.startswith(prev) and line[len(prev) : len(prev) + 1] == " ":
                self.prev = line = line[len(prev) :].strip()
        return line

    def lines(self, block: Block) -> Iterator[_Line]:
        self.group += 1
        text = _INVISIBLE.sub("", _NEWLINES.sub("\n", block.text))
        for raw in text.split("\n"):
            table = "\t" in raw.strip() or " | " in raw
            line = _HSPACE.sub(" ", raw)
            if "  " in line:
                line = _MULTI_SPACE.sub(" ", line)
            line = line.strip()
            if not line:
                self.group += 1
                continue
            if is_boilerplate(line) or line in self.running:
                continue
            line = self._dedupe(_strip_tail(strip_markup(line)))
            for part in split_inline_headings(line) if line else ():
                yield _Line(part, block.page, block.level, self.group, table)


def _finish(text: str) -> str:
    if " " in text:
        text = _MULTI_SPACE.sub(" ", remove_cjk_spaces(text))
    return text.strip()


def _clean_title(doc: Document, blocks: list[Block]) -> str:
    title = _finish(_HSPACE.sub(" ", _INVISIBLE.sub("", doc.title)).replace("\n", " "))
    stem = Path(doc.source).stem
    if (
        title not in stem
    ):  # a cover-page line (项目名称, 单位名) often precedes the real title, which the file is named after
        for block in blocks[:40]:
            line = block.text.strip()
            if 6 <= len(line) <= 60 and line in stem:
                return line
    named = len(_HAN_CHARS.findall(stem))  # how much the file name itself says
    if _names_document(title, stem, named):
        return title
    if named >= TITLE_MIN:
        return stem  # a file named in words names its document better than a line picked from its text
    for block in blocks[:10]:
        line = block.text
        if len(line) <= 60 and not _TITLE_PUNCT.search(line) and " | " not in line and _names_document(line, stem, named):
            return line
    return stem


_MASKED = re.compile(MASK)
_HAN_CHARS = re.compile(rf"[{_HAN}]")
TITLE_MIN = 6  # a shorter first line (中国共产党 over a ballot) names no document unless its file is named so


def _names_document(line: str, stem: str, named: int) -> bool:
    """Whether a line can stand as the document's title: not boilerplate, not a numbered point (1、发文当前
    位置…, the first item of a list that has no title), and not a short fragment its file name lacks when the file
    name itself says more (中国共产党 over a ballot filed as 支部书记选票; 拿来主义 stays the title of 附件1.docx)."""
    line = line.strip()
    if not line or is_boilerplate(line) or is_heading(line) or _MASKED.search(line):
        return False  # XX党支部委员会 is a template's slot, not its name
    if named < TITLE_MIN:
        return True  # 附件1.docx: the file name says less than any line
    return len(line) >= TITLE_MIN or (line in stem and 2 * len(line) >= named)  # 拿来主义 of 拿来主义（鲁迅）


def clean_document(doc: Document) -> Document:
    """Return a new Document with one cleaned block per paragraph (page/level kept)."""
    stream = _LineStream(_running_lines(doc.blocks))
    lines = [line for block in doc.blocks for line in stream.lines(block)]
    blocks: list[Block] = []
    for para in _rejoin(_group_widths(lines)):
        text = _finish(para.text)
        if text:
            blocks.append(Block(text, page=para.page, level=para.level))
    return Document(
        source=doc.source,
        title=_clean_title(doc, blocks),
        blocks=blocks,
        format=doc.format,
        path=doc.path,
        file_hash=doc.file_hash,
        encoding=doc.encoding,
        ocr_pages=doc.ocr_pages,
        note=doc.note,
    )
