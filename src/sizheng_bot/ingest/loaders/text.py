"""Plain text and Markdown: encoding detection that refuses to guess into mojibake."""

from __future__ import annotations

import codecs
import logging
import re

from sizheng_bot.errors import LoadError
from sizheng_bot.types import Block, Document

log = logging.getLogger(__name__)

# Characters we expect in real text; anything else counts against a candidate decoding.
_UNCOMMON = re.compile(
    r"[^\t\n\r\f\v\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u2100-\u27bf\u3000-\u30ff\u3100-\u312f"
    r"\u3200-\u33ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    r"\U00020000-\U0003134f]"
)
# Control characters (other than ordinary whitespace), C1 controls, private use, replacement char.
_BAD = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd]")
# Bytes a UTF-16 code unit's high byte takes in Chinese/ASCII text: 0x00 (ASCII), 0x20 (general
# punctuation), 0x30 (CJK punctuation), 0x34-0x9f (CJK ideographs), 0xff (full-width forms).
_UTF16_HIGH = bytes([0x00, 0x20, 0x30, 0xFF, *range(0x34, 0xA0)])

_NO_ENCODING_HINT = "请用记事本或 WPS 打开后另存为 UTF-8 编码的文本再上传"


def plausible(text: str, *, any_script: bool = False) -> bool:
    """True when ``text`` looks like real text, not a wrong decoding.

    Control/private-use/replacement characters always count against it; unless ``any_script``,
    so do characters outside Chinese, Latin and common symbols.
    """
    if not text:
        return True
    n = len(text)
    if len(_BAD.findall(text)) > n // 1000:
        return False
    return any_script or len(_UNCOMMON.findall(text)) <= n * 0.05


def _looks_utf16(data: bytes) -> str | None:
    """Return "utf-16-le"/"utf-16-be" when the byte pattern says UTF-16 without BOM."""
    if len(data) < 4 or len(data) % 2:
        return None
    for codec, high in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
        # 8-bit text (GBK, UTF-8) never contains NUL; UTF-16 text has one per ASCII char (newlines…)
        if b"\0" in high and len(high.translate(None, _UTF16_HIGH)) <= len(high) * 0.05:
            return codec
    return None


def _try(data: bytes, codec: str) -> str | None:
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    # Dozens of valid multi-byte UTF-8 sequences do not happen by accident (only short GBK
    # strings such as "联通" pass as UTF-8), so long UTF-8 text may be in any script.
    trusted = codec == "utf-8" and len(data) - len(text) >= 40
    probe = text
    if codec.startswith("utf-8") and text.count("\ufffd") <= max(1, len(text) // 100):
        probe = text.replace("\ufffd", "")  # a stray U+FFFD encoded as such: a real (odd) character
    return text if plausible(probe, any_script=trusted) else None


def decode_text(data: bytes, source: str) -> tuple[str, str]:
    """Decode bytes to text; return (text, encoding). Raise LoadError rather than produce mojibake."""
    boms = (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    for bom, codec in boms:
        if data.startswith(bom):
            text = _try(data, codec)
            if text is None:
                raise LoadError(source, "文件开头的编码标记（BOM）与内容不符，无法解码", _NO_ENCODING_HINT)
            return text, codec
    candidates = ["utf-8"]
    utf16 = _looks_utf16(data)
    if utf16:
        candidates.append(utf16)
    candidates.append("gb18030")
    for codec in candidates:
        text = _try(data, codec)
        if text is not None:
            return text, codec
    raise LoadError(source, "无法识别文件编码，内容不是 UTF-8、GBK/GB18030 或 UTF-16 文本", _NO_ENCODING_HINT)


def _paragraph_blocks(lines: list[str]) -> list[Block]:
    """Group lines into blocks at blank lines; line breaks inside a block are kept for cleaning."""
    blocks: list[Block] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(Block("\n".join(current)))
            current = []
    if current:
        blocks.append(Block("\n".join(current)))
    return blocks


_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORDS = re.compile(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}")
_SENTENCE_PUNCT = re.compile(r"[。，,；;！？!?]")


def first_title_line(lines: list[str]) -> str:
    """The first short, title-like line with real words in it ("" when there is none)."""
    for line in lines[:50]:
        s = line.strip().strip("#").strip()
        if not 2 <= len(s) <= 60 or _SENTENCE_PUNCT.search(s):
            continue
        han = len(_HAN.findall(s))
        if (han >= 2 and han * 2 >= len("".join(s.split()))) or (not han and _WORDS.search(s)):
            return s
    return ""


def _check_not_empty(text: str, source: str) -> None:
    if not text.strip():
        raise LoadError(source, "文件为空，没有可读取的文字", "请检查文件内容后重新上传")


def _decode_lines(data: bytes, source: str) -> tuple[list[str], str]:
    if not data:
        _check_not_empty("", source)
    text, encoding = decode_text(data, source)
    _check_not_empty(text, source)
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), encoding


def load_txt(data: bytes, source: str) -> Document:
    lines, encoding = _decode_lines(data, source)
    return Document(
        source=source,
        title=first_title_line(lines),
        blocks=_paragraph_blocks(lines),
        format="txt",
        encoding=encoding,
    )


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"\*\*")
_MD_FENCE = re.compile(r"^\s*(```|~~~)")


def _md_inline(line: str) -> str:
    return _MD_EMPHASIS.sub("", _MD_BULLET.sub(r"\1", line))


def load_md(data: bytes, source: str) -> Document:
    lines, encoding = _decode_lines(data, source)
    blocks: list[Block] = []
    pending: list[str] = []
    title = ""
    for line in lines:
        m = _MD_HEADING.match(line)
        if m or not line.strip() or _MD_FENCE.match(line):
            blocks.extend(_paragraph_blocks(pending))
            pending = []
        if m:
            heading = _md_inline(m.group(2)).strip()
            if heading:
                blocks.append(Block(heading, level=len(m.group(1))))
                title = title or heading
        elif line.strip() and not _MD_FENCE.match(line):
            pending.append(_md_inline(line))
    blocks.extend(_paragraph_blocks(pending))
    title = title or first_title_line([_md_inline(x) for x in lines])
    return Document(source=source, title=title, blocks=blocks, format="md", encoding=encoding)
