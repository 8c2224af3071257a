"""Upload checks and export files: safe names, size limit, extension whitelist, temp files to download."""

from __future__ import annotations

import atexit
import logging
import re
import shutil
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

from sizheng_bot.export import export_bytes
from sizheng_bot.ingest.loaders import SUPPORTED
from sizheng_bot.types import Result

log = logging.getLogger(__name__)
MAX_NAME_BYTES = 255  # the file-name limit of ext4, NTFS (in UTF-16 units, more room) and most others
EXPORT_MAX_AGE = 3600.0  # seconds an export stays downloadable
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
    if not dot or not stem:
        return _trim_bytes(base, MAX_NAME_BYTES)
    ext = ext[:10]
    return _trim_bytes(stem, MAX_NAME_BYTES - len(ext.encode("utf-8")) - 1).rstrip() + "." + ext


def _trim_bytes(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 encoding fits ``limit`` bytes (whole characters)."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


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
        return f"{name}：文件大小 {size / 1024 / 1024:.1f} MB，超过上限 {max_mb} MB，请压缩或拆分后再上传"
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


class ExportDir:
    """Exports in one per-process temp directory: files older than an hour go on the next export,
    the whole directory at exit."""

    def __init__(self, max_age: float = EXPORT_MAX_AGE) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="sizheng-export-"))
        self.max_age = max_age
        self._lock = threading.Lock()
        atexit.register(shutil.rmtree, self.root, True)

    def write(
        self, result: Result, fmt: str, stem: str, title: str | None = None, clean: bool = False
    ) -> Path:
        data = export_bytes(result, fmt, title, clean=clean)
        with self._lock:
            self.sweep()
            folder = Path(tempfile.mkdtemp(dir=self.root))
        path = folder / safe_filename(f"{stem}.{fmt}", default=f"导出.{fmt}")
        path.write_bytes(data)
        return path

    def sweep(self) -> None:
        cutoff = time.time() - self.max_age
        for d in self.root.iterdir() if self.root.exists() else []:
            try:
                if d.stat().st_mtime < cutoff:
                    shutil.rmtree(d, ignore_errors=True)
            except OSError:
                pass


def export_file(result: Result, fmt: str, stem: str, title: str | None = None) -> Path:
    """Write ``result`` as ``fmt`` into a fresh temp directory (one-off callers; the app uses ExportDir)."""
    data = export_bytes(result, fmt, title)
    folder = Path(tempfile.mkdtemp(prefix="sizheng-export-"))
    path = folder / safe_filename(f"{stem}.{fmt}", default=f"导出.{fmt}")
    path.write_bytes(data)
    return path


def remove_quietly(path: Path) -> None:
    """Delete an uploaded temp file (and its folder when that is now empty)."""
    try:
        path.unlink(missing_ok=True)
        path.parent.rmdir()
    except OSError:
        pass
