"""Formats read by converting them first (LibreOffice headless): .doc/.wps/.rtf/.odt → .docx,
.xls/.et/.ods → .xlsx, .ppt/.dps/.odp → .pptx; then the ordinary loader of the target format."""

from __future__ import annotations

from dataclasses import replace

from sizheng_bot.ingest.loaders.convert import convert
from sizheng_bot.ingest.loaders.docx import load_docx
from sizheng_bot.ingest.loaders.options import DEFAULT_OPTIONS, LoadOptions
from sizheng_bot.ingest.loaders.sheet import load_xlsx
from sizheng_bot.ingest.loaders.slides import load_pptx
from sizheng_bot.ingest.loaders.zipguard import open_zip
from sizheng_bot.types import Document

# kind -> (canonical input extension, target)
TARGETS = {
    "doc": (".doc", "docx"), "rtf": (".rtf", "docx"), "odt": (".odt", "docx"),
    "xls": (".xls", "xlsx"), "ods": (".ods", "xlsx"),
    "ppt": (".ppt", "pptx"), "odp": (".odp", "pptx"),
}  # fmt: skip
_FAMILY = {
    "doc": (".doc", ".wps", ".dot", ".wpt"), "xls": (".xls", ".et", ".ett", ".xlt"), "ppt": (".ppt", ".dps", ".pps", ".pot"),
}  # fmt: skip


def load_converted(
    data: bytes, source: str, kind: str, ext: str, options: LoadOptions | None = None
) -> Document:
    opt = options or DEFAULT_OPTIONS
    canonical, target = TARGETS[kind]
    if kind in ("odt", "ods", "odp"):
        open_zip(data, source, opt)  # OpenDocument is a zip: the same limits before LibreOffice sees it
    in_ext = ext if ext in _FAMILY.get(kind, ()) else canonical
    converted = convert(data, source, in_ext, target, opt.convert_timeout)
    loader = {"docx": load_docx, "xlsx": load_xlsx, "pptx": load_pptx}[target]
    doc = loader(converted, source, opt)
    fmt = ext.lstrip(".") if ext in _FAMILY.get(kind, ()) else kind
    return replace(doc, format=fmt)
