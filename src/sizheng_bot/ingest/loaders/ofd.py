"""OFD (GB/T 33190)版式文件: text runs placed by their coordinates into lines, one block per page.

OFD.xml → DocBody/DocRoot → Document.xml → Pages/Page@BaseLoc → Content.xml. Every TextObject's
TextCode runs are positioned by Boundary + CTM + X/Y/DeltaX; runs on one baseline form a line in
x order (``202``,``3``,``年`` become ``2023年``); lines are sorted top to bottom. Stamps, signatures
and annotations live outside the page content and are ignored. Wrapped lines are re-joined later by
the same cleaner as PDF text.
"""

from __future__ import annotations

import logging
import posixpath
import re
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from sizheng_bot.errors import LoadError
from sizheng_bot.ingest.loaders.options import LoadOptions
from sizheng_bot.ingest.loaders.text import first_title_line
from sizheng_bot.ingest.loaders.zipguard import GuardedZip, open_zip
from sizheng_bot.types import Block, Document

log = logging.getLogger(__name__)

_HINT = "请用 OFD 阅读器（如数科阅读器）另存为 PDF 后再上传"
_NUMS = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|g")


@dataclass
class _Run:
    x: float
    y: float  # baseline
    end: float
    size: float
    text: str


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el.iter() if _local(c.tag) == name]


def _floats(s: str | None) -> list[float]:
    return [float(t) for t in _NUMS.findall(s or "") if t != "g"]


def _deltas(s: str | None, n: int) -> list[float]:
    """DeltaX/DeltaY with the ``g count value`` repetition shorthand expanded."""
    toks = _NUMS.findall(s or "")
    out: list[float] = []
    i = 0
    while i < len(toks):
        if toks[i] == "g" and i + 2 < len(toks):
            out.extend([float(toks[i + 2])] * int(float(toks[i + 1])))
            i += 3
        else:
            if toks[i] != "g":
                out.append(float(toks[i]))
            i += 1
    return out[: max(0, n - 1)]


def _xml(z: GuardedZip, name: str, source: str) -> Any:
    real = z.find(name)
    if real is None:
        raise LoadError(source, f"OFD 文件缺少 {name}", _HINT)
    try:
        return ET.fromstring(z.read(real))
    except ET.ParseError as exc:
        raise LoadError(source, f"OFD 文件中的 {name} 已损坏", _HINT) from exc


def _resolve(base_dir: str, loc: str) -> str:
    loc = loc.strip()
    if loc.startswith("/"):
        return posixpath.normpath(loc.lstrip("/"))
    return posixpath.normpath(posixpath.join(base_dir, loc))


def _page_paths(z: GuardedZip, source: str) -> list[tuple[str, list[str]]]:
    root = _xml(z, "OFD.xml", source)
    doc_roots = [el.text.strip() for el in _children(root, "DocRoot") if el.text and el.text.strip()]
    if not doc_roots:
        raise LoadError(source, "OFD.xml 中没有 DocRoot（文档入口）", _HINT)
    doc_path = _resolve("", doc_roots[0])
    doc = _xml(z, doc_path, source)
    base = posixpath.dirname(doc_path)
    templates = {
        t.get("ID", ""): _resolve(base, t.get("BaseLoc", ""))
        for t in _children(doc, "TemplatePage")
        if t.get("BaseLoc")
    }
    pages = []
    for p in _children(doc, "Page"):
        if not p.get("BaseLoc"):
            continue
        path = _resolve(base, p.get("BaseLoc", ""))
        pages.append((path, _template_paths(z, path, templates)))
    return pages


def _template_paths(z: GuardedZip, page_path: str, templates: dict[str, str]) -> list[str]:
    """Template pages (running headers such as the red 文件头) a page draws on."""
    real = z.find(page_path)
    if real is None or not templates:
        return []
    try:
        page = ET.fromstring(z.read(real))
    except ET.ParseError:
        return []
    return [
        templates[t.get("TemplateID", "")]
        for t in _children(page, "Template")
        if t.get("TemplateID", "") in templates
    ]


def _runs(page: Any) -> list[_Run]:
    runs: list[_Run] = []
    for obj in _children(page, "TextObject"):
        box = _floats(obj.get("Boundary"))
        if len(box) < 2:
            continue
        bx, by = box[0], box[1]
        ctm = _floats(obj.get("CTM"))
        a, b, c, d, e, f = ctm if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        size = float(obj.get("Size") or 3.5) * (abs(a) or 1.0)
        lx = ly = 0.0
        for code in _children(obj, "TextCode"):
            text = code.text or ""
            lx = float(code.get("X", lx))
            ly = float(code.get("Y", ly))
            if not text.strip():
                continue
            dx = _deltas(code.get("DeltaX"), len(text))
            width = sum(dx) + (dx[-1] if dx else float(obj.get("Size") or 3.5))
            x0 = bx + a * lx + c * ly + e
            y0 = by + b * lx + d * ly + f
            runs.append(_Run(x0, y0, x0 + a * width, size, text))
    return runs


def _lines(runs: list[_Run]) -> list[str]:
    runs = sorted(runs, key=lambda r: (r.y, r.x))
    rows: list[list[_Run]] = []
    for r in runs:
        if rows and abs(rows[-1][0].y - r.y) <= max(0.3 * min(rows[-1][0].size, r.size), 0.5):
            rows[-1].append(r)
        else:
            rows.append([r])
    lines: list[str] = []
    for row in rows:
        row.sort(key=lambda r: r.x)
        out = row[0].text
        for prev, cur in zip(row, row[1:], strict=False):
            gap = cur.x - prev.end
            out += (" " if gap > 1.2 * max(prev.size, cur.size) else "") + cur.text
        lines.append(out.strip())
    return [line for line in lines if line]


def load_ofd(data: bytes, source: str, options: LoadOptions | None = None) -> Document:
    z = open_zip(data, source, options)
    blocks: list[Block] = []
    for number, (path, templates) in enumerate(_page_paths(z, source), 1):
        runs: list[_Run] = []
        for part in (*templates, path):
            try:
                runs.extend(_runs(_xml(z, part, source)))
            except LoadError:
                log.warning("%s: page %d (%s) unreadable", source, number, part)
        lines = _lines(runs)
        if lines:
            blocks.append(Block("\n".join(lines), page=number))
    if not blocks:
        raise LoadError(
            source,
            "OFD 文件中没有可提取的文字（可能是扫描件）",
            "请用 OFD 阅读器另存为 PDF，或先做 OCR 文字识别",
        )
    title = first_title_line(blocks[0].text.split("\n"))
    return Document(source=source, title=title, blocks=blocks, format="ofd")
