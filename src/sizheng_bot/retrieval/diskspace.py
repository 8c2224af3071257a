"""Disk space: telling a full disk apart (Chroma does not always say so), and how much a batch needs."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from sizheng_bot.errors import DiskFullError
from sizheng_bot.types import Chunk

_MB = 1024 * 1024
_FULL_MARKERS = ("no space left", "disk is full", "sqlite_full", "os error 28", "enospc", "quota exceeded")


def is_disk_full(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if any(m in str(exc).lower() for m in _FULL_MARKERS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def dir_bytes(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += (Path(root) / f).stat().st_size
            except OSError:
                pass
    return total


def free_bytes(path: Path) -> int:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return shutil.disk_usage(p).free


def rows_bytes(chunks: list[Chunk]) -> int:
    """On-disk cost of chunks in Chroma (vector, graph, text, full-text index, metadata): measured
    ~11 bytes per text byte for 300-character Chinese chunks."""
    return row_bytes(len(chunks), sum(len(c.text.encode("utf-8")) for c in chunks))


def row_bytes(rows: int, text_bytes: int) -> int:
    """``rows_bytes`` from a row count and the total UTF-8 bytes of their texts."""
    return 2048 * rows + 10 * text_bytes


def disk_full(data_dir: Path, needed: int) -> DiskFullError:
    free = free_bytes(data_dir)
    need_mb = max(1, -(-int(needed * 1.2) // _MB))
    return DiskFullError(
        f"磁盘空间不足：数据目录 {data_dir} 所在磁盘只剩 {free / _MB:.0f} MB，本批入库约需 {need_mb} MB 可用空间。"
        "本批文件均未入库，原有知识库未受影响、仍可检索；请清理磁盘（或把 SIZHENG_DATA_DIR 换到空间充足的磁盘）后重新入库",
        needed_bytes=int(needed),
        free_bytes=free,
    )
