"""The library stays a library: gradio only in ui/ (beside app.py), stdout only from the CLI."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "sizheng_bot"
GRADIO = re.compile(r"^\s*(?:import gradio|from gradio\b)", re.M)
PRINT = re.compile(r"(?<![\w.])print\(")


def test_nothing_in_the_library_imports_gradio() -> None:
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if GRADIO.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_only_the_cli_prints() -> None:
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if "cli" not in p.relative_to(SRC).parts and PRINT.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
