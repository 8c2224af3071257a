"""What a loader may need beyond the bytes: limits, OCR and converter settings, a progress callback.

Built once from the ingest settings at the composition root and passed down; defaults are safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sizheng_bot.config import IngestSettings

# (done, total, what) — e.g. OCR pages of one document
PageProgress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class LoadOptions:
    zip_max_entries: int = 10_000
    zip_max_total_mb: int = 200
    zip_max_ratio: int = 200
    zip_ratio_min_mb: int = 5  # entries smaller than this are not ratio-checked
    ocr_enabled: bool = True
    ocr_seconds_per_doc: float = 300.0
    ocr_dpi: int = 200
    ocr_max_pages: int = 200
    convert_timeout: float = 120.0
    progress: PageProgress | None = None

    @classmethod
    def from_settings(cls, s: IngestSettings, progress: PageProgress | None = None) -> LoadOptions:
        return cls(
            zip_max_entries=s.zip_max_entries,
            zip_max_total_mb=s.zip_max_total_mb,
            zip_max_ratio=s.zip_max_ratio,
            ocr_enabled=s.ocr_enabled,
            ocr_seconds_per_doc=s.ocr_seconds_per_doc,
            ocr_dpi=s.ocr_dpi,
            ocr_max_pages=s.ocr_max_pages,
            convert_timeout=s.convert_timeout,
            progress=progress,
        )


DEFAULT_OPTIONS = LoadOptions()
