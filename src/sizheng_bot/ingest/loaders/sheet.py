"""Spreadsheets (.xlsx via openpyxl; .xls/.et/.ods converted to .xlsx first): every sheet, rows as text.

Each data row becomes ``列名：值 | 列名：值`` under its sheet's header row; merged cells are filled with
their value, line breaks inside cells are kept. The sheet name is a level-1 heading and each group
of rows a level-2 heading ``第a–b行``, so a citation shows sheet and row range as its section.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

from sizheng_bot.errors import LoadError
from sizheng_bot.ingest.loaders.options import LoadOptions
from sizheng_bot.ingest.loaders.zipguard import open_zip
from sizheng_bot.text.headings import row_label
from sizheng_bot.types import Block, Document

log = logging.getLogger(__name__)

GROUP_CHARS = 300  # rows are grouped into sections of about this many characters
_MAX_CELLS = 2_000_000
_HINT = "请用 Excel/WPS 打开后另存为 .xlsx 再上传"


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:g}"
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ", timespec="minutes")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    text = str(v).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def _grid(ws: Any) -> tuple[list[list[str]], set[int]]:
    """Cell texts with merged ranges filled; also the rows that are a wide merged banner (titles)."""
    rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    used = max((i + 1 for r in rows for i, c in enumerate(r) if c), default=0)
    banners: set[int] = set()
    for rng in ws.merged_cells.ranges:
        r0, c0, r1, c1 = rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1
        if r0 >= len(rows) or c0 >= width:
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                rows[r][c] = value
        if r0 == r1 and used and (c1 - c0 + 1) * 2 >= used:
            banners.add(r0)
    return rows, banners


def _distinct(row: list[str]) -> list[str]:
    out: list[str] = []
    for c in row:
        if c and (not out or out[-1] != c):
            out.append(c)
    return out


def _header_index(rows: list[list[str]], banners: set[int]) -> int | None:
    for i, row in enumerate(rows[:10]):
        if i in banners:
            continue
        cells = [c for c in row if c]
        if not cells:
            continue
        texty = [c for c in cells if len(c) <= 30 and not c.replace(".", "", 1).isdigit()]
        if len(cells) >= 2 and len(texty) == len(cells):
            return i
        return None  # first content row is data, not a header
    return None


def _row_text(row: list[str], header: list[str] | None) -> str:
    parts: list[str] = []
    seen: set[tuple[str, str]] = set()
    for i, cell in enumerate(row):
        if not cell:
            continue
        name = header[i] if header and i < len(header) and header[i] and header[i] != cell else ""
        if (name, cell) in seen:  # a merged cell repeats across columns
            continue
        seen.add((name, cell))
        parts.append(f"{name}：{cell}" if name else cell)
    return " | ".join(parts)


def _sheet_blocks(title: str, rows: list[list[str]], banners: set[int]) -> list[Block]:
    blocks = [Block(title, level=1)]
    for i in sorted(banners):
        text = "；".join(_distinct(rows[i]))
        if text:
            blocks.append(Block(text))
    h = _header_index(rows, banners)
    header = rows[h] if h is not None else None
    group: list[tuple[int, str]] = []

    def flush() -> None:
        if group:
            a, b = group[0][0], group[-1][0]
            blocks.append(Block(row_label(a, b), level=2))
            blocks.extend(Block(text) for _, text in group)
            group.clear()

    if header is not None:
        blocks.append(Block("表头：" + "；".join(_distinct(header))))
    for i, row in enumerate(rows):
        if i in banners or i == h or (h is not None and i < h):
            continue
        text = _row_text(row, header)
        if not text:
            continue
        if group and sum(len(t) for _, t in group) + len(text) > GROUP_CHARS:
            flush()
        group.append((i + 1, text))
    flush()
    return blocks if len(blocks) > 1 else []


def load_xlsx(data: bytes, source: str, options: LoadOptions | None = None) -> Document:
    import openpyxl

    open_zip(data, source, options)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except Exception as exc:
        log.info("openpyxl failed for %s: %r", source, exc)
        raise LoadError(source, "表格文件已损坏或不是有效的 .xlsx 文件", _HINT) from exc
    blocks: list[Block] = []
    cells = 0
    for ws in wb.worksheets:
        cells += (ws.max_row or 0) * (ws.max_column or 0)
        if cells > _MAX_CELLS:
            raise LoadError(source, f"表格过大（超过 {_MAX_CELLS} 个单元格）", "请拆分为较小的表格后再上传")
        rows, banners = _grid(ws)
        blocks.extend(_sheet_blocks(ws.title, rows, banners))
    if not blocks:
        raise LoadError(source, "表格中没有文字内容", "请确认表格不是空白，或内容不是图片")
    title = (wb.properties.title or "").strip() if wb.properties else ""
    return Document(source=source, title=title, blocks=blocks, format="xlsx")
