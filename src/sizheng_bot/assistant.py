"""Composition root: builds every stage from Settings and exposes the verbs the edges (CLI, app) call."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from sizheng_bot.answer import pipeline
from sizheng_bot.answer.quotes import QuoteVerifier
from sizheng_bot.compose.kbview import KBView, document_texts
from sizheng_bot.config import Settings
from sizheng_bot.errors import EmbeddingUnavailable, SizhengError
from sizheng_bot.identity import IndexIdentity
from sizheng_bot.ingest.budget import Limits
from sizheng_bot.ingest.driver import Progress, ingest
from sizheng_bot.ingest.loaders import LOADER_VERSION
from sizheng_bot.ingest.loaders.options import LoadOptions
from sizheng_bot.llm.client import ChatLLM
from sizheng_bot.llm.prompts import PromptSet, load_prompts
from sizheng_bot.retrieval.analyzer import Analyzer
from sizheng_bot.retrieval.dense import DenseEmbedder
from sizheng_bot.retrieval.kbs import DEFAULT, Registry, display_name, kb_dir
from sizheng_bot.retrieval.lexical import LexicalIndex
from sizheng_bot.retrieval.retriever import RetrievalParams, Retriever
from sizheng_bot.retrieval.store import KnowledgeBase
from sizheng_bot.types import DocInfo, Hit, IngestReport, Result, TaskRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stats:
    documents: int
    chunks: int
    chars: int
    data_dir: str
    embed_model: str
    embed_status: str
    identity: dict[str, str | int] | None = None


class Assistant:
    """Knowledge base + retrieval (+ composition, added by later stages) behind a few verbs."""

    def __init__(
        self, settings: Settings, kb: KnowledgeBase, retriever: Retriever, embed_status: str
    ) -> None:
        self.settings = settings
        self.kb = kb
        self.retriever = retriever
        self.embed_status = embed_status
        self._lock = threading.Lock()
        self._derived: tuple[LexicalIndex, KBView, QuoteVerifier] | None = None
        self._llm: ChatLLM | None = None
        self._prompts: PromptSet | None = None
        self.stages = pipeline.Stages(
            retriever, self.kb_view, self.verifier, self.llm, self.prompts,
            documents=lambda: len(self.kb.documents()), max_question_chars=settings.retrieval.max_question_chars,
        )  # fmt: skip

    @classmethod
    def from_settings(cls, settings: Settings) -> Assistant:
        analyzer = Analyzer.from_files(settings.retrieval.domain_dict, settings.retrieval.synonyms)
        dense, status = _dense_from_settings(settings)
        kb = open_kb(settings, analyzer, dense)
        weight = settings.embed.weight or (1.0 if dense is not None and dense.chinese else 0.0)
        params = RetrievalParams(
            dense_weight=weight if dense is not None else 0.0,
            candidates=settings.retrieval.candidates,
            use_synonyms=settings.retrieval.use_synonyms,
        )
        return cls(settings, kb, Retriever(kb, analyzer, params), status)

    def for_kb(self, name: str) -> Assistant:
        """The assistant of another knowledge base (same settings otherwise), cached; ``""`` is this one."""
        if not name or name == self.settings.kb:
            return self
        with self._lock:
            cache = self.__dict__.setdefault("_siblings", {})
            if name not in cache:
                cache[name] = Assistant.from_settings(self.settings.model_copy(update={"kb": name}))
            return cache[name]  # type: ignore[no-any-return]

    def for_kbs(self, names: Sequence[str]) -> Assistant:
        """The assistant that answers from several knowledge bases at once (``retrieval/multi.py``: hits
        merged on one scale, sources named ``【名称】文件名``); one name is ``for_kb``. Read-only: it asks,
        it does not ingest."""
        wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
        if len(wanted) <= 1:
            return self.for_kb(wanted[0] if wanted else "")
        key = tuple(wanted)
        cache: dict[tuple[str, ...], Assistant] = self.__dict__.setdefault("_sets", {})
        if key not in cache:
            from sizheng_bot.retrieval.multi import Member, MultiRetriever

            members = [Member(display_name(n), a.kb, a.retriever) for n in wanted for a in (self.for_kb(n),)]
            multi = MultiRetriever(members, self.analyzer, self.retriever.params)
            # the KBSet has the reading side of a KnowledgeBase (lexical, documents, generation, exists)
            asst = Assistant(self.settings, cast(KnowledgeBase, multi.kb), multi, self.embed_status)
            with self._lock:
                cache.setdefault(key, asst)
        return cache[key]

    # ---- knowledge base --------------------------------------------------------------------------
    def ingest(self, paths: Iterable[Path] | None = None, progress: Progress | None = None,
               names: dict[Path, str] | None = None,
               notice: Callable[[str], None] | None = None) -> IngestReport:  # fmt: skip
        """Ingest a batch of files as one generation (one lexical update); readers keep searching the
        previous generation meanwhile. ``names`` maps a path to the name shown in citations (uploads);
        ``notice`` is told once when another process holds the write lock and we wait for it.
        Raises IndexBusy when that wait times out; a full disk fails the batch file by file in the report.
        """
        targets = list(paths) if paths else [self.settings.knowledge_dir]
        self.kb.on_wait = notice
        try:
            s = self.settings.ingest
            report = ingest(self.kb, targets, s.chunk_size, s.chunk_overlap_sentences, progress, names,
                            limits=self.ingest_limits(), load_options=LoadOptions.from_settings(s),
                            parse_key=self.identity().parse_key)  # fmt: skip
        finally:
            self.kb.on_wait = None
        if self.kb.dense is not None:
            missing = self.kb.missing_dense()
            if missing:
                self.kb.add_dense(missing)
        return report

    def ingest_limits(self) -> Limits:
        s = self.settings.ingest
        return Limits(
            max_file_bytes=s.max_file_mb * 1024 * 1024, max_chars=s.max_file_chars,
            parse_seconds=s.parse_timeout, parse_memory_mb=s.parse_memory_mb,
            isolate_bytes=int(s.isolate_parse_mb * 1024 * 1024),
        )  # fmt: skip

    def ensure_index(self, progress: Progress | None = None) -> IngestReport | None:
        """Index knowledge/ on first start; later starts reuse the data directory."""
        if self.kb.generation() > 0 and self.kb.exists():
            return None
        return self.ingest(None, progress)

    def remove(self, source: str) -> int:
        return self.kb.remove(Path(source).name)

    def documents(self) -> list[DocInfo]:
        return self.kb.documents()

    def stats(self) -> Stats:
        docs = self.documents()
        return Stats(
            documents=len(docs),
            chunks=sum(d.chunks for d in docs),
            chars=sum(d.chars for d in docs),
            data_dir=str(self.settings.data_dir),
            embed_model=self.settings.embed.model or "（未配置，仅词法检索）",
            embed_status=self.embed_status,
            identity=self.identity().describe(),
        )

    def identity(self) -> IndexIdentity:
        """How this index is made: loader and chunking settings, the tokenizer's fingerprint."""
        s = self.settings.ingest
        an = self.kb.analyzer
        return IndexIdentity(LOADER_VERSION, s.chunk_size, s.chunk_overlap_sentences, an.fingerprint,
                             str(an.dict_path), str(an.synonym_path))  # fmt: skip

    # ---- retrieval ---------------------------------------------------------------------------------
    def search(self, query: str, k: int | None = None) -> list[Hit]:
        return self.retriever.search(query, k or self.settings.retrieval.top_k)

    # ---- composition support: built lazily, cached per knowledge-base generation -------------------
    @property
    def analyzer(self) -> Analyzer:
        return self.retriever.analyzer

    def _derived_views(self) -> tuple[KBView, QuoteVerifier]:
        lex = self.kb.lexical()
        with self._lock:
            if self._derived is None or self._derived[0] is not lex:
                view = KBView(lex.chunks, lex.generation)
                self._derived = (lex, view, QuoteVerifier(document_texts(lex.chunks)))
            return self._derived[1], self._derived[2]

    def kb_view(self) -> KBView:
        """Term statistics and phrase lookup over the indexed chunks."""
        return self._derived_views()[0]

    def verifier(self) -> QuoteVerifier:
        """Quote verifier over the indexed documents (rebuilt after every ingest or removal)."""
        return self._derived_views()[1]

    def llm(self) -> ChatLLM | None:
        """The configured chat model, or None in offline mode."""
        if not self.settings.llm.enabled:
            return None
        with self._lock:
            if self._llm is None:
                self._llm = ChatLLM.from_settings(self.settings.llm)
            return self._llm

    def prompts(self) -> PromptSet:
        """The prompt templates (ConfigError naming the file when one is missing or broken)."""
        with self._lock:
            if self._prompts is None:
                self._prompts = load_prompts(self.settings.prompts_dir)
            return self._prompts

    def llm_status(self) -> str:
        llm = self.llm()
        if llm is None:
            return "离线摘编模式：未配置大模型（设置 SIZHENG_LLM_BASE_URL 与 SIZHENG_LLM_MODEL 可启用）"
        return f"大模型模式：{llm.describe()}；出错时自动改用离线摘编模式"

    def test_llm(self) -> str:
        """One tiny request to the configured model: a Chinese success line, or LLMError/SizhengError."""
        llm = self.llm()
        if llm is None:
            raise SizhengError("未配置大模型：请设置 SIZHENG_LLM_BASE_URL 和 SIZHENG_LLM_MODEL")
        return llm.check()

    # ---- tasks: ask / outline / plan (same pipeline, two backends) ---------------------------------
    def ask(self, question: str, history: Sequence[tuple[str, str]] = ()) -> Result:
        return pipeline.run(self.stages, TaskRequest("ask", question, tuple(history)))

    def outline(self, request: str, topic: str | None = None, audience: str | None = None,
                minutes: int | None = None, history: Sequence[tuple[str, str]] = ()) -> Result:  # fmt: skip
        return pipeline.run(
            self.stages, TaskRequest("outline", request, tuple(history), topic, audience, minutes)
        )

    def plan(self, request: str, theme: str | None = None, audience: str | None = None,
             form: str | None = None, history: Sequence[tuple[str, str]] = ()) -> Result:  # fmt: skip
        return pipeline.run(
            self.stages, TaskRequest("plan", request, tuple(history), theme, audience, None, form)
        )

    def stream(self, req: TaskRequest) -> Iterator[str | Result]:
        """Text deltas as they come (LLM mode), then the final Result (always last)."""
        return pipeline.stream(self.stages, req)


def registry(settings: Settings) -> Registry:
    """The knowledge-base registry (in the data directory, or on the Chroma server when one is set)."""
    if not settings.chroma_url:
        return Registry(settings.data_dir)
    from sizheng_bot.retrieval.server import connect, meta_collection

    client: list[object] = []

    def meta() -> object:
        if not client:
            client.append(connect(settings.chroma_url))
        return meta_collection(client[0])

    return Registry(settings.data_dir, meta)


def open_kb(settings: Settings, analyzer: Analyzer, dense: DenseEmbedder | None = None) -> KnowledgeBase:
    """The knowledge base ``settings.kb`` names (SizhengError when it does not exist)."""
    slug = DEFAULT if settings.kb == DEFAULT else registry(settings).slug(settings.kb)
    return KnowledgeBase(
        kb_dir(settings.data_dir, slug), analyzer, dense, lock_timeout=settings.ingest.write_lock_timeout,
        slug=slug, chroma_url=settings.chroma_url, poll=settings.chroma_poll, lease=settings.chroma_lease,
    )  # fmt: skip


def _dense_from_settings(settings: Settings) -> tuple[DenseEmbedder | None, str]:
    if not settings.embed.model:
        return None, "未配置向量模型：使用词法检索（BM25 词 + 字双元组）"
    try:
        dense = DenseEmbedder(
            settings.embed.model, settings.embed.query_instruction, settings.embed.batch_size
        )
    except EmbeddingUnavailable as exc:
        log.warning("%s", exc)
        return None, f"向量模型不可用，已退回词法检索：{exc}"
    return dense, f"向量模型 {settings.embed.model} 已就绪（{dense.path}）"
