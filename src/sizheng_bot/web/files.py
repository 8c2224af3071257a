"""Upload checks and export files: safe names, size limit, extension whitelist, temp files to download."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from pathlib import Path

from sizheng_bot.export import export_bytes
from sizheng_bot.ingest.loaders import SUPPORTED
from sizheng_bot.types import Result

MAX_NAME_CHARS = 100
_FORBIDDEN = re.compile(r'[<>:"|?*\\/]')
_SPACES = re.compile(r"\s+")
_WORD_FORMATS = (".doc", ".wps", ".rtf", ".odt")
EXPORT_LABELS = {"docx": "Word", "pptx": "PPT", "md": "Markdown"}


def safe_filename(name: str, default: str = "未命名文件") -> str:
    """A bare file name: no directories, no control or bidi characters, no leading dots; Chinese kept."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))
    base = _FORBIDDEN.sub("_", base)
    base = _SPACES.sub(" ", base).strip().lstrip(".").strip()
    if not base or set(base) <= {".", "_", " "}:
        return default
    stem, dot, ext = base.rpartition(".")
    if not dot:
        return base[:MAX_NAME_CHARS]
    ext = ext[:10]
    return stem[: MAX_NAME_CHARS - len(ext) - 1].rstrip() + "." + ext


def supported_text() -> str:
    return "、".join(SUPPORTED)


def upload_problem(path: Path, name: str, max_mb: int) -> str | None:
    """Why an uploaded file is refused (a Chinese message naming the file), or None when it may go in."""
    ext = Path(name).suffix.lower()
    if ext not in SUPPORTED:
        hint = "Word 文档请另存为 .docx 后上传；" if ext in _WORD_FORMATS else ""
        shown = ext or "无扩展名"
        return f"{name}：不支持的文件类型（{shown}）。{hint}支持的格式：{supported_text()}"
    try:
        size = path.stat().st_size
    except OSError:
        return f"{name}：上传的文件已丢失，请重新上传"
    if size > max_mb * 1024 * 1024:
        return f"{name}：文件大小 {size / 1024 / 1024:.1f} MB，超过上限 {max_mb} MB（可用 SIZHENG_MAX_UPLOAD_MB 调整）"
    if size == 0:
        return f"{name}：文件是空的"
    return None


def unique_names(names: list[str]) -> list[str]:
    """Keep the names distinct within one batch: a second 通知.txt becomes 通知(2).txt."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = seen.get(n, 0) + 1
        seen[n] = k
        if k == 1:
            out.append(n)
        else:
            p = Path(n)
            out.append(f"{p.stem}({k}){p.suffix}")
    return out


def export_file(result: Result, fmt: str, stem: str, title: str | None = None) -> Path:
    """Write ``result`` as ``fmt`` into a fresh temp directory; the path for a download component."""
    data = export_bytes(result, fmt, title)
    folder = Path(tempfile.mkdtemp(prefix="sizheng-export-"))
    path = folder / safe_filename(f"{stem}.{fmt}", default=f"导出.{fmt}")
    path.write_bytes(data)
    return path
