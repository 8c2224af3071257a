"""Task pipeline: guard -> (rewrite) -> retrieve -> compose (offline | LLM) -> citations + quote check -> Result.

STUB: a minimal working version so the edges can be built; the full pipeline replaces it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .guard import classify
from .types import Citation, Result, Task

if TYPE_CHECKING:
    from .assistant import Assistant


@dataclass(frozen=True)
class TaskRequest:
    """What the user asked for; explicit fields win over what is read from ``text``."""

    task: Task
    text: str
    history: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (user, assistant) turns
    topic: str | None = None
    audience: str | None = None
    minutes: int | None = None
    form: str | None = None  # plan: 形式/时长


def run(asst: Assistant, req: TaskRequest) -> Result:
    result: Result | None = None
    for event in stream(asst, req):
        if isinstance(event, Result):
            result = event
    assert result is not None
    return result


def stream(asst: Assistant, req: TaskRequest) -> Iterator[str | Result]:
    """Yields text deltas (LLM mode) and finally the Result."""
    decision = classify(req.text, [u for u, _ in req.history])
    if decision.kind != "ok":
        yield Result(text=decision.message, mode="offline", status="refused", task=req.task)
        return
    hits = asst.search(req.text, 5)
    if not hits:
        yield Result(text="知识库中未找到相关内容。", mode="offline", status="not_found", task=req.task)
        return
    cites = [
        Citation(i, h.source, h.title, h.section, h.page, h.text, h.chunk_id) for i, h in enumerate(hits, 1)
    ]
    lines = ["> 离线摘编模式：以下内容摘编自知识库原文。", ""]
    lines += [f"- {h.text[:120]} [{i}]" for i, h in enumerate(hits, 1)]
    yield Result(text="\n".join(lines), mode="offline", status="answered", task=req.task, citations=cites)
