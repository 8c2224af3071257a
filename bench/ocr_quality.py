"""Offline OCR (RapidOCR, PP-OCRv4) speed and accuracy on this machine.

A known paragraph of each shipped report is rendered to an A4 page with PIL and a CJK font
(fonts-noto-cjk) at 150 and 300 dpi, slightly rotated and noisy, then read back; we print the
character error rate (edit distance / reference length, whitespace ignored) and pages/s.

usage: python bench/ocr_quality.py [--pages N]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from common import ROOT, knowledge_files
from sizheng_bot.ingest.loaders.ocr import ocr_array

FONT = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
FALLBACK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def paragraph(path: Path, chars: int = 300) -> str:
    """The first body paragraph of a report with at least ``chars`` characters (cut to that)."""
    text = path.read_text(encoding="utf-8")
    paras = [p.strip() for p in text.split("\n") if len("".join(p.split())) >= 80]
    return "".join("".join(paras[1:]).split())[:chars]


def render(text: str, dpi: int, rotate: float, noise: float, seed: int):  # type: ignore[no-untyped-def]
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    font_path = FONT if FONT.exists() else FALLBACK
    w, h = int(8.27 * dpi), int(11.69 * dpi)
    size = int(dpi * 12 / 72)  # 12 pt
    font = ImageFont.truetype(str(font_path), size)
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    margin, per_line = int(dpi), max(1, int((w - 2 * dpi) / size))
    for i in range(0, len(text), per_line):
        draw.text(
            (margin, margin + (i // per_line) * int(size * 1.6)), text[i : i + per_line], font=font, fill=0
        )
    img = img.rotate(rotate, resample=Image.BICUBIC, fillcolor=255)
    rng = np.random.default_rng(seed)
    arr = np.asarray(img, dtype=np.float32) + rng.normal(0, noise, (h, w))
    return Image.fromarray(np.clip(arr, 0, 255).astype("uint8")).convert("RGB")


def cer(ref: str, hyp: str) -> float:
    ref, hyp = "".join(ref.split()), "".join(hyp.split())
    prev = list(range(len(hyp) + 1))
    for i, a in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, b in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b))
        prev = cur
    return prev[-1] / max(1, len(ref))


def run(pages: int) -> list[dict]:
    files = knowledge_files()[:pages]
    rows = []
    ocr_array(render("预热", 72, 0, 0, 0), "warmup")  # model load is not page time
    for dpi in (150, 300):
        errs, secs, chars = [], 0.0, 0
        for n, f in enumerate(files):
            ref = paragraph(f)
            img = render(ref, dpi, rotate=random.Random(n).uniform(-1.2, 1.2), noise=18.0, seed=n)
            t0 = time.perf_counter()
            hyp = ocr_array(img, f.name)
            secs += time.perf_counter() - t0
            errs.append(cer(ref, hyp))
            chars += len(ref)
        rows.append({"dpi": dpi, "pages": len(files), "chars": chars, "cer": round(sum(errs) / len(errs), 4),
                     "worst_cer": round(max(errs), 4), "pages_per_s": round(len(files) / secs, 3),
                     "s_per_page": round(secs / len(files), 2)})  # fmt: skip
    scan = ROOT.parent / "shared" / "realdocs-dev" / "formats" / "计算机视觉与模式识别（扫描封面）.pdf"
    if scan.exists():
        from sizheng_bot.ingest.loaders import LoadOptions, load

        t0 = time.perf_counter()
        doc = load(scan, options=LoadOptions(ocr_dpi=200))
        rows.append({"dev_scan": scan.name, "ocr_pages": doc.ocr_pages, "seconds": round(time.perf_counter() - t0, 2),
                     "text": "".join(doc.text.split())[:40]})  # fmt: skip
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=5, help="pages per resolution (one per shipped report)")
    rows = run(ap.parse_args().pages)
    print(f"{'dpi':>4} {'pages':>5} {'chars':>6} {'CER':>7} {'worst':>7} {'pages/s':>8} {'s/page':>7}")
    for r in rows:
        if "dpi" in r:
            print(f"{r['dpi']:>4} {r['pages']:>5} {r['chars']:>6} {r['cer']:>7.4f} {r['worst_cer']:>7.4f} "
                  f"{r['pages_per_s']:>8.3f} {r['s_per_page']:>7.2f}")  # fmt: skip
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
