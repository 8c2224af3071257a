"""Per-format ingest time for the real dev documents (shared/realdocs-dev), plus the spreadsheet
reader comparison (openpyxl, which we use, against python-calamine when installed).

usage: python bench/formats.py
"""

from __future__ import annotations

import io
import json
import time
from collections import defaultdict

from common import ROOT
from sizheng_bot.errors import LoadError
from sizheng_bot.ingest.clean import clean_document
from sizheng_bot.ingest.driver import iter_files
from sizheng_bot.ingest.loaders import load, sniff
from sizheng_bot.ingest.split import split_document

REALDOCS = ROOT.parent / "shared" / "realdocs-dev"


def per_format() -> list[dict]:
    stats: dict[str, dict] = defaultdict(
        lambda: {"files": 0, "ok": 0, "seconds": 0.0, "chunks": 0, "max_s": 0.0}
    )
    for f in iter_files([REALDOCS]):
        if f.suffix == ".md":  # SOURCES.md: provenance, not part of the corpus
            continue
        data = f.read_bytes()
        kind = sniff(data, f.suffix)
        label = "wps" if f.suffix == ".wps" else kind
        t0 = time.perf_counter()
        try:
            doc = clean_document(load(f))
            n, ok = len(split_document(doc)), 1
            if doc.ocr_pages:
                label += "+ocr"
        except LoadError:
            n, ok = 0, 0
        dt = time.perf_counter() - t0
        s = stats[label]
        s["files"] += 1
        s["ok"] += ok
        s["seconds"] += dt
        s["chunks"] += n
        s["max_s"] = max(s["max_s"], dt)
    return [{"format": k, **{x: round(y, 2) if isinstance(y, float) else y for x, y in v.items()}}
            for k, v in sorted(stats.items())]  # fmt: skip


def sheet_readers() -> list[dict]:
    files = sorted(REALDOCS.glob("*.xlsx"))
    rows = []
    import openpyxl

    merged = cells = 0
    t0 = time.perf_counter()
    for f in files:
        wb = openpyxl.load_workbook(io.BytesIO(f.read_bytes()), data_only=True)
        cells += sum(1 for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for _ in row)
        merged = merged + sum(len(ws.merged_cells.ranges) for ws in wb.worksheets)
    rows.append({"reader": "openpyxl 3.1.5", "files": len(files), "ms_per_file": round((time.perf_counter() - t0) / len(files) * 1000, 1),
                 "merged_ranges_seen": merged, "cells": cells})  # fmt: skip
    try:
        import python_calamine
    except ImportError:
        return rows
    t0 = time.perf_counter()
    merged_seen = "no API"
    for f in files:
        wb2 = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(f.read_bytes()))
        for name in wb2.sheet_names:
            sheet = wb2.get_sheet_by_name(name)
            sheet.to_python()
            if hasattr(sheet, "merged_cell_ranges"):
                merged_seen = "yes"
    rows.append({"reader": "python-calamine", "files": len(files), "ms_per_file": round((time.perf_counter() - t0) / len(files) * 1000, 1),
                 "merged_ranges_seen": merged_seen})  # fmt: skip
    return rows


def main() -> None:
    fmt = per_format()
    print(f"{'format':<10} {'files':>5} {'ok':>3} {'seconds':>8} {'max s':>6} {'chunks':>6}")
    for r in fmt:
        print(
            f"{r['format']:<10} {r['files']:>5} {r['ok']:>3} {r['seconds']:>8.2f} {r['max_s']:>6.2f} {r['chunks']:>6}"
        )
    readers = sheet_readers()
    for r in readers:
        print(r)
    print(json.dumps({"formats": fmt, "sheet_readers": readers}, ensure_ascii=False))


if __name__ == "__main__":
    main()
