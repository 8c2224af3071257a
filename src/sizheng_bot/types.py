"""Our own small dataclasses that cross module boundaries.

Nothing from LangChain or Chroma leaks out of the stage that uses it; stages exchange these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Block:
    """One paragraph-like piece of a loaded document.

    ``level`` is set when the *format* marks the block as a heading (Word heading style, markdown
    ``#``, html ``<h1>``…); plain-text headings such as ``一、`` are recognised later by the splitter.
    """

    text: str
    page: int | None = None
    level: int | None = None


@dataclass
class Document:
    """A loaded (and later cleaned) source document."""

    source: str  # the file name as ingested, e.g. "党校党群工作调研报告.txt"
    title: str
    blocks: list[Block]
    format: str  # "txt", "md", "pdf", "docx", "html"
    path: str = ""  # where it was read from
    file_hash: str = ""  # sha256 of the file bytes
    encoding: str | None = None  # for text formats: the encoding that decoded it
    ocr_pages: list[int] = field(default_factory=list)  # pages whose text came from OCR
    note: str = ""  # Chinese note for the user, e.g. "扩展名为 .docx，实际是 .doc 格式，已按 .doc 读取"

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


def page_label(page: int | None, ocr: bool = False) -> str:
    """``第N页`` / ``第N页（OCR）`` ("" when the page is unknown)."""
    if page is None:
        return "（OCR）" if ocr else ""
    return f"第{page}页（OCR）" if ocr else f"第{page}页"


@dataclass(frozen=True)
class Chunk:
    """A retrievable piece of a document with its place in the document's structure."""

    id: str
    source: str
    title: str
    section: str  # section path, e.g. "三、对策建议 > （二）突出严肃性，聚焦工作重点"
    text: str
    position: int  # ordinal of the chunk inside its document
    page: int | None = None
    start: int = 0  # character offsets in the cleaned document text
    end: int = 0
    content_hash: str = ""
    ocr: bool = False  # text read by OCR from a picture of the page


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its score."""

    chunk_id: str
    text: str
    score: float
    source: str
    title: str
    section: str
    page: int | None
    position: int = 0
    ocr: bool = False

    @property
    def page_label(self) -> str:
        return page_label(self.page, self.ocr)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "title": self.title,
            "section": self.section,
            "page": self.page,
            "text": self.text,
            "score": round(float(self.score), 6),
        }


@dataclass(frozen=True)
class FileReport:
    """What happened to one file in an ingest batch."""

    path: str
    source: str
    status: Literal["added", "updated", "unchanged", "failed", "removed"]
    chunks: int = 0
    chars: int = 0
    error: str | None = None  # user-facing Chinese message when status == "failed"
    note: str = ""  # user-facing Chinese note on success, e.g. a file whose extension lies


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def chars(self) -> int:
        return sum(f.chars for f in self.files if f.status in ("added", "updated"))


@dataclass(frozen=True)
class DocInfo:
    source: str
    title: str
    chunks: int
    chars: int
    format: str


@dataclass(frozen=True)
class Citation:
    """A numbered source of a Result; ``quote`` is the exact passage text the point rests on."""

    n: int
    source: str
    title: str
    section: str
    page: int | None
    quote: str
    chunk_id: str = ""
    ocr: bool = False

    @property
    def page_label(self) -> str:
        return page_label(self.page, self.ocr)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("chunk_id", None)
        if not d.get("ocr"):
            d.pop("ocr", None)
        return d


@dataclass(frozen=True)
class QuoteCheck:
    """One quoted or attributed span and whether it exists verbatim in the knowledge base."""

    text: str
    found: bool
    source: str | None = None
    chunk_id: str | None = None


Mode = Literal["offline", "llm"]
Status = Literal["answered", "partial", "not_found", "refused"]
Task = Literal["ask", "outline", "plan"]


@dataclass
class Result:
    """The one result type of every task and backend; UI and CLI render only this."""

    text: str
    mode: Mode
    status: Status
    task: Task = "ask"
    citations: list[Citation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quotes: list[QuoteCheck] = field(default_factory=list)

    @property
    def quotes_checked(self) -> int:
        return len(self.quotes)

    @property
    def quotes_verified(self) -> int:
        return sum(1 for q in self.quotes if q.found)

    @property
    def quotes_unverified(self) -> int:
        return sum(1 for q in self.quotes if not q.found)

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "text": self.text,
            "mode": self.mode,
            "status": self.status,
            "citations": [c.to_dict() for c in self.citations],
            "warnings": list(self.warnings),
            "quotes_checked": self.quotes_checked,
            "quotes_verified": self.quotes_verified,
            "quotes_unverified": self.quotes_unverified,
            "unverified_quotes": [q.text for q in self.quotes if not q.found],
        }


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


@dataclass(frozen=True)
class OutlineParams:
    """A 微党课 outline's parameters, read from the request (answer.intent) and used by compose.outline."""

    topic: str
    audience: str
    minutes: int
    split: tuple[tuple[str, int], ...]  # (part name, minutes), summing to ``minutes``

    @property
    def split_text(self) -> str:
        return "，".join(f"{name}约{m}分钟" for name, m in self.split)


@dataclass(frozen=True)
class PlanParams:
    """An 活动方案's parameters, read from the request (answer.intent) and used by compose.plan."""

    theme: str
    audience: str
    form: str
    minutes: int
    party_day: bool
