"""Format from the bytes; the file extension is only a hint (for text flavours and ties).

``sniff`` returns one of: pdf, doc, xls, ppt (OLE2, told apart by stream names), docx, xlsx, pptx,
odt, ods, odp (zip, by [Content_Types].xml or mimetype), ofd (zip with OFD.xml), rtf, image,
html, md, txt, zip (another zip), ole (another OLE2 file), encrypted (password-protected OOXML)
or "" (unknown binary).
"""

from __future__ import annotations

import logging

from sizheng_bot.ingest.loaders.zipguard import zip_names

log = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
    (b"BM", "bmp"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"),
)  # fmt: skip
_OOXML_MAIN = (
    ("wordprocessingml.document", "docx"), ("wordprocessingml.template", "docx"),
    ("ms-word.document.macroenabled", "docx"), ("ms-word.template.macroenabled", "docx"),
    ("spreadsheetml.sheet", "xlsx"), ("spreadsheetml.template", "xlsx"), ("ms-excel.sheet.macroenabled", "xlsx"),
    ("presentationml.presentation", "pptx"), ("presentationml.slideshow", "pptx"),
    ("ms-powerpoint.presentation.macroenabled", "pptx"),
)  # fmt: skip
_ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
_TEXT_EXT = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
# what an extension claims, to say "扩展名不符" when the bytes disagree
EXT_KIND = {
    ".doc": "doc", ".wps": "doc", ".dot": "doc", ".wpt": "doc", ".xls": "xls", ".et": "xls", ".ett": "xls",
    ".ppt": "ppt", ".dps": "ppt", ".pps": "ppt", ".docx": "docx", ".docm": "docx", ".dotx": "docx",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".pptx": "pptx", ".ppsx": "pptx", ".odt": "odt", ".ods": "ods",
    ".odp": "odp", ".ofd": "ofd", ".pdf": "pdf", ".rtf": "rtf", ".txt": "txt", ".md": "md", ".markdown": "md",
    ".html": "html", ".htm": "html", ".csv": "txt",
    **dict.fromkeys((".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif"), "image"),
}  # fmt: skip
KIND_LABEL = {
    "doc": "Word 97-2003 / WPS 文字（.doc/.wps）", "xls": "Excel 97-2003 / WPS 表格（.xls/.et）",
    "ppt": "PowerPoint 97-2003 / WPS 演示（.ppt/.dps）", "docx": "Word（.docx）", "xlsx": "Excel（.xlsx）",
    "pptx": "PowerPoint（.pptx）", "odt": "OpenDocument 文本（.odt）", "ods": "OpenDocument 表格（.ods）",
    "odp": "OpenDocument 演示（.odp）", "ofd": "OFD 版式文件", "pdf": "PDF", "rtf": "RTF", "image": "图片",
    "html": "网页（HTML）", "md": "Markdown", "txt": "纯文本", "zip": "zip 压缩包", "ole": "OLE2 复合文档",
}  # fmt: skip


def _ole_kind(data: bytes) -> str:
    import olefile

    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:  # broken OLE2 directory
        log.info("olefile could not parse: %r", exc)
        return "ole"
    try:
        streams = {"/".join(s).lower() for s in ole.listdir(streams=True, storages=False)}
    finally:
        ole.close()
    if "encryptedpackage" in streams:  # a password-protected OOXML file is an OLE2 wrapper
        return "encrypted"
    if "worddocument" in streams:
        return "doc"
    if "workbook" in streams or "book" in streams:
        return "xls"
    if "powerpoint document" in streams:
        return "ppt"
    return "ole"


def _zip_kind(names: list[str], data: bytes) -> str:
    lower = {n.lower(): n for n in names}
    if "ofd.xml" in lower:
        return "ofd"
    if "[content_types].xml" in lower:
        import zipfile
        from io import BytesIO

        try:
            with zipfile.ZipFile(BytesIO(data)) as zf:
                info = zf.getinfo(lower["[content_types].xml"])
                ct = zf.read(info).decode("utf-8", "replace").lower() if info.file_size < (4 << 20) else ""
        except Exception:
            ct = ""
        for marker, kind in _OOXML_MAIN:
            if marker in ct:
                return kind
        for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
            if any(n.startswith(prefix) for n in lower):
                return kind
    if "mimetype" in lower:
        import zipfile
        from io import BytesIO

        try:
            with zipfile.ZipFile(BytesIO(data)) as zf:
                mime = zf.read(lower["mimetype"])[:200].decode("ascii", "replace").strip()
        except Exception:
            mime = ""
        if mime in _ODF:
            return _ODF[mime]
    return "zip"


def sniff(data: bytes, ext: str = "") -> str:
    ext = ext.lower()
    head = data[:2048]
    if head.startswith(OLE_MAGIC):
        return _ole_kind(data)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        names = zip_names(data)
        return _zip_kind(names, data) if names is not None else "zip"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    for magic, _name in _IMAGE_MAGIC:
        if head.startswith(magic):
            return "image"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if ext in _TEXT_EXT:
        return _TEXT_EXT[ext]
    probe = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html")):
        return "html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")) and not _utf16ish(head):
        return ""
    return "txt"


def _utf16ish(head: bytes) -> bool:
    # UTF-16 text without BOM: every other byte NUL for ASCII; the text loader decides for real
    return len(head) >= 4 and (head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4)
