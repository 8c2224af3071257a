"""Uploaded original files, kept in the data directory so a source can be downloaded as it was given.

``<data_dir>/originals/<hash of the source name>/<source name>``; removed with its document. Another
knowledge base than ``default`` keeps its own under ``<data_dir>/originals/kbs/<slug>/`` (the page serves
only ``<data_dir>/originals``).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

log = logging.getLogger(__name__)


class Originals:
    def __init__(self, data_dir: Path, slug: str = "default") -> None:
        base = Path(data_dir) / "originals"
        self.root = (base if slug == "default" else base / "kbs" / slug).resolve()

    def _dir(self, source: str) -> Path:
        return self.root / hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]

    def save(self, path: Path, source: str) -> Path:
        folder = self._dir(source)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        target = folder / source
        shutil.copyfile(path, target)
        return target

    def path(self, source: str) -> Path | None:
        p = self._dir(source) / source
        return p if p.is_file() else None

    def remove(self, source: str) -> None:
        shutil.rmtree(self._dir(source), ignore_errors=True)

    def names(self) -> set[str]:
        if not self.root.is_dir():
            return set()
        return {f.name for d in self.root.iterdir() if d.is_dir() for f in d.iterdir() if f.is_file()}
