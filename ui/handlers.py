"""Plain functions behind the page: call the Assistant, return display values. No gradio here.

Each generator yields complete display states, so the page can stream them and tests can take the
last one. Document and model text leaves this module only through ``ui.render`` (escaped).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sizheng_bot.assistant import Assistant
from sizheng_bot.errors import SizhengError
from sizheng_bot.history import HistoryStore
from sizheng_bot.history.codec import result_to_json
from sizheng_bot.types import FileReport, Result, Task, TaskRequest
from ui import answer_view, cite, render
from ui.files import ExportDir, remove_quietly, safe_filename, unique_names, upload_problem
from ui.ingest_proc import ingest_in_child
from ui.kbs import KBHandlers
from ui.memory import release_memory
from ui.messages import plain_message
from ui.originals import Originals
from ui.startup import IndexJob
from ui.status import INDEX_WAIT_SECONDS, StatusHandlers, pairs

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
Message = dict[str, Any]
History = list[list[str]]  # [[user, assistant_text], ...]: JSON-friendly for gr.State and the API
Turns = list[dict[str, Any]]  # [{"q": question, "r": Result as a dict}, ...]: one per answer shown
DEFAULT_STEMS = {"outline": "微党课提纲", "plan": "活动方案", "ask": "思政助手答复"}


def _error_text(exc: Exception) -> str:
    if isinstance(exc, SizhengError):
        return plain_message(str(exc))
    return f"处理时出现意外错误（{type(exc).__name__}），请稍后重试；如反复出现，请联系管理员查看日志。"


def stem_of(text: str, fallback: str) -> str:
    """A file-name stem from the text's first line (a ``#`` title), else ``fallback``."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip().strip("*").strip()
        if line and not line.startswith(">"):
            return safe_filename(line.replace("/", "_").replace("\\", "_"), default=fallback)
    return fallback


def historypairs(turns: Turns | None) -> tuple[tuple[str, str], ...]:
    return pairs([[t["q"], t["r"].get("text", "")] for t in turns or [] if t.get("r")])


class Handlers(StatusHandlers, KBHandlers):
    def __init__(self, assistant: Assistant, job: IndexJob) -> None:
        self.asst = assistant
        self.settings = assistant.settings
        self.job = job
        self.history = HistoryStore(assistant.settings.data_dir)
        self.originals = Originals(assistant.settings.data_dir)  # the default knowledge base's
        self._originals = {}
        self.exports = ExportDir()

    def render_answer(self, result: Result, kbs: Sequence[str] = ()) -> str:
        return answer_view.answer_markdown(result, self.original_links(kbs))

    # ---- 智能问答 ------------------------------------------------------------------------------
    def chat(
        self,
        message: str,
        messages: list[Message] | None,
        turns: Turns | None,
        owner: str = "",
        conv_id: str | None = None,
        kbs: Sequence[str] | None = None,
    ) -> Iterator[tuple[list[Message], Turns, str, str | None]]:
        """Yields (chat messages, turns, new textbox value, conversation id) as the answer streams in.

        The finished turn is stored under ``owner`` (a new conversation when ``conv_id`` is empty).
        ``kbs``: the knowledge bases to answer from (none selected: the app's own).
        """
        kbs = [k for k in kbs or [] if k]
        msgs = list(messages or [])
        hist = list(turns or [])
        question = (message or "").strip()
        if not question:
            yield list(msgs), list(hist), "", conv_id
            return
        msgs += [{"role": "user", "content": render.md_safe(question)}, {"role": "assistant", "content": ""}]
        if not self.job.ready:
            msgs[-1] = {"role": "assistant", "content": "知识库正在建立索引，完成后自动回答，请稍候…"}
            yield list(msgs), list(hist), "", conv_id
            self.job.wait(INDEX_WAIT_SECONDS)
        msgs[-1] = {"role": "assistant", "content": "正在检索知识库…"}
        yield list(msgs), list(hist), "", conv_id
        req = TaskRequest("ask", question, historypairs(hist))
        acc = ""
        try:
            for event in self.asst.for_kbs(kbs).stream(req):
                if isinstance(event, Result):
                    msgs[-1] = {"role": "assistant", "content": self.render_answer(event, kbs)}
                    hist.append({"q": question, "r": json.loads(result_to_json(event))})
                    if owner:
                        conv_id = self.history.add_turn(owner, conv_id, question, event)
                    yield list(msgs), list(hist), "", conv_id
                    return
                acc += event
                msgs[-1] = {"role": "assistant", "content": render.streaming_markdown(acc)}
                yield list(msgs), list(hist), "", conv_id
        except Exception as exc:
            log.exception("chat failed")
            msgs[-1] = {"role": "assistant", "content": render.md_safe(_error_text(exc))}
            hist.append({"q": question, "r": None})  # keeps turns aligned with the answers shown
            yield list(msgs), list(hist), "", conv_id

    def load_conversation(self, owner: str, conv_id: str | None) -> tuple[list[Message], Turns]:
        """The stored conversation as chat messages and turns (empty when it is not the owner's)."""
        msgs: list[Message] = []
        turns: Turns = []
        if owner and conv_id:
            for t in self.history.turns(conv_id, owner):
                msgs += [
                    {"role": "user", "content": render.md_safe(t.question)},
                    {"role": "assistant", "content": self.render_answer(t.result)},
                ]
                turns.append({"q": t.question, "r": json.loads(result_to_json(t.result))})
        return msgs, turns

    # ---- 微党课提纲 / 活动方案 ----------------------------------------------------------------
    def outline(
        self, topic: str, audience: str, minutes: float | None, request: str
    ) -> Iterator[tuple[str, str, str, Result | None]]:
        mins = int(minutes) if minutes else None
        req = TaskRequest("outline", "", (), topic.strip() or None, audience.strip() or None, mins)
        yield from self._generate(req, request)

    def plan(
        self, theme: str, audience: str, form: str, request: str
    ) -> Iterator[tuple[str, str, str, Result | None]]:
        req = TaskRequest(
            "plan", "", (), theme.strip() or None, audience.strip() or None, None, form.strip() or None
        )
        yield from self._generate(req, request)

    def _generate(self, req: TaskRequest, request: str) -> Iterator[tuple[str, str, str, Result | None]]:
        """Yields (editable text, status html, sources html, Result or None) while generating."""
        text = (request or "").strip() or (req.topic or "")
        if not text:
            yield "", render.notice("请先填写主题，或在“补充要求”里写下您的需求。", "warn"), "", None
            return
        req = dataclasses.replace(req, text=text)
        if not self.job.ready:
            yield "", render.notice("知识库正在建立索引，完成后自动生成，请稍候…"), "", None
            self.job.wait(INDEX_WAIT_SECONDS)
        yield "", render.notice("正在检索知识库并生成…"), "", None
        acc = ""
        try:
            for event in self.asst.stream(req):
                if isinstance(event, Result):
                    yield event.text, render.status_html(event), cite.sources_html(event.citations), event
                    return
                acc += event
                yield acc, render.notice("正在生成…"), "", None
        except Exception as exc:
            log.exception("%s failed", req.task)
            yield acc, render.notice(_error_text(exc), "error"), "", None

    def export(
        self, task: Task, text: str, result: Result | None, fmt: str, clean: bool = False
    ) -> tuple[str | None, str]:
        """Export what is in the textbox now (the user's edits, whole) with the generated sources;
        ``clean``: a 讲稿 without the mode note and sources. Returns (file path or None, message html).
        """
        if not (text or "").strip():
            return None, render.notice("没有可导出的内容：请先生成，或在文本框中填写内容。", "warn")
        if result is None:
            edited = Result(text=text, mode="offline", status="answered", task=task)
        else:
            edited = dataclasses.replace(result, text=text, task=task)
        stem = stem_of(text, DEFAULT_STEMS[task])
        try:
            path = self.exports.write(edited, fmt, stem, clean=clean)
        except Exception as exc:
            log.exception("export failed")
            return None, render.notice(f"导出失败：{_error_text(exc)}", "error")
        return str(path), render.notice(f"已生成 {path.name}，点击下方文件名下载。", "ok")

    # ---- 知识库 ----------------------------------------------------------------------------------
    def upload(
        self, paths: Sequence[str] | None, progress: Progress | None = None, cleanup: bool = False,
        kb: str | None = None,
    ) -> tuple[str, list[list[object]], list[str]]:  # fmt: skip
        """Check every uploaded file, then ingest the accepted ones in ONE Assistant.ingest call (one
        index generation, one keyword-index update). Refused files are reported one by one; the
        originals are kept for download; with ``cleanup`` the uploaded (temp) files are removed.

        ``kb``: the knowledge base to upload into (default: the app's own).
        Returns (per-file report html, document rows, document names).
        """
        files = [Path(p) for p in (paths or [])]
        names = unique_names([safe_filename(p.name) for p in files])
        refused: dict[int, FileReport] = {}
        accepted: dict[Path, str] = {}
        for i, (path, name) in enumerate(zip(files, names, strict=True)):
            problem = upload_problem(path, name, self.settings.ingest.max_file_mb)
            if problem:
                refused[i] = FileReport(str(path), name, "failed", error=plain_message(problem))
            else:
                accepted[path] = name
        reports: list[FileReport] = []
        seconds = 0.0
        try:
            if accepted:
                asst = self.for_kb(kb)
                originals = self.originals_of(kb)
                if self.settings.web.upload_process:
                    rep = ingest_in_child(asst.settings, list(accepted), accepted, progress)
                else:
                    rep = asst.ingest(list(accepted), progress, names=accepted)
                seconds = rep.seconds
                by_path = {f.path: f for f in rep.files}
                for path, name in accepted.items():
                    got = by_path.get(str(path))
                    if got is not None and got.status != "failed":
                        originals.save(path, name)
                reports = list(rep.files)
        except Exception as exc:
            log.exception("ingest failed")
            reports = [
                FileReport(str(p), n, "failed", error=f"{n}：{_error_text(exc)}") for p, n in accepted.items()
            ]
        finally:
            for path in files if cleanup else []:
                remove_quietly(path)
        order = {str(p): i for i, p in enumerate(files)}
        reports = sorted([*reports, *refused.values()], key=lambda r: order.get(r.path, len(order)))
        if progress:
            progress(len(files), len(files), "")
        rows, choices = self.doc_table(kb)
        release_memory()  # the upload's buffers, freed but held by the allocator (web/memory.py)
        return render.report_html(reports, seconds if files else None), rows, choices

    def delete(self, source: str | None, kb: str | None = None) -> tuple[str, list[list[object]], list[str]]:
        if not source:
            msg = render.notice("请先在下拉框中选择要删除的文档。", "warn")
        else:
            n = self.for_kb(kb).remove(source)
            self.originals_of(kb).remove(source)
            if n:
                msg = render.notice(f"已删除“{source}”（{n} 个切块）。", "ok")
            else:
                msg = render.notice(f"知识库中没有“{source}”。", "warn")
        rows, choices = self.doc_table(kb)
        return msg, rows, choices

    def rebuild(
        self, progress: Progress | None = None, kb: str | None = None
    ) -> tuple[str, list[list[object]], list[str]]:
        """Re-scan knowledge/ (new and changed files) into ``kb`` and rebuild its keyword index."""
        try:
            report = self.for_kb(kb).ingest(None, progress)
            html = render.report_html(report.files, report.seconds)
        except Exception as exc:
            log.exception("rebuild failed")
            html = render.notice(f"重建索引失败：{_error_text(exc)}", "error")
        rows, choices = self.doc_table(kb)
        release_memory()
        return html, rows, choices

    def doc_table(self, kb: str | None = None) -> tuple[list[list[object]], list[str]]:
        if not self.job.ready:  # the index is being written: do not wait for it
            return [], []
        try:
            docs = self.for_kb(kb).documents()
        except SizhengError:  # the knowledge base was deleted meanwhile
            return [], []
        return render.doc_rows(docs), [d.source for d in docs]
