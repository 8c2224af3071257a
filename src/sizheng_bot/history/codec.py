"""Result <-> JSON for storage (citations keep their chunk ids; unknown fields are ignored on load)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from sizheng_bot.types import Citation, QuoteCheck, Result


def result_to_json(result: Result) -> str:
    data = {
        "text": result.text,
        "mode": result.mode,
        "status": result.status,
        "task": result.task,
        "citations": [asdict(c) for c in result.citations],
        "warnings": list(result.warnings),
        "quotes": [asdict(q) for q in result.quotes],
    }
    return json.dumps(data, ensure_ascii=False)


def result_from_json(raw: str | dict[str, Any]) -> Result:
    data = json.loads(raw) if isinstance(raw, str) else raw
    cites = [
        Citation(
            n=int(c.get("n", i + 1)),
            source=str(c.get("source", "")),
            title=str(c.get("title", "")),
            section=str(c.get("section", "")),
            page=c.get("page"),
            quote=str(c.get("quote", "")),
            chunk_id=str(c.get("chunk_id", "")),
        )
        for i, c in enumerate(data.get("citations") or [])
    ]
    quotes = [
        QuoteCheck(str(q.get("text", "")), bool(q.get("found")), q.get("source"), q.get("chunk_id"))
        for q in data.get("quotes") or []
    ]
    return Result(
        text=str(data.get("text", "")),
        mode=data.get("mode", "offline"),
        status=data.get("status", "answered"),
        task=data.get("task", "ask"),
        citations=cites,
        warnings=[str(w) for w in data.get("warnings") or []],
        quotes=quotes,
    )
